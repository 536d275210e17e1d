#include "rtmp/chunk_writer.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtmp/chunk_reader.hpp"

namespace rtmp {
namespace {

using Bytes = std::vector<uint8_t>;

struct Collector : ChunkReader::Listener {
  std::vector<std::pair<Message, Bytes>> got;
  bool on_message(const Message& m) override {
    got.emplace_back(m, Bytes(m.payload.begin(), m.payload.end()));
    return true;
  }
};

TEST(ChunkWriter, ExactBytesOfFirstAndFollowingMessage) {
  ChunkWriter w;
  Bytes out;
  const Bytes p = {1, 2, 3};
  w.write(out, 3, MessageType::CommandAmf0, 1000, 0, p);
  EXPECT_EQ(out, (Bytes{0x03, 0, 0x03, 0xe8, 0, 0, 3, 20, 0, 0, 0, 0, 1, 2, 3}));
  out.clear();
  w.write(out, 3, MessageType::CommandAmf0, 1010, 0, p);  // same length/type: fmt 2
  EXPECT_EQ(out, (Bytes{0x83, 0, 0, 10, 1, 2, 3}));
  out.clear();
  w.write(out, 3, MessageType::Audio, 1010, 0, Bytes{9});  // other type: fmt 1
  EXPECT_EQ(out, (Bytes{0x43, 0, 0, 0, 0, 0, 1, 8, 9}));
  out.clear();
  w.write(out, 3, MessageType::Audio, 5, 0, Bytes{9});  // backwards: fmt 0
  EXPECT_EQ(out[0], 0x03);
}

TEST(ChunkWriter, SplitsWithFmt3AndRepeatsExtendedTimestamp) {
  ChunkWriter w;
  Bytes out;
  const Bytes head(5, 0xee);
  const Bytes body(200, 0x11);
  w.write(out, 6, MessageType::Video, 0x01000000, 1, head, body);
  // fmt 0 (12) + ext (4) + 128 + [fmt 3 (1) + ext (4) + 77]
  ASSERT_EQ(out.size(), 12u + 4 + 128 + 1 + 4 + 77);
  EXPECT_EQ(out[1], 0xff);
  EXPECT_EQ(out[144], 0xc6);
  EXPECT_EQ(out[145], 0x01);
}

TEST(ChunkWriter, RoundTripsThroughReader) {
  std::mt19937 rng(7);
  for (uint32_t chunk : {1u, 128u, 1000u, 60000u}) {
    ChunkWriter w;
    ChunkReader r;
    Collector c;
    Bytes wire;
    if (chunk != 128) {
      const Bytes size = {uint8_t(chunk >> 24), uint8_t(chunk >> 16), uint8_t(chunk >> 8),
                          uint8_t(chunk)};
      w.write(wire, 2, MessageType::SetChunkSize, 0, 0, size);
      w.set_chunk_size(chunk);
    }
    struct Sent {
      uint32_t csid, ts, msid;
      MessageType type;
      Bytes payload;
    };
    std::vector<Sent> sent;
    const uint32_t ids[] = {3, 4, 63, 64, 319, 320, 65599};
    const uint32_t times[] = {0, 40, 40, 0xfffffe, 0xffffff, 0x1000000, 30, 0xffffffff};
    for (int i = 0; i < 60; ++i) {
      Sent s{ids[rng() % 7], times[rng() % 8], static_cast<uint32_t>(rng() % 3),
             i % 2 ? MessageType::Video : MessageType::Audio, Bytes(rng() % 3000)};
      for (auto& b : s.payload)
        b = static_cast<uint8_t>(rng());
      const size_t split = s.payload.empty() ? 0 : rng() % s.payload.size();
      w.write(wire, s.csid, s.type, s.ts, s.msid, std::span(s.payload).first(split),
              std::span(s.payload).subspan(split));
      sent.push_back(std::move(s));
    }
    for (size_t i = 0; i < wire.size();) {
      const size_t n = std::min<size_t>(1 + rng() % 700, wire.size() - i);
      ASSERT_TRUE(r.feed(std::span(wire).subspan(i, n), c)) << r.error();
      i += n;
    }
    ASSERT_EQ(c.got.size(), sent.size()) << "chunk size " << chunk;
    for (size_t i = 0; i < sent.size(); ++i) {
      EXPECT_EQ(c.got[i].first.chunk_stream_id, sent[i].csid);
      EXPECT_EQ(c.got[i].first.timestamp, sent[i].ts) << i;
      EXPECT_EQ(c.got[i].first.stream_id, sent[i].msid);
      EXPECT_EQ(c.got[i].first.type, sent[i].type);
      EXPECT_EQ(c.got[i].second, sent[i].payload);
    }
  }
}

}  // namespace
}  // namespace rtmp
