#include "rtmp/chunk_reader.hpp"

#include <gtest/gtest.h>

#include <random>

namespace rtmp {
namespace {

struct Got {
  MessageType type;
  uint32_t timestamp;
  uint32_t stream_id;
  uint32_t csid;
  std::vector<uint8_t> payload;
};

struct Collector : ChunkReader::Listener {
  std::vector<Got> got;
  bool on_message(const Message& m) override {
    got.push_back({m.type, m.timestamp, m.stream_id, m.chunk_stream_id,
                   std::vector<uint8_t>(m.payload.begin(), m.payload.end())});
    return true;
  }
};

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, std::initializer_list<uint8_t> b) {
  out.insert(out.end(), b);
}
void fill(Bytes& out, size_t n, uint8_t v) {
  out.insert(out.end(), n, v);
}

// Feeds `in` in pieces of `step` bytes (0 = all at once).
bool feed(ChunkReader& r, Collector& c, const Bytes& in, size_t step = 0) {
  if (step == 0) return r.feed(in, c);
  for (size_t i = 0; i < in.size(); i += step) {
    if (!r.feed(std::span(in).subspan(i, std::min(step, in.size() - i)), c)) return false;
  }
  return true;
}

// Four messages on csid 4 using fmt 0, 1, 2 and 3 headers (spec section 5.3.2.1 style).
Bytes all_formats() {
  Bytes b;
  append(b, {0x04, 0, 0x03, 0xe8, 0, 0, 3, 8, 1, 0, 0, 0});  // fmt 0 ts 1000 len 3 audio msid 1
  fill(b, 3, 0xa1);
  append(b, {0x44, 0, 0, 20, 0, 0, 2, 9});  // fmt 1 delta 20 len 2 video
  fill(b, 2, 0xb2);
  append(b, {0x84, 0, 0, 30});  // fmt 2 delta 30
  fill(b, 2, 0xc3);
  append(b, {0xc4});  // fmt 3: new message, same delta 30
  fill(b, 2, 0xd4);
  return b;
}

TEST(ChunkReader, AllFourHeaderFormats) {
  for (size_t step : {0, 1, 2, 5}) {
    ChunkReader r;
    Collector c;
    ASSERT_TRUE(feed(r, c, all_formats(), step)) << r.error();
    ASSERT_EQ(c.got.size(), 4u);
    EXPECT_EQ(c.got[0].type, MessageType::Audio);
    EXPECT_EQ(c.got[0].timestamp, 1000u);
    EXPECT_EQ(c.got[0].stream_id, 1u);
    EXPECT_EQ(c.got[0].payload, Bytes(3, 0xa1));
    EXPECT_EQ(c.got[1].type, MessageType::Video);
    EXPECT_EQ(c.got[1].timestamp, 1020u);
    EXPECT_EQ(c.got[1].stream_id, 1u);
    EXPECT_EQ(c.got[2].timestamp, 1050u);
    EXPECT_EQ(c.got[2].payload, Bytes(2, 0xc3));
    EXPECT_EQ(c.got[3].timestamp, 1080u);
    EXPECT_EQ(c.got[3].payload, Bytes(2, 0xd4));
    EXPECT_EQ(c.got[3].csid, 4u);
  }
}

TEST(ChunkReader, TwoAndThreeByteChunkStreamIds) {
  Bytes b;
  append(b, {0x00, 100 - 64, 0, 0, 1, 0, 0, 1, 20, 0, 0, 0, 0, 0x55});    // csid 100
  append(b, {0x01, 0x00, 0x01, 0, 0, 2, 0, 0, 1, 20, 0, 0, 0, 0, 0x66});  // csid 64+256
  ChunkReader r;
  Collector c;
  ASSERT_TRUE(feed(r, c, b, 1)) << r.error();
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_EQ(c.got[0].csid, 100u);
  EXPECT_EQ(c.got[1].csid, 320u);
  EXPECT_EQ(c.got[1].timestamp, 2u);
}

TEST(ChunkReader, ExtendedTimestampRepeatedInContinuation) {
  Bytes b;  // 200-byte message at chunk size 128: one fmt 3 continuation with the ext timestamp
  append(b, {0x06, 0xff, 0xff, 0xff, 0, 0, 200, 9, 1, 0, 0, 0, 0x01, 0x00, 0x00, 0x00});
  fill(b, 128, 1);
  append(b, {0xc6, 0x01, 0x00, 0x00, 0x00});
  fill(b, 72, 2);
  append(b, {0xc6, 0x00, 0x00, 0x00, 0x10});  // fmt 3 new message: extended delta 16
  fill(b, 128, 3);
  append(b, {0xc6, 0x00, 0x00, 0x00, 0x10});
  fill(b, 72, 4);
  for (size_t step : {0, 1, 3}) {
    ChunkReader r;
    Collector c;
    ASSERT_TRUE(feed(r, c, b, step)) << r.error();
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_EQ(c.got[0].timestamp, 0x01000000u);
    EXPECT_EQ(c.got[0].payload.size(), 200u);
    EXPECT_EQ(c.got[0].payload[127], 1);
    EXPECT_EQ(c.got[0].payload[128], 2);
    EXPECT_EQ(c.got[1].timestamp, 0x01000010u);
    EXPECT_EQ(c.got[1].payload[199], 4);
  }
}

TEST(ChunkReader, ExtendedTimestampNotRepeatedIsPayload) {
  Bytes b;
  append(b, {0x06, 0xff, 0xff, 0xff, 0, 0, 200, 9, 1, 0, 0, 0, 0x01, 0x00, 0x00, 0x00});
  fill(b, 128, 1);
  append(b, {0xc6});
  fill(b, 72, 2);
  ChunkReader r;
  Collector c;
  ASSERT_TRUE(feed(r, c, b, 1)) << r.error();
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].payload, [] {
    Bytes p(128, 1);
    p.insert(p.end(), 72, 2);
    return p;
  }());
}

