#include "whep_client/feedback_writer.hpp"

#include <algorithm>
#include <array>

#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/sdes.hpp"

namespace tools::whep_client {

namespace rtcp = webrtc::rtcp;

size_t write_receiver_report(std::span<uint8_t> out, uint32_t sender_ssrc, std::string_view cname,
                             std::span<const rtcp::ReportBlock> blocks) noexcept {
  rtcp::ReceiverReport rr;
  rr.sender_ssrc = sender_ssrc;
  rr.report_blocks = rtcp::ReportBlocks(
      blocks.first(std::min(blocks.size(), rtcp::ReceiverReport::MaxReportBlocks)));
  const size_t n = rr.write_to(out);
  if (n == 0) return 0;
  const std::array<rtcp::SdesChunk, 1> chunk{rtcp::SdesChunk{sender_ssrc, cname}};
  const size_t m = rtcp::Sdes(chunk).write_to(out.subspan(n));
  return m == 0 ? 0 : n + m;
}

size_t write_nack(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                  std::span<const uint16_t> lost) noexcept {
  if (lost.empty()) return 0;
  std::array<rtcp::NackItem, MaxNackItems> items{};
  const size_t count = rtcp::GenericNack::pack(lost, items);
  if (count == 0) return 0;
  return rtcp::GenericNack(sender_ssrc, media_ssrc, std::span(items).first(count)).write_to(out);
}

size_t write_pli(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept {
  return rtcp::Pli{sender_ssrc, media_ssrc}.write_to(out);
}

}  // namespace tools::whep_client
