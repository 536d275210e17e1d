#pragma once
// VP8 RTP payloads (RFC 7741): each frame split into payloads of at most max_payload_size()
// bytes, each starting with a 4-byte payload descriptor (4.2): X=1, I=1 with a 15-bit
// PictureID (M=1) that goes up by one per frame, N=0 (every frame may be referenced), and S=1
// with PID=0 on the first payload of the frame only (the whole frame is sent as partition 0, as
// libwebrtc does). Browsers take a delta frame's reference from the previous PictureID, so the
// IDs of one stream must stay consecutive, frame after frame.
//
// The same pull model as H264Packetizer: begin() with one frame, then next() writes each payload
// into caller memory. Nothing is allocated; the frame must stay alive until done().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtp {

class Vp8Packetizer {
 public:
  static constexpr size_t DefaultMaxPayloadSize = 1200;
  static constexpr size_t DescriptorSize = 4;  // first octet, X octet, two PictureID octets
  static constexpr size_t MinMaxPayloadSize = 16;

  struct Payload {
    size_t size = 0;
    bool marker = false;  // last payload of the frame (RFC 7741 4.1)
  };

  explicit Vp8Packetizer(size_t max_payload_size = DefaultMaxPayloadSize,
                         uint16_t first_picture_id = 0) noexcept;

  // Starts one frame (media::Frame::data of a VP8 frame) under the next PictureID. Returns
  // false, and produces nothing, for what is no VP8 frame: shorter than its 3-byte frame tag,
  // or a key frame without its start code (RFC 6386 9.1). A refused frame takes no PictureID.
  bool begin(std::span<const uint8_t> frame) noexcept;

  // Writes the next payload into `out` (at least max_payload_size() bytes). nullopt when the
  // frame is finished or `out` is too small (then nothing is consumed).
  std::optional<Payload> next(std::span<uint8_t> out) noexcept;
  bool done() const noexcept { return count_ == 0 || index_ >= count_; }

  size_t max_payload_size() const noexcept { return max_payload_; }
  bool keyframe() const noexcept { return keyframe_; }          // current frame is a key frame
  uint16_t picture_id() const noexcept { return picture_id_; }  // of the current frame

 private:
  size_t max_payload_;
  uint16_t next_picture_id_;
  uint16_t picture_id_ = 0;
  std::span<const uint8_t> frame_;
  bool keyframe_ = false;
  size_t count_ = 0;  // payloads of the current frame
  size_t index_ = 0;  // the next one
  size_t chunk_ = 0;  // frame bytes in every payload but the last
};

}  // namespace webrtc::rtp
