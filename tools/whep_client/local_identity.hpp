#pragma once
// What a client draws at random for one WHEP session: its ICE credentials (RFC 8445 5.3), the
// ICE tie-breaker (RFC 8445 7.3.1.1), the SDP session id (JSEP 5.2.1) and the SSRC of its RTCP
// (RFC 3550 8.1). Drawn fresh per session so that many clients on one host never collide.
#include <cstdint>

#include "webrtc/ice/ice_lite_agent.hpp"

namespace tools::whep_client {

struct LocalIdentity {
  webrtc::ice::IceCredentials ice;
  uint64_t tie_breaker = 0;
  uint64_t session_id = 0;  // below 2^63
  uint32_t rtcp_ssrc = 1;

  static LocalIdentity generate();
};

}  // namespace tools::whep_client
