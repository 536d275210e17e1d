#include "webrtc/rtp/vp8_packetizer.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/rtp/vp8_payload_descriptor.hpp"

namespace webrtc::rtp {
namespace {

constexpr size_t FrameTagSize = 3;         // RFC 6386 9.1
constexpr size_t KeyFrameHeaderSize = 10;  // frame tag, start code, width and height
constexpr uint8_t StartCode[3] = {0x9d, 0x01, 0x2a};

}  // namespace

Vp8Packetizer::Vp8Packetizer(size_t max_payload_size, uint16_t first_picture_id) noexcept
    : max_payload_(std::max(max_payload_size, MinMaxPayloadSize)),
      next_picture_id_(first_picture_id & Vp8PayloadDescriptor::MaxPictureId) {}

bool Vp8Packetizer::begin(std::span<const uint8_t> frame) noexcept {
  frame_ = {};
  count_ = index_ = 0;
  keyframe_ = false;
  if (frame.size() < FrameTagSize) return false;
  const bool key = (frame[0] & 0x01) == 0;  // inverse key frame flag
  if (key && (frame.size() < KeyFrameHeaderSize ||
              std::memcmp(frame.data() + FrameTagSize, StartCode, sizeof StartCode) != 0)) {
    return false;
  }
  frame_ = frame;
  keyframe_ = key;
  picture_id_ = next_picture_id_;
  next_picture_id_ = (next_picture_id_ + 1) & Vp8PayloadDescriptor::MaxPictureId;
  // Payloads of ceil(size / count) bytes and a last one with the rest, as H264Packetizer's
  // FU-A: the fewest packets, no tiny trailing one.
  const size_t room = max_payload_ - DescriptorSize;
  count_ = (frame.size() + room - 1) / room;
  chunk_ = (frame.size() + count_ - 1) / count_;
  return true;
}

std::optional<Vp8Packetizer::Payload> Vp8Packetizer::next(std::span<uint8_t> out) noexcept {
  if (done() || out.size() < max_payload_) return std::nullopt;
  Vp8PayloadDescriptor d;
  d.start = index_ == 0;
  d.picture_id = picture_id_;
  const size_t header = d.write_to(out);  // DescriptorSize: X, I and M set, PID 0
  const size_t offset = index_ * chunk_;
  const size_t n = std::min(chunk_, frame_.size() - offset);
  std::memcpy(out.data() + header, frame_.data() + offset, n);
  ++index_;
  return Payload{header + n, done()};
}

}  // namespace webrtc::rtp