TEST(ChunkReader, InterleavedChunkStreams) {
  Bytes b;
  append(b, {0x04, 0, 0, 10, 0, 0, 200, 8, 1, 0, 0, 0});  // audio, 200 bytes
  fill(b, 128, 0xaa);
  append(b, {0x06, 0, 0, 20, 0, 0, 150, 9, 1, 0, 0, 0});  // video, 150 bytes
  fill(b, 128, 0xbb);
  append(b, {0xc4});
  fill(b, 72, 0xaa);
  append(b, {0xc6});
  fill(b, 22, 0xbb);
  for (size_t step : {0, 1, 7}) {
    ChunkReader r;
    Collector c;
    ASSERT_TRUE(feed(r, c, b, step)) << r.error();
    ASSERT_EQ(c.got.size(), 2u);
    EXPECT_EQ(c.got[0].type, MessageType::Audio);
    EXPECT_EQ(c.got[0].payload, Bytes(200, 0xaa));
    EXPECT_EQ(c.got[1].type, MessageType::Video);
    EXPECT_EQ(c.got[1].payload, Bytes(150, 0xbb));
  }
}

TEST(ChunkReader, SetChunkSizeAppliesToFollowingChunks) {
  Bytes b;
  append(b, {0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0x01, 0x00});  // chunk size 256
  append(b, {0x04, 0, 0, 0, 0, 1, 0x2c, 9, 1, 0, 0, 0});                 // 300 bytes
  fill(b, 256, 7);
  append(b, {0xc4});
  fill(b, 44, 8);
  ChunkReader r;
  Collector c;
  ASSERT_TRUE(feed(r, c, b, 1)) << r.error();
  EXPECT_EQ(r.chunk_size(), 256u);
  ASSERT_EQ(c.got.size(), 1u);  // Set Chunk Size itself is consumed by the reader
  EXPECT_EQ(c.got[0].payload.size(), 300u);
  EXPECT_EQ(c.got[0].payload[256], 8);
}

TEST(ChunkReader, AbortDiscardsPartialMessage) {
  Bytes b;
  append(b, {0x04, 0, 0, 0, 0, 0, 200, 8, 1, 0, 0, 0});
  fill(b, 128, 1);
  append(b, {0x02, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 4});  // Abort csid 4
  append(b, {0x44, 0, 0, 5, 0, 0, 1, 8, 0x77});                    // fresh message on csid 4
  ChunkReader r;
  Collector c;
  ASSERT_TRUE(feed(r, c, b)) << r.error();
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].payload, Bytes{0x77});
  EXPECT_EQ(c.got[0].timestamp, 5u);
}

