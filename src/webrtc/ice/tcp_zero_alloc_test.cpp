// ICE-TCP framing on the data path allocates nothing per packet (style guide (b) 3).
#include <gtest/gtest.h>

#include <vector>

// Counts every allocation in the test binary: only this file of the ice tests may include it.
#include "base/allocation_counter_test_support.hpp"
#include "webrtc/ice/tcp_frame_reader.hpp"
#include "webrtc/ice/tcp_send_queue.hpp"

namespace webrtc::ice {
namespace {

using namespace std::chrono_literals;
const TcpSendQueue::TimePoint T0{};

std::vector<uint8_t> bytes(size_t size, uint8_t fill) {
  return std::vector<uint8_t>(size, fill);
}

TEST(TcpSendQueue, NoAllocationPerPacket) {
  TcpSendQueue q;
  const auto datagram = bytes(1200, 5);
  const auto t = T0 + 1s;
  const size_t allocations = base::test::allocations_in([&] {
    for (int i = 0; i < 10000; ++i) {
      q.push(datagram, t);
      (void)q.pending();
      q.consume(q.front().size() / 2 + 1, t);
    }
  });
  EXPECT_EQ(allocations, 0u);
}

TEST(TcpFrameReader, NoAllocationPerFrame) {
  TcpFrameReader reader;
  std::vector<uint8_t> stream;
  for (int i = 0; i < 50; ++i) {
    const auto f = bytes(2 + 1200, static_cast<uint8_t>(i));
    stream.insert(stream.end(), f.begin(), f.end());
    stream[stream.size() - 1202] = 0x04;  // length 1200 = 0x04B0
    stream[stream.size() - 1201] = 0xB0;
  }
  size_t frames = 0;
  const size_t allocations = base::test::allocations_in([&] {
    for (int round = 0; round < 100; ++round) {
      size_t pos = 0;
      while (pos < stream.size()) {
        pos += reader.append(
            std::span(stream).subspan(pos, std::min<size_t>(1500, stream.size() - pos)));
        while (reader.next())
          ++frames;
      }
    }
  });
  EXPECT_EQ(frames, 5000u);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace webrtc::ice
