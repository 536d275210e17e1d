// Rule 3 of the style guide: the per-packet primitives of this folder (packetize into caller
// memory, per-viewer copy and header rewrite, depacketize) must not allocate. Counts operator
// new and malloc calls around the loop. The server's real per-viewer path (TrackEgress) has its
// own guard in src/webrtc/egress_zero_alloc_test.cpp.
#include "base/allocation_counter_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "webrtc/rtp/h264_depacketizer.hpp"
#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/rtp/vp8_packetizer.hpp"

namespace webrtc::rtp {
namespace {

TEST(ZeroAllocation, CounterSeesAllocations) {
  if (!base::test::CountsAllocations) GTEST_SKIP() << "ThreadSanitizer owns operator new";
  using base::test::allocations_in;
  EXPECT_EQ(allocations_in([] { delete new std::vector<int>(3); }), 2u);  // object and buffer
  if (base::test::MallocCounted) {
    EXPECT_EQ(allocations_in([] { std::free(base::test::opaque(std::malloc(8))); }), 1u);
  }
}

TEST(ZeroAllocation, PacketizeFanOutAndDepacketize) {
  constexpr size_t kSlotSize = 1232;
  constexpr size_t kSlots = 64;  // more than the largest frame's packets
  constexpr uint16_t kViewerSeqOffsets[] = {1, 999, 40000, 65535};
  std::vector<uint8_t> idr(20000), slice(900), sps = {0x67, 0x42, 0xC0, 0x1F},
                                               pps = {0x68, 0xCE, 0x3C, 0x80};
  idr[0] = 0x65;
  slice[0] = 0x41;
  const NalUnit key_au[] = {idr};
  const NalUnit delta_au[] = {slice, slice};
  // One frame's packets in fixed slots, reused frame after frame: all memory taken up front.
  std::vector<uint8_t> slots(kSlots * kSlotSize);
  std::vector<size_t> lengths(kSlots);
  H264Packetizer packetizer;
  H264Depacketizer depacketizer;
  RtpHeaderWriter writer({false, 96, 65000, 0, 42});  // the stream's sequence numbers wrap
  const uint8_t twcc[2] = {0, 0};
  ASSERT_TRUE(writer.add_extension(5, twcc));
  std::vector<uint8_t> scratch(kSlotSize);
  size_t units = 0, packets = 0, overflow = 0;

  const size_t before = base::test::allocations();
  for (uint32_t frame = 0; frame < 60; ++frame) {
    if (frame % 30 == 0) {
      packetizer.begin(key_au, sps, pps);
    } else {
      packetizer.begin(delta_au);
    }
    writer.header().timestamp = frame * 3000;
    const uint16_t first_seq = writer.header().sequence_number;
    size_t count = 0;
    for (; !packetizer.done() && count < kSlots; ++count) {
      std::span<uint8_t> slot(slots.data() + count * kSlotSize, kSlotSize);
      auto payload = packetizer.next(slot.subspan(writer.size()));
      if (!payload) break;
      writer.header().marker = payload->marker;
      writer.write_to(slot);
      lengths[count] = writer.size() + payload->size;
      ++writer.header().sequence_number;
    }
    overflow += !packetizer.done();
    // Fan-out: each viewer copies a packet into the scratch buffer and rewrites its header.
    for (size_t i = 0; i < count; ++i) {
      const std::span<const uint8_t> stored(slots.data() + i * kSlotSize, lengths[i]);
      const auto seq = static_cast<uint16_t>(first_seq + i);
      for (uint16_t offset : kViewerSeqOffsets) {
        std::copy(stored.begin(), stored.end(), scratch.begin());
        std::span<uint8_t> pkt(scratch.data(), stored.size());
        set_sequence_number(pkt, static_cast<uint16_t>(seq + offset));
        set_timestamp(pkt, frame * 3000 + offset);
        set_ssrc(pkt, 0xBEEF);
        const uint8_t viewer_twcc[2] = {0, static_cast<uint8_t>(seq + offset)};
        set_extension_value(pkt, 5, viewer_twcc);
      }
      // The last viewer's copy goes through the receiving side.
      auto view = RtpPacketView::parse(std::span<const uint8_t>(scratch.data(), stored.size()));
      if (!view) break;
      ++packets;
      depacketizer.push(*view,
                        [&](const H264Depacketizer::AccessUnit& au) { units += au.complete; });
    }
  }
  const size_t allocations = base::test::allocations() - before;
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(overflow, 0u);
  EXPECT_EQ(units, 60u);
  EXPECT_GT(packets, 60u);  // the IDRs went as FU-A fragments
  EXPECT_EQ(depacketizer.stats().lost, 0u);
}

// VP8 for browsers without H.264: packetizing a GOP allocates nothing either.
TEST(ZeroAllocation, Vp8Packetize) {
  std::vector<uint8_t> key(20000), delta(900), slot(1232);
  key[0] = 0x10;  // a key frame's tag, then the start code 9d 01 2a (RFC 6386 9.1)
  key[3] = 0x9d;
  key[4] = 0x01;
  key[5] = 0x2a;
  delta[0] = 0x11;
  Vp8Packetizer packetizer;
  size_t packets = 0;
  const size_t n = base::test::allocations_in([&] {
    for (int f = 0; f < 60; ++f) {
      packetizer.begin(f % 30 == 0 ? key : delta);
      while (packetizer.next(std::span<uint8_t>(slot).subspan(32)))
        ++packets;
    }
  });
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(packets, 2u * 17 + 58);
}

}  // namespace
}  // namespace webrtc::rtp
