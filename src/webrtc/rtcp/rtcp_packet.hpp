#pragma once
// The RTCP common header (RFC 3550 6.4.1) and a view of one packet inside a compound packet.
// Every packet type (one file each) parses from an RtcpPacket and writes itself with size() and
// write_to(span), returning the bytes written or 0 when the span is too small.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtcp {

constexpr size_t HeaderSize = 4;
constexpr size_t FeedbackHeaderSize = 12;  // RFC 4585 6.1: header + sender SSRC + media SSRC

namespace packet_type {
constexpr uint8_t SenderReport = 200;
constexpr uint8_t ReceiverReport = 201;
constexpr uint8_t Sdes = 202;
constexpr uint8_t Bye = 203;
constexpr uint8_t App = 204;
constexpr uint8_t RtpFeedback = 205;      // RFC 4585 6.2
constexpr uint8_t PayloadFeedback = 206;  // RFC 4585 6.3
constexpr uint8_t ExtendedReport = 207;
}  // namespace packet_type

namespace feedback_format {
constexpr uint8_t GenericNack = 1;        // RTPFB, RFC 4585 6.2.1
constexpr uint8_t TransportCc = 15;       // RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions
constexpr uint8_t Pli = 1;                // PSFB, RFC 4585 6.3.1
constexpr uint8_t Fir = 4;                // PSFB, RFC 5104 4.3.1
constexpr uint8_t ApplicationLayer = 15;  // PSFB, RFC 4585 6.4 (REMB)
}  // namespace feedback_format

// Cheap classifier for a demultiplexed datagram (RFC 5761 4): version 2 and a second byte in
// 192-223, where RTCP packet types live and RTP payload types (with marker) do not.
bool is_rtcp(std::span<const uint8_t> in) noexcept;

// One packet of a compound packet. `bytes` covers the header and body without padding.
struct RtcpPacket {
  uint8_t count = 0;  // RC, SC or FMT: the 5 bits after V and P
  uint8_t type = 0;
  std::span<const uint8_t> bytes;

  std::span<const uint8_t> body() const noexcept { return bytes.subspan(HeaderSize); }

  // Parses the first packet in `in` (RFC 3550 6.4.1): version 2, length in 32-bit words minus
  // one within `in`, padding count within the packet. `consumed` gets the full length.
  static std::optional<RtcpPacket> parse(std::span<const uint8_t> in, size_t& consumed) noexcept;
};

// Writes the common header for a packet of `total_size` bytes (a multiple of 4, >= 4).
void write_header(std::span<uint8_t> out, uint8_t count, uint8_t type, size_t total_size) noexcept;

// The two SSRCs that open every RTPFB/PSFB packet (RFC 4585 6.1).
struct FeedbackSsrcs {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
};
std::optional<FeedbackSsrcs> parse_feedback(const RtcpPacket& packet, uint8_t type,
                                            uint8_t format) noexcept;

}  // namespace webrtc::rtcp
