#include "whep_client/feedback_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/sdes.hpp"

namespace tools::whep_client {
namespace {

namespace rtcp = webrtc::rtcp;

TEST(FeedbackWriter, ReceiverReportWithCnameIsACompoundPacket) {
  std::array<rtcp::ReportBlock, 2> blocks{};
  blocks[0].ssrc = 1111;
  blocks[0].cumulative_lost = 3;
  blocks[1].ssrc = 3333;
  std::array<uint8_t, 1500> out{};
  const size_t n = write_receiver_report(out, 42, "viewer", blocks);
  ASSERT_GT(n, 0u);
  rtcp::CompoundReader reader{std::span<const uint8_t>(out.data(), n)};
  auto rr = rtcp::ReceiverReport::parse(*reader.next());
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc, 42u);
  ASSERT_EQ(rr->report_blocks.size(), 2u);
  EXPECT_EQ(rr->report_blocks[0], blocks[0]);
  auto sdes = rtcp::Sdes::parse(*reader.next());
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->chunk(0).cname, "viewer");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(write_receiver_report(std::span(out).first(20), 42, "viewer", blocks), 0u);
}

TEST(FeedbackWriter, NackRoundTripsTheLostSequenceNumbers) {
  const std::vector<uint16_t> lost = {65530, 65531, 65535, 2, 100};
  std::array<uint8_t, 256> out{};
  const size_t n = write_nack(out, 42, 1111, lost);
  ASSERT_GT(n, 0u);
  size_t consumed = 0;
  auto packet = rtcp::RtcpPacket::parse(std::span(out).first(n), consumed);
  ASSERT_TRUE(packet);
  auto nack = rtcp::GenericNack::parse(*packet);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->media_ssrc(), 1111u);
  std::array<uint16_t, 64> back{};
  const size_t count = nack->expand(back);
  EXPECT_EQ(std::vector<uint16_t>(back.begin(), back.begin() + static_cast<std::ptrdiff_t>(count)),
            lost);
  EXPECT_EQ(write_nack(out, 42, 1111, {}), 0u);
}

TEST(FeedbackWriter, Pli) {
  std::array<uint8_t, 64> out{};
  const size_t n = write_pli(out, 42, 1111);
  ASSERT_EQ(n, rtcp::FeedbackHeaderSize);
  size_t consumed = 0;
  auto pli = rtcp::Pli::parse(*rtcp::RtcpPacket::parse(std::span(out).first(n), consumed));
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->media_ssrc, 1111u);
}

}  // namespace
}  // namespace tools::whep_client
