#include "auth/passcode.hpp"

#include <cstdint>
#include <span>
#include <vector>

#include "auth/base64url.hpp"

namespace auth {
namespace {

std::span<const uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

Passcode::Passcode(std::string_view configured)
    : configured_(!configured.empty() && configured.size() <= MaxPasscodeSize) {
  if (configured_) digest_ = base::sha256(bytes_of(configured));
}

bool Passcode::matches(std::string_view presented) const noexcept {
  if (presented.size() > MaxPasscodeSize) return false;
  const auto digest = base::sha256(bytes_of(presented));
  // Evaluate the comparison even when unconfigured, so both paths cost the same.
  const bool equal = base::constant_time_equal(digest, digest_);
  return equal && configured_;
}

std::string generate_passcode(size_t length) {
  if (length < 6 || length > 64) return {};
  return base::random_string(length, PasscodeAlphabet);
}

std::string generate_secret(size_t bytes) {
  if (bytes < 16 || bytes > 64) return {};
  std::vector<uint8_t> raw(bytes);
  if (!base::random_bytes(raw)) return {};
  return base64url_encode(raw);
}

}  // namespace auth
