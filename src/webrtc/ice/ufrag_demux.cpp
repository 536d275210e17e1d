#include "webrtc/ice/ufrag_demux.hpp"

#include "webrtc/stun/stun_message.hpp"

namespace webrtc::ice {

std::optional<std::string_view> binding_request_local_ufrag(
    std::span<const uint8_t> packet) noexcept {
  if (!stun::StunMessage::is_stun(packet)) return std::nullopt;
  const auto message = stun::StunMessage::parse(packet);
  if (!message || !message->is_binding_request()) return std::nullopt;
  const auto username = message->username();
  if (!username) return std::nullopt;
  const size_t colon = username->find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return username->substr(0, colon);
}

}  // namespace webrtc::ice
