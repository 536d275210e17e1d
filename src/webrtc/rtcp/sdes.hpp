#pragma once
// Source description (RFC 3550 6.5). We send and read only CNAME (6.5.1); other items are
// skipped when parsing.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct SdesChunk {
  uint32_t ssrc = 0;
  std::string_view cname;  // empty when the chunk has no CNAME; at most 255 bytes
};

class Sdes {
 public:
  static constexpr size_t MaxChunks = 31;
  static constexpr uint8_t CnameItem = 1;

  Sdes() = default;
  // Built from caller memory, which must outlive the object.
  explicit Sdes(std::span<const SdesChunk> chunks) noexcept : built_(chunks) {}

  static std::optional<Sdes> parse(const RtcpPacket& packet) noexcept;

  size_t chunk_count() const noexcept { return built_.empty() ? wire_count_ : built_.size(); }
  SdesChunk chunk(size_t i) const noexcept;  // linear in i for parsed packets

  size_t size() const noexcept;
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or invalid

 private:
  std::span<const SdesChunk> built_;
  std::span<const uint8_t> wire_;  // packet body
  size_t wire_count_ = 0;
};

}  // namespace webrtc::rtcp
