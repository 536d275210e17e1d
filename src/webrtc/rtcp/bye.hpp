#pragma once
// Goodbye (RFC 3550 6.6): SSRCs leaving, with an optional reason.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

class Bye {
 public:
  static constexpr size_t MaxSources = 31;

  Bye() = default;
  // Built from caller memory, which must outlive the object. reason: at most 255 bytes.
  explicit Bye(std::span<const uint32_t> ssrcs, std::string_view reason = {}) noexcept
      : built_(ssrcs), reason_(reason) {}

  static std::optional<Bye> parse(const RtcpPacket& packet) noexcept;

  size_t source_count() const noexcept { return built_.empty() ? wire_.size() / 4 : built_.size(); }
  uint32_t ssrc(size_t i) const noexcept;  // 0 when i >= source_count()
  std::string_view reason() const noexcept { return reason_; }

  size_t size() const noexcept;
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or invalid

 private:
  std::span<const uint32_t> built_;
  std::span<const uint8_t> wire_;  // SC SSRCs
  std::string_view reason_;
};

}  // namespace webrtc::rtcp
