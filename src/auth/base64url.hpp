#pragma once
// Unpadded base64url (RFC 4648 5), the encoding of every JWS segment (RFC 7515 2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

std::string base64url_encode(std::span<const uint8_t> data);
inline std::string base64url_encode(std::string_view text) {
  return base64url_encode(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// Strict decoder: only the 64 URL-safe characters, no padding, no whitespace, and the unused
// low bits of the last character must be zero (so each byte string has exactly one encoding).
// Empty optional on any violation or when the input is longer than `max_input`.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text,
                                                     size_t max_input = 8192) noexcept;
std::optional<std::string> base64url_decode_text(std::string_view text,
                                                 size_t max_input = 8192) noexcept;

}  // namespace auth
