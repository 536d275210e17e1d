#pragma once
// Parses the SDP offer a WHEP viewer POSTs (RFC 8866 syntax, the JSEP RFC 8829 subset browsers
// and GStreamer webrtcbin produce). Bounded by the limits in session_description.hpp; any
// violation is an error message naming the line or section, never an exception.
#include <optional>
#include <string>
#include <string_view>

#include "webrtc/sdp/session_description.hpp"

namespace webrtc::sdp {

struct ParseResult {
  std::optional<SessionDescription> offer;
  std::string error;  // empty when offer is set; e.g. "line 17 too long (4100 bytes, limit 2048)"

  explicit operator bool() const noexcept { return offer.has_value(); }
};

// Besides syntax, checks what any answer needs: ICE credentials and a fingerprint for every
// offered section (media, session or BUNDLE-tag level), unique mids, BUNDLE mids that exist,
// and a DTLS role we can answer as the DTLS server (offer setup actpass or active).
ParseResult parse_offer(std::string_view text) noexcept;

// The same checks without the offer-only DTLS role rule: for answers (tests, tools/sdp check).
ParseResult parse_session_description(std::string_view text) noexcept;

}  // namespace webrtc::sdp
