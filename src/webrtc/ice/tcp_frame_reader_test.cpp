#include "webrtc/ice/tcp_frame_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "webrtc/ice/tcp_frame_writer.hpp"

namespace webrtc::ice {
namespace {

std::vector<uint8_t> frame(size_t size, uint8_t fill) {
  std::vector<uint8_t> out(TcpFrameHeaderSize + size);
  const std::vector<uint8_t> body(size, fill);
  EXPECT_EQ(write_tcp_frame(body, out), out.size());
  return out;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Feeds `bytes` in chunks of `chunk` through writable_span()/commit(), draining after each,
// and returns each frame's size and first byte.
std::vector<std::pair<size_t, uint8_t>> read_all(TcpFrameReader& reader,
                                                 std::span<const uint8_t> bytes, size_t chunk) {
  std::vector<std::pair<size_t, uint8_t>> out;
  size_t pos = 0;
  while (pos < bytes.size() && !reader.failed()) {
    const auto room = reader.writable_span();
    EXPECT_FALSE(room.empty());
    const size_t n = std::min({chunk, room.size(), bytes.size() - pos});
    std::memcpy(room.data(), bytes.data() + pos, n);
    reader.commit(n);
    pos += n;
    while (const auto f = reader.next())
      out.emplace_back(f->size(), f->front());
  }
  return out;
}

TEST(TcpFrameReader, ReadsOneFrame) {
  TcpFrameReader reader;
  const auto bytes = frame(100, 0xAB);
  EXPECT_EQ(reader.append(bytes), bytes.size());
  const auto f = reader.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 100u);
  EXPECT_EQ((*f)[99], 0xAB);
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_EQ(reader.frames(), 1u);
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(reader.error(), "");
}

TEST(TcpFrameReader, ByteAtATimeDelivery) {
  TcpFrameReader reader;
  const auto bytes = concat({frame(1, 1), frame(300, 2), frame(4096, 3), frame(20, 4)});
  const auto got = read_all(reader, bytes, 1);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], std::make_pair(size_t{1}, uint8_t{1}));
  EXPECT_EQ(got[1], std::make_pair(size_t{300}, uint8_t{2}));
  EXPECT_EQ(got[2], std::make_pair(size_t{4096}, uint8_t{3}));
  EXPECT_EQ(got[3], std::make_pair(size_t{20}, uint8_t{4}));
  EXPECT_FALSE(reader.failed());
}

TEST(TcpFrameReader, ManyFramesInOneRead) {
  TcpFrameReader reader;
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 100; ++i) {
    const auto f = frame(50 + i, static_cast<uint8_t>(i));
    bytes.insert(bytes.end(), f.begin(), f.end());
  }
  // 100 frames of 52..151 bytes exceed the 16 KiB buffer: the reader takes what fits and the
  // rest follows after draining, as with a real socket.
  const auto got = read_all(reader, bytes, bytes.size());
  ASSERT_EQ(got.size(), 100u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, 50 + i);
    EXPECT_EQ(got[i].second, i);
  }
}

TEST(TcpFrameReader, OddChunkSizesGiveTheSameFrames) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 40; ++i) {
    const auto f = frame(1 + (i * 397) % 4096, static_cast<uint8_t>(i));
    bytes.insert(bytes.end(), f.begin(), f.end());
  }
  TcpFrameReader whole;
  const auto expected = read_all(whole, bytes, bytes.size());
  ASSERT_EQ(expected.size(), 40u);
  for (size_t chunk : {2u, 3u, 7u, 1000u, 1499u, 4098u, 9000u}) {
    TcpFrameReader reader;
    EXPECT_EQ(read_all(reader, bytes, chunk), expected) << "chunk " << chunk;
  }
}

TEST(TcpFrameReader, PartialHeaderAtTheEndWaits) {
  TcpFrameReader reader;
  auto bytes = concat({frame(10, 7), frame(10, 8)});
  reader.append(std::span(bytes).first(12 + 1));  // one frame and one byte of the next header
  ASSERT_TRUE(reader.next());
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(reader.buffered(), 1u);
  ASSERT_EQ(reader.unread().size(), 1u);
  EXPECT_EQ(reader.unread().front(), 0);  // the high byte of the next frame's length
  reader.append(std::span(bytes).subspan(13));
  const auto f = reader.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 10u);
  EXPECT_EQ(f->front(), 8);
}

