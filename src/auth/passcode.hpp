#pragma once
// The publish password (`rtmp://.../live/stream?pwd=...`) and the teacher passcode for the token
// API: compared in constant time, and generated so a person can read and type them.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/crypto.hpp"

namespace auth {

// No 0/O, 1/I/L: nothing a person can misread. 31 symbols, about 4.95 bits each.
inline constexpr std::string_view PasscodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr size_t MaxPasscodeSize = 1024;

class Passcode {
 public:
  // An empty `configured` matches nothing, so a missing config keeps the door shut.
  explicit Passcode(std::string_view configured);

  // Exact, case-sensitive comparison whose time depends neither on where the strings differ nor
  // on the configured length: both sides are hashed and the digests compared in constant time.
  // Inputs over MaxPasscodeSize never match. Guessing is the caller's to rate-limit.
  bool matches(std::string_view presented) const noexcept;
  bool configured() const noexcept { return configured_; }

 private:
  base::Sha256Digest digest_{};
  bool configured_ = false;
};

// `length` (6..64) symbols of PasscodeAlphabet from the CSPRNG, e.g. "7KQ2MX9RTA" (10 give about
// 49 bits). Empty if the generator failed or the length is out of range.
std::string generate_passcode(size_t length = 10);

// `bytes` (16..64) CSPRNG bytes as unpadded base64url: for HS256 and heartbeat secrets
// (32 bytes -> 43 characters). Empty if the generator failed or the size is out of range.
std::string generate_secret(size_t bytes = 32);

}  // namespace auth
