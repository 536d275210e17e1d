#include "webrtc/rtp/nal_unit.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace webrtc::rtp {
namespace {

std::vector<std::vector<uint8_t>> collect_avcc(std::span<const uint8_t> in, bool* failed) {
  std::vector<std::vector<uint8_t>> out;
  AvccReader r(in);
  while (auto nal = r.next())
    out.emplace_back(nal->begin(), nal->end());
  *failed = r.failed();
  return out;
}

std::vector<std::vector<uint8_t>> collect_annexb(std::span<const uint8_t> in) {
  std::vector<std::vector<uint8_t>> out;
  AnnexBReader r(in);
  while (auto nal = r.next())
    out.emplace_back(nal->begin(), nal->end());
  return out;
}

TEST(AvccReader, SplitsLengthPrefixedUnits) {
  const std::vector<uint8_t> avcc = {0, 0, 0, 2, 0x67, 0x42, 0,   0, 0, 0,  // empty unit skipped
                                     0, 0, 0, 3, 0x65, 0x88, 0x84};
  bool failed = true;
  auto nals = collect_avcc(avcc, &failed);
  EXPECT_FALSE(failed);
  ASSERT_EQ(nals.size(), 2u);
  EXPECT_EQ(nals[0], (std::vector<uint8_t>{0x67, 0x42}));
  EXPECT_EQ(nal_unit_type(nals[1]), nal_type::IdrSlice);
}

TEST(AvccReader, StopsOnLengthPastEnd) {
  const std::vector<uint8_t> avcc = {0, 0, 0, 1, 0x09, 0, 0, 0, 9, 0x41, 0x9A};
  bool failed = false;
  auto nals = collect_avcc(avcc, &failed);
  EXPECT_TRUE(failed);
  EXPECT_EQ(nals.size(), 1u);
  const std::vector<uint8_t> short_prefix = {0, 0, 1};
  collect_avcc(short_prefix, &failed);
  EXPECT_TRUE(failed);
  const std::vector<uint8_t> huge = {0xFF, 0xFF, 0xFF, 0xFF, 0x65};
  EXPECT_TRUE(collect_avcc(huge, &failed).empty());
  EXPECT_TRUE(failed);
}

TEST(AnnexBReader, SplitsThreeAndFourByteStartCodes) {
  const std::vector<uint8_t> s = {0xFF, 0,    0,    0, 1, 0x67, 0x42, 0x00, 0x1F, 0, 0,
                                  1,    0x68, 0xCE, 0, 0, 0,    1,    0x65, 0x88, 0, 0};
  auto nals = collect_annexb(s);
  ASSERT_EQ(nals.size(), 3u);
  // The 0x00 before the 4-byte start code is a zero_byte, not part of the SPS; the SPS's own
  // 0x00 inside stays.
  EXPECT_EQ(nals[0], (std::vector<uint8_t>{0x67, 0x42, 0x00, 0x1F}));
  EXPECT_EQ(nals[1], (std::vector<uint8_t>{0x68, 0xCE}));
  EXPECT_EQ(nals[2], (std::vector<uint8_t>{0x65, 0x88}));
}

TEST(AnnexBReader, HandlesEmptyAndStartCodeOnly) {
  EXPECT_TRUE(collect_annexb({}).empty());
  const std::vector<uint8_t> only = {0, 0, 1, 0, 0, 0, 1};
  EXPECT_TRUE(collect_annexb(only).empty());
  const std::vector<uint8_t> no_code = {0x65, 0x88, 0x84};
  EXPECT_TRUE(collect_annexb(no_code).empty());
}

TEST(NalReaders, RandomGarbageStaysInBounds) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf;
  for (int i = 0; i < 3000; ++i) {
    buf.resize(rng() % 64);
    for (auto& b : buf)
      b = static_cast<uint8_t>(rng() % 4 == 0 ? 0 : rng() % 3);
    size_t total = 0;
    AnnexBReader a(buf);
    while (auto nal = a.next()) {
      EXPECT_GE(nal->data(), buf.data());
      EXPECT_LE(nal->data() + nal->size(), buf.data() + buf.size());
      total += nal->size();
    }
    EXPECT_LE(total, buf.size());
    AvccReader v(buf);
    total = 0;
    while (auto nal = v.next())
      total += nal->size() + 4;
    EXPECT_LE(total, buf.size());
  }
}

}  // namespace
}  // namespace webrtc::rtp
