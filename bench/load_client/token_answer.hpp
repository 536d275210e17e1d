#pragma once
// The token API (POST /api/token, see docs) answers JSON with the viewer's `webrtc_url`. The
// load client accepts either that URL or the token API's own, and then asks for one token that
// all its viewers share. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>

namespace bench::load_client {

// True when `target` (path and query) names the token API rather than a WHEP endpoint.
bool is_token_api(std::string_view target) noexcept;

// The string value of "webrtc_url" in a flat JSON object (RFC 8259 7 escapes: \" \\ \/ and
// the one-letter ones; \u is refused, a URL has no need of it). nullopt when missing or bad.
std::optional<std::string> webrtc_url_from_token_answer(std::string_view json);

}  // namespace bench::load_client
