// Rule 3 of the style guide: the per-packet path (packetize into the ring, per-viewer copy and
// rewrite, depacketize) must not allocate. Counts global operator new calls around the loop.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "webrtc/rtp/h264_depacketizer.hpp"
#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/rtp/rtp_packet_ring.hpp"
#include "webrtc/rtp/seq_timestamp_rewriter.hpp"

// GCC pairs the replaced operator new with free() across inlining and warns; the pairing is
// exactly what we intend here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace webrtc::rtp {
namespace {

TEST(ZeroAllocation, CounterSeesAllocations) {
  const size_t before = g_allocations.load();
  auto* p = new std::vector<int>(3);
  delete p;
  EXPECT_EQ(g_allocations.load() - before, 2u);  // the vector object and its buffer
}

TEST(ZeroAllocation, PacketizeFanOutAndDepacketize) {
  std::vector<uint8_t> idr(20000), slice(900), sps = {0x67, 0x42, 0xC0, 0x1F},
                                               pps = {0x68, 0xCE, 0x3C, 0x80};
  idr[0] = 0x65;
  slice[0] = 0x41;
  const NalUnit key_au[] = {idr};
  const NalUnit delta_au[] = {slice, slice};
  RtpPacketRing ring;
  H264Packetizer packetizer;
  H264Depacketizer depacketizer;
  RtpHeaderWriter writer({false, 96, 0, 0, 42});
  const uint8_t twcc[2] = {0, 0};
  ASSERT_TRUE(writer.add_extension(5, twcc));
  std::vector<SeqTimestampRewriter> viewers(4, SeqTimestampRewriter(1, 2));
  std::vector<uint8_t> scratch(ring.slot_size());
  size_t units = 0;

  const size_t before = g_allocations.load();
  for (uint32_t frame = 0; frame < 60; ++frame) {
    const bool key = frame % 30 == 0;
    if (key) {
      packetizer.begin(key_au, sps, pps);
    } else {
      packetizer.begin(delta_au);
    }
    writer.header().timestamp = frame * 3000;
    while (!packetizer.done()) {
      const uint16_t seq = writer.header().sequence_number;
      std::span<uint8_t> slot = ring.prepare(seq);
      auto payload = packetizer.next(slot.subspan(writer.size()));
      ASSERT_TRUE(payload);
      writer.header().marker = payload->marker;
      writer.write_to(slot);
      ring.commit(seq, writer.size() + payload->size);
      writer.header().sequence_number = static_cast<uint16_t>(seq + 1);

      auto stored = ring.find(seq);
      ASSERT_TRUE(stored);
      for (SeqTimestampRewriter& viewer : viewers) {
        std::copy(stored->begin(), stored->end(), scratch.begin());
        std::span<uint8_t> pkt(scratch.data(), stored->size());
        auto mapped = viewer.map(seq, frame * 3000);
        set_sequence_number(pkt, mapped.seq);
        set_timestamp(pkt, mapped.timestamp);
        set_ssrc(pkt, 0xBEEF);
        const uint8_t viewer_twcc[2] = {0, static_cast<uint8_t>(mapped.seq)};
        set_extension_value(pkt, 5, viewer_twcc);
      }
      auto view = RtpPacketView::parse(std::span<const uint8_t>(scratch.data(), stored->size()));
      ASSERT_TRUE(view);
      depacketizer.push(*view,
                        [&](const H264Depacketizer::AccessUnit& au) { units += au.complete; });
    }
  }
  const size_t allocations = g_allocations.load() - before;
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(units, 60u);
}

}  // namespace
}  // namespace webrtc::rtp