TEST(ChunkReader, ZeroLengthMessage) {
  Bytes b;
  append(b, {0x05, 0, 0, 1, 0, 0, 0, 18, 1, 0, 0, 0, 0x45, 0, 0, 1, 0, 0, 1, 8, 9});
  ChunkReader r;
  Collector c;
  ASSERT_TRUE(feed(r, c, b, 1)) << r.error();
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_TRUE(c.got[0].payload.empty());
  EXPECT_EQ(c.got[1].payload, Bytes{9});
}

TEST(ChunkReader, RejectsHugeChunkSize) {
  Bytes b = {0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
  ChunkReader r;
  Collector c;
  EXPECT_FALSE(feed(r, c, b));
  EXPECT_EQ(r.error(), "chunk size 2147483647 exceeds limit 1048576");
  EXPECT_FALSE(r.feed(b, c));  // stays failed
}

TEST(ChunkReader, RejectsHugeMessageLength) {
  Bytes b = {0x04, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0};
  ChunkReader r({1u << 20, 1000000, 64});
  Collector c;
  EXPECT_FALSE(feed(r, c, b));
  EXPECT_EQ(r.error(), "message length 16777215 exceeds limit 1000000");
}

TEST(ChunkReader, MessageLimitCanBeRaisedLater) {
  const Bytes header = {0x04, 0, 0, 0, 0, 0, 101, 9, 1, 0, 0, 0};  // 101 bytes, one chunk
  ChunkReader r({1u << 20, 1000000, 64});
  r.set_max_message_size(100, "before publish/play");
  EXPECT_EQ(r.max_message_size(), 100u);
  Collector c;
  EXPECT_FALSE(feed(r, c, header));
  EXPECT_EQ(r.error(), "message length 101 exceeds limit 100 before publish/play");

  ChunkReader raised({1u << 20, 100, 64});
  raised.set_max_message_size(200);
  Bytes b = header;
  fill(b, 101, 7);
  Collector got;
  EXPECT_TRUE(feed(raised, got, b, 100)) << raised.error();
  ASSERT_EQ(got.got.size(), 1u);
}

TEST(ChunkReader, RejectsHeaderlessStartAndTooManyStreams) {
  {
    ChunkReader r;
    Collector c;
    EXPECT_FALSE(feed(r, c, {0x84, 0, 0, 1}));
    EXPECT_EQ(r.error(), "chunk stream 4: fmt 2 without a preceding full header");
  }
  {
    ChunkReader r({1u << 20, 1u << 20, 4});
    Collector c;
    Bytes b;
    for (uint8_t id = 3; id < 8; ++id) {
      append(b, {id, 0, 0, 0, 0, 0, 9, 8, 1, 0, 0, 0});
      fill(b, 9, 0);
    }
    EXPECT_FALSE(feed(r, c, b));
    EXPECT_EQ(r.error(), "too many chunk streams (limit 4)");
    EXPECT_EQ(c.got.size(), 4u);
  }
}

TEST(ChunkReader, BoundsPartialMessageMemory) {
  // Each of 8 streams opens a 500-byte message and sends one 128-byte chunk; the budget is
  // 2 x 500 bytes.
  ChunkReader r({1u << 20, 500, 64});
  Collector c;
  Bytes b;
  for (uint8_t id = 3; id < 11; ++id) {
    append(b, {id, 0, 0, 0, 0, 0x01, 0xf4, 9, 1, 0, 0, 0});  // 500 bytes
    fill(b, 128, 0);
  }
  EXPECT_FALSE(feed(r, c, b));
  EXPECT_EQ(r.error(), "partial messages exceed 1000 bytes");
}

TEST(ChunkReader, RandomGarbageNeverCrashes) {
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    Bytes b(rng() % 600);
    for (auto& x : b)
      x = static_cast<uint8_t>(rng());
    if (i % 3 == 0 && !b.empty()) b[0] = static_cast<uint8_t>(b[0] & 0x3f);  // fmt 0 start
    ChunkReader r({4096, 65536, 8});
    Collector c;
    if (!feed(r, c, b, 1 + rng() % 16)) {
      EXPECT_FALSE(r.error().empty());
    }
  }
}

}  // namespace
}  // namespace rtmp
