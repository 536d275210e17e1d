#include "webrtc/rtp/vp8_packetizer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/vp8_payload_descriptor.hpp"

namespace webrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// A VP8 frame as far as the packetizer looks: frame tag (RFC 6386 9.1, show_frame set, bit 0
// the inverse key frame flag), a key frame's start code and size, then filler.
Bytes vp8_frame(bool key, size_t size) {
  Bytes f(size);
  for (size_t i = 0; i < size; ++i)
    f[i] = static_cast<uint8_t>(i * 13 + 5);
  f[0] = static_cast<uint8_t>(key ? 0x10 : 0x11);
  if (key && size >= 10) {
    f[3] = 0x9d;
    f[4] = 0x01;
    f[5] = 0x2a;
  }
  return f;
}

struct Packet {
  Vp8PayloadDescriptor descriptor;
  Bytes vp8;  // after the descriptor
  bool marker;
  size_t size;
};

// Drains the frame and parses every payload back with the descriptor parser.
std::vector<Packet> drain(Vp8Packetizer& p) {
  std::vector<Packet> out;
  Bytes buf(p.max_payload_size());
  while (auto payload = p.next(buf)) {
    const std::span<const uint8_t> bytes(buf.data(), payload->size);
    auto d = Vp8PayloadDescriptor::parse(bytes);
    EXPECT_TRUE(d);
    if (!d) break;
    out.push_back(
        {*d, Bytes(bytes.begin() + d->size(), bytes.end()), payload->marker, payload->size});
  }
  EXPECT_TRUE(p.done());
  return out;
}

Bytes reassemble(const std::vector<Packet>& packets) {
  Bytes f;
  for (const Packet& p : packets)
    f.insert(f.end(), p.vp8.begin(), p.vp8.end());
  return f;
}

TEST(Vp8Packetizer, SmallKeyFrameIsOnePayloadWithStartPictureIdAndMarker) {
  const Bytes frame = vp8_frame(true, 100);
  Vp8Packetizer p(1200, 0x1234);
  ASSERT_TRUE(p.begin(frame));
  EXPECT_TRUE(p.keyframe());
  Bytes buf(1200);
  auto payload = p.next(buf);
  ASSERT_TRUE(payload);
  EXPECT_TRUE(payload->marker);
  ASSERT_EQ(payload->size, 104u);
  // X=1, S=1, PID=0 | I=1 | M=1 and the 15-bit PictureID (RFC 7741 4.2).
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 4), (Bytes{0x90, 0x80, 0x92, 0x34}));
  EXPECT_EQ(Bytes(buf.begin() + 4, buf.begin() + 104), frame);
  EXPECT_FALSE(p.next(buf));
  EXPECT_TRUE(p.done());
}

TEST(Vp8Packetizer, LargeFrameSplitsIntoEqualPayloadsWithinTheMtu) {
  const Bytes frame = vp8_frame(true, 5000);
  Vp8Packetizer p;
  ASSERT_TRUE(p.begin(frame));
  const auto packets = drain(p);
  ASSERT_EQ(packets.size(), 5u);  // ceil(5000 / 1196)
  for (size_t i = 0; i < packets.size(); ++i) {
    SCOPED_TRACE(i);
    const Packet& k = packets[i];
    EXPECT_LE(k.size, Vp8Packetizer::DefaultMaxPayloadSize);
    EXPECT_EQ(k.vp8.size(), 1000u);  // 5000 in five equal parts
    EXPECT_EQ(k.descriptor.size(), 4u);
    EXPECT_EQ(k.descriptor.start, i == 0);
    EXPECT_EQ(k.descriptor.partition_id, 0);
    EXPECT_FALSE(k.descriptor.non_reference);
    EXPECT_EQ(k.descriptor.picture_id, 0);
    EXPECT_TRUE(k.descriptor.long_picture_id);
    EXPECT_FALSE(k.descriptor.tl0_pic_idx || k.descriptor.temporal_id || k.descriptor.key_index);
    EXPECT_EQ(k.marker, i + 1 == packets.size());
  }
  EXPECT_TRUE(vp8_starts_key_frame(packets[0].descriptor, packets[0].vp8));
  EXPECT_EQ(reassemble(packets), frame);
}

TEST(Vp8Packetizer, PayloadSizesAtTheBoundary) {
  Vp8Packetizer p(100);
  for (const auto& [size, count] :
       std::vector<std::pair<size_t, size_t>>{{3, 1}, {96, 1}, {97, 2}, {192, 2}, {193, 3}}) {
    SCOPED_TRACE(size);
    const Bytes frame = vp8_frame(false, size);
    ASSERT_TRUE(p.begin(frame));
    const auto packets = drain(p);
    ASSERT_EQ(packets.size(), count);
    size_t largest = 0;
    for (const Packet& k : packets)
      largest = std::max(largest, k.size);
    EXPECT_LE(largest, 100u);
    EXPECT_EQ(reassemble(packets), frame);
    EXPECT_FALSE(vp8_starts_key_frame(packets[0].descriptor, packets[0].vp8));
  }
}

TEST(Vp8Packetizer, PictureIdGoesUpByOnePerFrameAndWrapsAt15Bits) {
  Vp8Packetizer p(1200, 0x7FFE);
  const Bytes key = vp8_frame(true, 3000);
  const Bytes delta = vp8_frame(false, 50);
  std::vector<uint16_t> ids;
  for (const Bytes* f : {&key, &delta, &delta, &delta}) {
    ASSERT_TRUE(p.begin(*f));
    for (const Packet& k : drain(p))
      EXPECT_EQ(k.descriptor.picture_id, p.picture_id());
    ids.push_back(p.picture_id());
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{0x7FFE, 0x7FFF, 0, 1}));
}

TEST(Vp8Packetizer, RefusesWhatIsNoVp8FrameWithoutTakingAPictureId) {
  Vp8Packetizer p(1200, 7);
  Bytes no_start_code = vp8_frame(true, 50);
  no_start_code[4] = 0x02;
  for (const Bytes& bad : {Bytes{}, Bytes{0x11, 0x00}, vp8_frame(true, 9), no_start_code}) {
    EXPECT_FALSE(p.begin(bad));
    EXPECT_TRUE(p.done());
    Bytes buf(1200);
    EXPECT_FALSE(p.next(buf));
  }
  ASSERT_TRUE(p.begin(vp8_frame(false, 3)));  // a tag alone is a (tiny) delta frame
  EXPECT_EQ(p.picture_id(), 7);
}

TEST(Vp8Packetizer, TooSmallOutputConsumesNothing) {
  const Bytes frame = vp8_frame(false, 2000);
  Vp8Packetizer p;
  ASSERT_TRUE(p.begin(frame));
  Bytes small(1199);
  EXPECT_FALSE(p.next(small));
  EXPECT_EQ(reassemble(drain(p)), frame);
}

}  // namespace
}  // namespace webrtc::rtp