TEST(TcpFrameReader, PartialBodyWaits) {
  TcpFrameReader reader;
  const auto bytes = frame(1000, 9);
  reader.append(std::span(bytes).first(500));
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.failed());
  reader.append(std::span(bytes).subspan(500));
  ASSERT_TRUE(reader.next());
}

TEST(TcpFrameReader, OversizeFrameFailsForGood) {
  TcpFrameReader reader;
  const std::vector<uint8_t> header{0x23, 0x28};  // 9000
  reader.append(header);
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.failure(), TcpFrameReader::Failure::Oversize);
  EXPECT_EQ(reader.error(), "TCP frame of 9000 bytes over the 4096-byte bound");
  // Failed stays failed: no more room, no more frames, even for valid bytes.
  EXPECT_TRUE(reader.writable_span().empty());
  EXPECT_EQ(reader.append(frame(10, 1)), 0u);
  EXPECT_FALSE(reader.next());
}

TEST(TcpFrameReader, OneOverTheBoundFails) {
  TcpFrameReader reader;
  reader.append(std::vector<uint8_t>{0x10, 0x01});  // 4097
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.failure(), TcpFrameReader::Failure::Oversize);
}

TEST(TcpFrameReader, OversizeAfterGoodFramesKeepsTheGoodOnes) {
  TcpFrameReader reader;
  reader.append(concat({frame(5, 1), {0xFF, 0xFF}}));
  EXPECT_TRUE(reader.next());
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.error(), "TCP frame of 65535 bytes over the 4096-byte bound");
}

TEST(TcpFrameReader, ZeroLengthFrameFails) {
  TcpFrameReader reader;
  reader.append(concat({frame(5, 1), {0x00, 0x00}, frame(5, 2)}));
  EXPECT_TRUE(reader.next());
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.failure(), TcpFrameReader::Failure::ZeroLength);
  EXPECT_EQ(reader.error(), "zero-length TCP frame");
  EXPECT_FALSE(reader.next());
}

TEST(TcpFrameReader, CustomBoundAndTinyBuffer) {
  // buffer_size below one frame is raised to hold one, so a frame at the bound still passes.
  TcpFrameReader reader({.max_frame_size = 100, .buffer_size = 1});
  const auto bytes = concat({frame(100, 1), frame(100, 2), frame(1, 3)});
  const auto got = read_all(reader, bytes, 64);
  ASSERT_EQ(got.size(), 3u);
  reader.append(frame(101, 4));
  EXPECT_FALSE(reader.next());
  EXPECT_EQ(reader.error(), "TCP frame of 101 bytes over the 100-byte bound");
}

TEST(TcpFrameReader, LimitsAreClamped) {
  EXPECT_EQ(TcpFrameReader({.max_frame_size = 0}).max_frame_size(), 1u);
  EXPECT_EQ(TcpFrameReader({.max_frame_size = 100000}).max_frame_size(), 65535u);
  TcpFrameReader largest({.max_frame_size = 65535, .buffer_size = 0});
  EXPECT_EQ(largest.writable_span().size(), 65537u);
}

TEST(TcpFrameReader, CommitIsClampedToTheWritableSpan) {
  TcpFrameReader reader({.max_frame_size = 10, .buffer_size = 12});
  reader.commit(1000);
  EXPECT_EQ(reader.buffered(), 12u);
}

TEST(TcpFrameReader, AppendTakesOnlyWhatFits) {
  TcpFrameReader reader({.max_frame_size = 10, .buffer_size = 12});
  const auto bytes = concat({frame(10, 1), frame(10, 2)});
  EXPECT_EQ(reader.append(bytes), 12u);
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.append(std::span(bytes).subspan(12)), 12u);
  ASSERT_TRUE(reader.next());
}

}  // namespace
}  // namespace webrtc::ice
