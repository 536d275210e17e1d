#include "webrtc/rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "webrtc/rtp/rtp_header_writer.hpp"

namespace webrtc::rtp {
namespace {

// RFC 3550 5.1 layout: V=2 P=0 X=0 CC=0, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, ssrc 0x01020304.
const std::vector<uint8_t> kSimple = {0x80, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF,
                                      0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB, 0xCC};

TEST(RtpPacketView, ParsesFixedHeader) {
  auto p = RtpPacketView::parse(kSimple);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payload_type(), 96);
  EXPECT_EQ(p->sequence_number(), 0x1234);
  EXPECT_EQ(p->timestamp(), 0xDEADBEEFu);
  EXPECT_EQ(p->ssrc(), 0x01020304u);
  EXPECT_EQ(p->csrc_count(), 0u);
  EXPECT_FALSE(p->has_extension());
  EXPECT_EQ(p->header_size(), 12u);
  ASSERT_EQ(p->payload().size(), 3u);
  EXPECT_EQ(p->payload()[0], 0xAA);
}

TEST(RtpPacketView, ParsesCsrcExtensionAndPadding) {
  // CC=2, X=1 one-byte form with id 3 (3 bytes, abs-send-time) and id 5 (2 bytes) plus one
  // padding byte, P=1 with 3 padding octets.
  const std::vector<uint8_t> pkt = {0xB2, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10,
                                    0x00, 0x00, 0x00, 0x20,                          // fixed
                                    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,  // CSRCs
                                    0xBE, 0xDE, 0x00, 0x02,  // profile, 2 words
                                    0x32, 0x01, 0x02, 0x03, 0x51, 0x0A, 0x0B, 0x00,  // elements
                                    0x99, 0x98, 0x00, 0x00, 0x03};  // payload + pad
  auto p = RtpPacketView::parse(pkt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->csrc_count(), 2u);
  EXPECT_EQ(p->csrc(1), 0x22222222u);
  EXPECT_EQ(p->csrc(2), 0u);
  EXPECT_EQ(p->extension_profile(), OneByteExtensionProfile);
  auto abs = p->find_extension(3);
  ASSERT_TRUE(abs);
  EXPECT_EQ(std::vector<uint8_t>(abs->begin(), abs->end()), (std::vector<uint8_t>{1, 2, 3}));
  auto twcc = p->find_extension(5);
  ASSERT_TRUE(twcc);
  EXPECT_EQ(twcc->size(), 2u);
  EXPECT_FALSE(p->find_extension(4));
  EXPECT_EQ(p->header_size(), 32u);
  EXPECT_EQ(p->padding_size(), 3u);
  ASSERT_EQ(p->payload().size(), 2u);
  EXPECT_EQ(p->payload()[1], 0x98);
}

TEST(RtpPacketView, ParsesTwoByteExtensions) {
  // RFC 8285 4.3: profile 0x100 + appbits, id byte, length byte (0 allowed).
  const std::vector<uint8_t> pkt = {0x90, 0x60, 0,    1,    0,   0,   0,   1,    0,
                                    0,    0,    2,           // fixed
                                    0x10, 0x00, 0x00, 0x02,  // profile 0x1000, 2 words
                                    0x01, 0x00, 0x20, 0x03, 0xA, 0xB, 0xC, 0x00, 0x77};
  auto p = RtpPacketView::parse(pkt);
  ASSERT_TRUE(p);
  auto empty = p->find_extension(1);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto v = p->find_extension(0x20);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[2], 0x0C);
  EXPECT_EQ(p->payload().size(), 1u);
}

TEST(RtpPacketView, ExtensionElementPastBlockIsNotFound) {
  // One-byte element claiming 16 bytes in a 4-byte block: the packet parses (the block length
  // is consistent) but the element list is malformed.
  const std::vector<uint8_t> pkt = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                                    0,    2,    0xBE, 0xDE, 0x00, 0x01, 0x1F, 0x01, 0x02, 0x03};
  auto p = RtpPacketView::parse(pkt);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->find_extension(1));
}

TEST(RtpPacketView, RejectsMalformed) {
  std::vector<uint8_t> pkt = kSimple;
  EXPECT_FALSE(RtpPacketView::parse(std::span(pkt).first(11)));  // truncated fixed header
  pkt[0] = 0x40;                                                 // version 1
  EXPECT_FALSE(RtpPacketView::parse(pkt));
  pkt[0] = 0x8F;  // 15 CSRCs past the end
  EXPECT_FALSE(RtpPacketView::parse(pkt));
  pkt[0] = 0x90;  // extension header past the end (3 bytes left)
  EXPECT_FALSE(RtpPacketView::parse(pkt));
  pkt = kSimple;
  pkt[0] = 0xA0;
  pkt.back() = 4;  // padding count larger than the 3-byte payload
  EXPECT_FALSE(RtpPacketView::parse(pkt));
  pkt.back() = 0;  // zero padding count
  EXPECT_FALSE(RtpPacketView::parse(pkt));
  pkt.back() = 3;  // padding eats the whole payload: fine
  auto p = RtpPacketView::parse(pkt);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->payload().empty());
  const std::vector<uint8_t> ext_past_end = {0x90, 0x60, 0,    1,    0, 0, 0, 1, 0, 0,
                                             0,    2,    0xBE, 0xDE, 0, 2, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacketView::parse(ext_past_end));
}

