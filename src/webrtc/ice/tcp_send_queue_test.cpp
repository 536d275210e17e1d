#include "webrtc/ice/tcp_send_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/ice/tcp_frame_reader.hpp"

namespace webrtc::ice {
namespace {

using namespace std::chrono_literals;
const TcpSendQueue::TimePoint T0{};

std::vector<uint8_t> bytes(size_t size, uint8_t fill) {
  return std::vector<uint8_t>(size, fill);
}

// Everything queued, as one byte string, without consuming it.
std::vector<uint8_t> queued(const TcpSendQueue& q) {
  std::vector<uint8_t> out;
  for (const auto part : q.pending())
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(TcpSendQueue, FramesWhatItQueues) {
  TcpSendQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.front().empty());
  ASSERT_TRUE(q.push(bytes(3, 7), T0));
  ASSERT_TRUE(q.push(bytes(1, 9), T0));
  EXPECT_EQ(q.bytes_queued(), 8u);
  EXPECT_EQ(queued(q), (std::vector<uint8_t>{0, 3, 7, 7, 7, 0, 1, 9}));
  EXPECT_EQ(q.front().size(), 8u);
  EXPECT_TRUE(q.pending()[1].empty());
}

TEST(TcpSendQueue, PartialWritesThenMore) {
  TcpSendQueue q;
  q.push(bytes(10, 1), T0);
  q.consume(5, T0);  // async_write_some sent half of it
  EXPECT_EQ(q.bytes_queued(), 7u);
  EXPECT_EQ(q.front()[0], 1);
  q.push(bytes(2, 2), T0);
  EXPECT_EQ(queued(q), (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 1, 0, 2, 2, 2}));
  q.consume(1000, T0);  // clamped
  EXPECT_TRUE(q.empty());
}

TEST(TcpSendQueue, DropsWholeDatagramsAtCapacity) {
  TcpSendQueue q({.capacity = 70000, .high_water = 60000});
  EXPECT_EQ(q.capacity(), 70000u);
  ASSERT_TRUE(q.push(bytes(65535, 1), T0));
  EXPECT_FALSE(q.push(bytes(4462, 2), T0));  // 65537 + 4464 > 70000
  EXPECT_TRUE(q.push(bytes(4461, 3), T0));   // exactly full
  EXPECT_EQ(q.bytes_queued(), 70000u);
  EXPECT_FALSE(q.push(bytes(1, 4), T0));
  EXPECT_EQ(q.dropped_packets(), 2u);
  EXPECT_EQ(q.dropped_bytes(), 4463u);
}

TEST(TcpSendQueue, RefusesUnframeableDatagrams) {
  TcpSendQueue q;
  EXPECT_FALSE(q.push({}, T0));
  EXPECT_FALSE(q.push(bytes(65536, 1), T0));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.dropped_packets(), 2u);
}

TEST(TcpSendQueue, CapacityHoldsAtLeastOneFullFrame) {
  TcpSendQueue q({.capacity = 10, .high_water = 100});
  EXPECT_EQ(q.capacity(), 65537u);
  EXPECT_TRUE(q.push(bytes(65535, 1), T0));
}

TEST(TcpSendQueue, WrapsAroundTheRingAndKeepsFrameOrder) {
  // Push and consume at odd sizes so frames straddle the end of the ring; a reader on the far
  // side must see every datagram intact and in order.
  TcpSendQueue q({.capacity = 65537, .high_water = 65537});
  TcpFrameReader reader({.max_frame_size = 5000, .buffer_size = 8192});
  size_t pushed = 0, received = 0, wrapped = 0;
  uint8_t next_fill = 0, expected_fill = 0;
  for (int round = 0; round < 2000; ++round) {
    const size_t size = 1 + (round * 1237) % 4999;
    if (q.push(bytes(size, next_fill), T0)) {
      ++next_fill;
      ++pushed;
    }
    if (!q.pending()[1].empty()) ++wrapped;
    // Write out an odd amount, through the pending() gather view, into the reader.
    size_t budget = 1 + (round * 7919) % 6000;
    while (budget > 0 && !q.empty()) {
      const auto part = q.front();
      const auto room = reader.writable_span();
      const size_t n = std::min({budget, part.size(), room.size()});
      std::copy_n(part.begin(), n, room.begin());
      reader.commit(n);
      q.consume(n, T0);
      budget -= n;
      while (const auto f = reader.next()) {
        ASSERT_EQ(f->front(), expected_fill);
        ASSERT_EQ(f->back(), expected_fill);
        ++expected_fill;
        ++received;
      }
    }
  }
  EXPECT_FALSE(reader.failed()) << reader.error();
  EXPECT_GT(received, 1000u);
  EXPECT_GT(wrapped, 10u);
  EXPECT_LE(received, pushed);
}

TEST(TcpSendQueue, PushDoesNotMoveBytesBeingWritten) {
  TcpSendQueue q({.capacity = 65537, .high_water = 65537});
  q.push(bytes(100, 1), T0);
  const auto in_flight = q.front();
  const uint8_t* data = in_flight.data();
  for (int i = 0; i < 200; ++i)
    q.push(bytes(300, 2), T0);  // fills up, some dropped
  EXPECT_EQ(q.front().data(), data);
  EXPECT_EQ(in_flight[2], 1);
  EXPECT_EQ(in_flight[101], 1);
}

TEST(TcpSendQueue, StalledForCountsTimeAboveHighWater) {
  TcpSendQueue q({.capacity = 100000, .high_water = 1000});
  q.push(bytes(900, 1), T0);
  EXPECT_EQ(q.stalled_for(T0 + 5s), 0s);
  q.push(bytes(200, 1), T0 + 1s);  // 1104 > 1000: crossing at 1 s
  EXPECT_EQ(q.stalled_for(T0 + 4s), 3s);
  q.push(bytes(200, 1), T0 + 2s);  // still above: the clock keeps running from 1 s
  EXPECT_EQ(q.stalled_for(T0 + 4s), 3s);
  q.consume(100, T0 + 5s);  // 1206 still above
  EXPECT_EQ(q.stalled_for(T0 + 6s), 5s);
  q.consume(300, T0 + 7s);  // 906: drained below, the stall is over
  EXPECT_EQ(q.stalled_for(T0 + 8s), 0s);
  q.push(bytes(200, 1), T0 + 9s);
  EXPECT_EQ(q.stalled_for(T0 + 10s), 1s);
  EXPECT_EQ(q.stalled_for(T0), 0s);  // a `now` before the crossing is not negative
}

}  // namespace
}  // namespace webrtc::ice
