#include "webrtc/sdp/session_description.hpp"

#include "webrtc/sdp/sdp_tokens.hpp"

namespace webrtc::sdp {

std::string_view to_string(MediaKind kind) noexcept {
  switch (kind) {
    case MediaKind::Audio:
      return "audio";
    case MediaKind::Video:
      return "video";
    case MediaKind::Application:
      return "application";
    case MediaKind::Other:
      break;
  }
  return "other";
}

std::string_view to_string(Direction direction) noexcept {
  switch (direction) {
    case Direction::SendRecv:
      return "sendrecv";
    case Direction::SendOnly:
      return "sendonly";
    case Direction::RecvOnly:
      return "recvonly";
    case Direction::Inactive:
      break;
  }
  return "inactive";
}

std::string_view to_string(SetupRole role) noexcept {
  switch (role) {
    case SetupRole::ActPass:
      return "actpass";
    case SetupRole::Active:
      return "active";
    case SetupRole::Passive:
      return "passive";
    case SetupRole::HoldConn:
      break;
  }
  return "holdconn";
}

bool PayloadType::is(std::string_view name, uint32_t clock) const noexcept {
  return clock_rate == clock && detail::iequals(encoding, name);
}

const std::string* PayloadType::fmtp_param(std::string_view key) const noexcept {
  auto it = fmtp.find(key);
  return it == fmtp.end() ? nullptr : &it->second;
}

bool MediaSection::is_rtp() const noexcept {
  return proto.find("RTP/") != std::string::npos;
}

const PayloadType* MediaSection::find(uint8_t pt) const noexcept {
  for (const auto& p : payload_types) {
    if (p.pt == pt) return &p;
  }
  return nullptr;
}

PayloadType* MediaSection::find(uint8_t pt) noexcept {
  for (auto& p : payload_types) {
    if (p.pt == pt) return &p;
  }
  return nullptr;
}

const Extmap* MediaSection::find_extmap(std::string_view uri) const noexcept {
  for (const auto& e : extmaps) {
    if (e.uri == uri) return &e;
  }
  return nullptr;
}

bool MediaSection::has_rtcp_fb(uint8_t pt, std::string_view feedback) const noexcept {
  for (const auto& fb : rtcp_fb_all) {
    if (detail::iequals(fb, feedback)) return true;
  }
  const PayloadType* p = find(pt);
  if (p == nullptr) return false;
  for (const auto& fb : p->rtcp_fb) {
    if (detail::iequals(fb, feedback)) return true;
  }
  return false;
}

const MediaSection* SessionDescription::find_mid(std::string_view mid) const noexcept {
  if (mid.empty()) return nullptr;
  for (const auto& m : media) {
    if (m.mid == mid) return &m;
  }
  return nullptr;
}

bool SessionDescription::in_bundle(std::string_view mid) const noexcept {
  if (mid.empty()) return false;
  for (const auto& b : bundle_mids) {
    if (b == mid) return true;
  }
  return false;
}

}  // namespace webrtc::sdp
