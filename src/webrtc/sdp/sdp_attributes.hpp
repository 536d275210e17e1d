#pragma once
// Parsers for single SDP lines and attribute values. Internal to webrtc/sdp: each returns an
// error message without the "line N:" prefix, empty on success, and never throws on bad input.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webrtc/sdp/session_description.hpp"

namespace webrtc::sdp::detail {

std::string parse_media_line(std::string_view value, MediaSection& out);
std::string parse_rtpmap(std::string_view value, MediaSection& m);
std::string parse_fmtp(std::string_view value, MediaSection& m);
std::string parse_rtcp_fb(std::string_view value, MediaSection& m);
std::string parse_extmap(std::string_view value, std::vector<Extmap>& out);
std::string parse_ssrc(std::string_view value, std::vector<SsrcAttribute>& out);
std::string parse_candidate(std::string_view value, std::vector<std::string>& out);
std::string parse_fingerprint(std::string_view value, std::vector<Fingerprint>& out);
std::string parse_setup(std::string_view value, std::optional<SetupRole>& out);
std::string parse_ice_ufrag(std::string_view value, std::string& out);
std::string parse_ice_pwd(std::string_view value, std::string& out);
std::string parse_mid(std::string_view value, std::string& out);
// a=group: keeps the first BUNDLE group, ignores other semantics and later groups.
std::string parse_group(std::string_view value, std::vector<std::string>& bundle);
std::optional<Direction> parse_direction(std::string_view name) noexcept;

}  // namespace webrtc::sdp::detail
