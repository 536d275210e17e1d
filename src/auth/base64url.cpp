#include "auth/base64url.hpp"

#include <array>

namespace auth {
namespace {

constexpr std::string_view Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> make_reverse() noexcept {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < Alphabet.size(); ++i)
    table[static_cast<uint8_t>(Alphabet[i])] = int8_t(i);
  return table;
}
constexpr auto Reverse = make_reverse();

// Decodes into any byte container with push_back; false on a bad character or length.
template <typename Out>
bool decode_into(std::string_view text, Out& out) noexcept {
  // RFC 4648 4: a final group of one character cannot encode a whole byte.
  if (text.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = Reverse[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<typename Out::value_type>((acc >> bits) & 0xff));
    }
  }
  // RFC 4648 3.5: leftover pad bits must be zero, or several strings decode to the same bytes.
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace

std::string base64url_encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(Alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(Alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text,
                                                     size_t max_input) noexcept {
  if (text.size() > max_input) return std::nullopt;
  try {
    std::vector<uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    if (!decode_into(text, out)) return std::nullopt;
    return out;
  } catch (...) {  // allocation failure only
    return std::nullopt;
  }
}

std::optional<std::string> base64url_decode_text(std::string_view text, size_t max_input) noexcept {
  if (text.size() > max_input) return std::nullopt;
  try {
    std::string out;
    out.reserve(text.size() * 3 / 4);
    if (!decode_into(text, out)) return std::nullopt;
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace auth
