#include "webrtc/rtcp/compound_reader.hpp"

namespace webrtc::rtcp {

std::optional<RtcpPacket> CompoundReader::next() noexcept {
  if (failed_ || pos_ >= in_.size()) return std::nullopt;
  size_t consumed = 0;
  auto packet = RtcpPacket::parse(in_.subspan(pos_), consumed);
  if (!packet) {
    failed_ = true;
    return std::nullopt;
  }
  pos_ += consumed;
  return packet;
}

}  // namespace webrtc::rtcp
