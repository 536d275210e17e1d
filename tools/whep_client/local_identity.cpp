#include "whep_client/local_identity.hpp"

#include <array>

#include "base/crypto.hpp"

namespace tools::whep_client {

namespace {

uint64_t random_u64() {
  std::array<uint8_t, 8> b{};
  base::random_bytes(b);
  uint64_t v = 0;
  for (uint8_t x : b)
    v = (v << 8) | x;
  return v;
}

}  // namespace

LocalIdentity LocalIdentity::generate() {
  LocalIdentity id;
  id.ice = webrtc::ice::IceCredentials::generate().value_or(webrtc::ice::IceCredentials{});
  id.tie_breaker = random_u64();
  id.session_id = random_u64() >> 2;  // JSEP 5.2.1: fits in 63 bits
  id.rtcp_ssrc = static_cast<uint32_t>(random_u64()) | 1u;
  return id;
}

}  // namespace tools::whep_client
