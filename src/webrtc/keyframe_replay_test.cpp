#include "webrtc/keyframe_replay.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace std::chrono_literals;
using webrtc::KeyframeReplay;
using webrtc::PacketizedFrame;
using webrtc::PacketizedFramePtr;

const auto T0 = std::chrono::steady_clock::time_point{} + 1h;

PacketizedFramePtr frame(bool key, size_t packets, uint16_t first_seq) {
  auto f = std::make_shared<PacketizedFrame>();
  f->keyframe = key;
  f->first_seq = first_seq;
  f->lengths.assign(packets, 1000);
  f->slots.resize(packets * PacketizedFrame::SlotSize);
  return f;
}

size_t drain(KeyframeReplay& r, std::chrono::steady_clock::time_point now,
             std::vector<uint16_t>* seqs = nullptr) {
  size_t n = 0;
  while (auto c = r.next(now)) {
    for (size_t i = c->first; i < c->end; ++i) {
      if (seqs) seqs->push_back(static_cast<uint16_t>(c->frame->first_seq + i));
    }
    n += c->end - c->first;
  }
  return n;
}

TEST(KeyframeReplay, PacesAtTheMultipleOfTheStreamBitrate) {
  KeyframeReplay r({.rate_multiple = 2.0, .min_bps = 0, .max_bps = 1'000'000'000});
  std::vector<PacketizedFramePtr> gop{frame(true, 100, 0), frame(false, 100, 100)};
  r.start(gop, 4'000'000, T0);  // paced at 8 Mbit/s = 1000 bytes per ms
  EXPECT_EQ(r.rate_bps(), 8'000'000u);
  const size_t burst = drain(r, T0);
  EXPECT_GE(burst, 2u);
  EXPECT_LE(burst, 7u);  // 5 ms of bucket at most
  size_t total = burst;
  for (int ms = 1; ms <= 100; ++ms)
    total += drain(r, T0 + std::chrono::milliseconds(ms));
  // 100 ms at 1000 bytes/ms: about 100 packets of 1000 bytes, never a burst of the GOP.
  EXPECT_GE(total, 95u);
  EXPECT_LE(total, 110u);
  EXPECT_TRUE(r.active());
  ASSERT_TRUE(r.next_due());
  for (int ms = 101; ms <= 300; ++ms)
    drain(r, T0 + std::chrono::milliseconds(ms));
  EXPECT_FALSE(r.active());
  EXPECT_FALSE(r.next_due());
}

TEST(KeyframeReplay, LiveFramesQueueBehindInOrderAndANewKeyframeCutsItShort) {
  KeyframeReplay r({.rate_multiple = 1.0, .min_bps = 800'000, .max_bps = 800'000});
  r.start(std::vector<PacketizedFramePtr>{frame(true, 10, 0), frame(false, 10, 10)}, 0, T0);
  std::vector<uint16_t> seqs;
  drain(r, T0, &seqs);  // part of the keyframe
  ASSERT_FALSE(seqs.empty());
  ASSERT_LT(seqs.size(), 10u);
  r.push(frame(false, 5, 20));
  r.push(frame(true, 5, 25));  // decodable from here: the rest of the old GOP is skipped
  for (int ms = 1; ms <= 1000; ++ms)
    drain(r, T0 + std::chrono::milliseconds(ms), &seqs);
  EXPECT_FALSE(r.active());
  // The keyframe begun is finished (0..9), then the new keyframe (25..29); 10..24 skipped.
  std::vector<uint16_t> want;
  for (uint16_t s = 0; s < 10; ++s)
    want.push_back(s);
  for (uint16_t s = 25; s < 30; ++s)
    want.push_back(s);
  EXPECT_EQ(seqs, want);
  r.push(frame(false, 3, 30));  // not replaying: nothing is queued
  EXPECT_FALSE(r.active());
}

TEST(KeyframeReplay, RateIsBoundedAndEmptyInputIsNoReplay) {
  KeyframeReplay r({.rate_multiple = 2.0, .min_bps = 1'000'000, .max_bps = 5'000'000});
  r.start(std::vector<PacketizedFramePtr>{frame(true, 1, 0)}, 100, T0);
  EXPECT_EQ(r.rate_bps(), 1'000'000u);
  r.start(std::vector<PacketizedFramePtr>{frame(true, 1, 0)}, 100'000'000, T0);
  EXPECT_EQ(r.rate_bps(), 5'000'000u);
  r.start(std::vector<PacketizedFramePtr>{nullptr, frame(true, 0, 0)}, 1, T0);
  EXPECT_FALSE(r.active());
  EXPECT_FALSE(r.next(T0));
}

}  // namespace