TEST(RtpPacketView, ClassifierSeparatesRtcp) {
  EXPECT_TRUE(RtpPacketView::is_rtp(kSimple));
  std::vector<uint8_t> rtcp = kSimple;
  rtcp[1] = 200;  // SR
  EXPECT_FALSE(RtpPacketView::is_rtp(rtcp));
  rtcp[1] = 223;
  EXPECT_FALSE(RtpPacketView::is_rtp(rtcp));
  rtcp[1] = 224;  // marker + PT 96: RTP
  EXPECT_TRUE(RtpPacketView::is_rtp(rtcp));
  EXPECT_FALSE(RtpPacketView::is_rtp(std::span(kSimple).first(11)));
}

TEST(RtpPacketView, RandomGarbageDoesNotCrash) {
  std::mt19937 rng(1234);
  std::vector<uint8_t> buf;
  size_t parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    buf.resize(rng() % 80);
    for (auto& b : buf)
      b = static_cast<uint8_t>(rng());
    if (!buf.empty()) buf[0] = static_cast<uint8_t>(0x80 | (buf[0] & 0x3F));  // mostly V=2
    auto p = RtpPacketView::parse(buf);
    if (!p) continue;
    ++parsed;
    EXPECT_LE(p->header_size() + p->payload().size() + p->padding_size(), buf.size());
    for (uint8_t id = 0; id < 16; ++id)
      (void)p->find_extension(id);
    for (size_t c = 0; c < p->csrc_count(); ++c)
      (void)p->csrc(c);
  }
  EXPECT_GT(parsed, 100u);
}

TEST(RtpHeaderWriter, RoundTripsWithExtensions) {
  RtpHeaderWriter w({true, 102, 65535, 0xFFFFFFFF, 0xCAFEBABE});
  const uint8_t abs_send[3] = {0x12, 0x34, 0x56};
  const uint8_t twcc[2] = {0x00, 0x07};
  EXPECT_TRUE(w.add_extension(3, abs_send));
  EXPECT_TRUE(w.add_extension(5, twcc));
  EXPECT_FALSE(w.add_extension(15, twcc));  // reserved id
  EXPECT_FALSE(w.add_extension(0, twcc));
  EXPECT_EQ(w.size(), 12u + 4u + 8u);  // 4 + 3 = 7 bytes of elements, padded to 8
  std::vector<uint8_t> buf(w.size() + 2, 0xEE);
  EXPECT_EQ(w.write_to(std::span(buf).first(w.size() - 1)), 0u);
  ASSERT_EQ(w.write_to(buf), w.size());
  auto p = RtpPacketView::parse(buf);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header(), (RtpHeader{true, 102, 65535, 0xFFFFFFFF, 0xCAFEBABE}));
  auto v = p->find_extension(3);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)[2], 0x56);
  EXPECT_TRUE(p->find_extension(5));
  EXPECT_EQ(p->payload().size(), 2u);

  const uint8_t new_twcc[2] = {0x01, 0x02};
  EXPECT_TRUE(set_extension_value(buf, 5, new_twcc));
  EXPECT_FALSE(set_extension_value(buf, 3, new_twcc));  // size differs
  EXPECT_FALSE(set_extension_value(buf, 7, new_twcc));  // absent
  EXPECT_EQ((*RtpPacketView::parse(buf)->find_extension(5))[1], 0x02);
}

TEST(RtpHeaderWriter, InPlaceRewrites) {
  std::vector<uint8_t> pkt = kSimple;
  EXPECT_TRUE(set_ssrc(pkt, 0xAABBCCDD));
  EXPECT_TRUE(set_sequence_number(pkt, 7));
  EXPECT_TRUE(set_timestamp(pkt, 90000));
  EXPECT_TRUE(set_payload_type(pkt, 102));
  EXPECT_TRUE(set_marker(pkt, false));
  auto p = RtpPacketView::parse(pkt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header(), (RtpHeader{false, 102, 7, 90000, 0xAABBCCDD}));
  EXPECT_TRUE(set_marker(pkt, true));
  EXPECT_EQ(RtpPacketView::parse(pkt)->payload_type(), 102);
  EXPECT_TRUE(RtpPacketView::parse(pkt)->marker());
  EXPECT_EQ(std::vector<uint8_t>(pkt.begin() + 12, pkt.end()),
            (std::vector<uint8_t>{0xAA, 0xBB, 0xCC}));
  EXPECT_FALSE(set_ssrc(std::span(pkt).first(11), 1));
  EXPECT_FALSE(set_marker(std::span(pkt).first(3), true));
}

}  // namespace
}  // namespace webrtc::rtp
