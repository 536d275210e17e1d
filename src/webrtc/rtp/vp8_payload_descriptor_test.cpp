#include "webrtc/rtp/vp8_payload_descriptor.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace webrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(Vp8PayloadDescriptor, ParsesEveryField) {
  // X N S PID=3 | I L T K | M + PictureID 0x1abc | TL0PICIDX 0x55 | TID 2, Y, KEYIDX 17 | payload
  const Bytes in = {0xB3, 0xF0, 0x9A, 0xBC, 0x55, 0xB1, 0x42};
  auto d = Vp8PayloadDescriptor::parse(in);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->non_reference);
  EXPECT_TRUE(d->start);
  EXPECT_EQ(d->partition_id, 3);
  EXPECT_EQ(d->picture_id, 0x1ABC);
  EXPECT_TRUE(d->long_picture_id);
  EXPECT_EQ(d->tl0_pic_idx, 0x55);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_TRUE(d->layer_sync);
  EXPECT_EQ(d->key_index, 17);
  EXPECT_EQ(d->size(), 6u);
  Bytes out(6);
  ASSERT_EQ(d->write_to(out), 6u);
  EXPECT_EQ(out, Bytes(in.begin(), in.begin() + 6));
}

TEST(Vp8PayloadDescriptor, ShortFormsRoundTrip) {
  for (const Bytes& in : {Bytes{0x10, 0x00},                       // no extension
                          Bytes{0x90, 0x80, 0x05, 0x00},           // 7-bit PictureID
                          Bytes{0x80, 0x00, 0x00},                 // X with no field
                          Bytes{0x80, 0x10, 0x1F, 0x00},           // KEYIDX without TID
                          Bytes{0x90, 0x80, 0xFF, 0xFF, 0x9D}}) {  // PictureID 0x7fff
    SCOPED_TRACE(testing::PrintToString(in));
    auto d = Vp8PayloadDescriptor::parse(in);
    ASSERT_TRUE(d);
    ASSERT_LT(d->size(), in.size());
    Bytes out(Vp8PayloadDescriptor::MaxSize);
    ASSERT_EQ(d->write_to(out), d->size());
    EXPECT_EQ(Bytes(out.begin(), out.begin() + d->size()),
              Bytes(in.begin(), in.begin() + d->size()));
  }
}

TEST(Vp8PayloadDescriptor, KeyFrameOnlyAtTheStartOfPartitionZero) {
  const Bytes key = {0x10};
  const Bytes delta = {0x11};
  Vp8PayloadDescriptor d;
  d.start = true;
  EXPECT_TRUE(vp8_starts_key_frame(d, key));
  EXPECT_FALSE(vp8_starts_key_frame(d, delta));
  d.partition_id = 1;
  EXPECT_FALSE(vp8_starts_key_frame(d, key));
  d.partition_id = 0;
  d.start = false;
  EXPECT_FALSE(vp8_starts_key_frame(d, key));
}

TEST(Vp8PayloadDescriptor, MalformedIsRefused) {
  for (const Bytes& in : {
           Bytes{},                        // nothing
           Bytes{0x10},                    // descriptor without a payload
           Bytes{0x90},                    // X set, extension octet missing
           Bytes{0x90, 0x80},              // I set, PictureID missing
           Bytes{0x90, 0x80, 0x81},        // M set, second PictureID octet missing
           Bytes{0x90, 0x80, 0x81, 0x00},  // long PictureID, then no payload
           Bytes{0x90, 0x40},              // L set, TL0PICIDX missing
           Bytes{0x90, 0x20},              // T set, TID octet missing
           Bytes{0x90, 0x10, 0x00},        // K set, KEYIDX octet and no payload
       }) {
    EXPECT_FALSE(Vp8PayloadDescriptor::parse(in)) << testing::PrintToString(in);
  }
}

TEST(Vp8PayloadDescriptor, WriterRefusesOutOfRangeAndShortOutput) {
  Bytes out(Vp8PayloadDescriptor::MaxSize);
  Vp8PayloadDescriptor d;
  d.picture_id = 0x8000;
  EXPECT_EQ(d.write_to(out), 0u);
  d.picture_id = 0x80;
  d.long_picture_id = false;
  EXPECT_EQ(d.write_to(out), 0u);
  d = {};
  d.partition_id = 8;
  EXPECT_EQ(d.write_to(out), 0u);
  d = {};
  d.temporal_id = 4;
  EXPECT_EQ(d.write_to(out), 0u);
  d = {};
  d.key_index = 32;
  EXPECT_EQ(d.write_to(out), 0u);
  d = {};
  d.picture_id = 1;
  EXPECT_EQ(d.write_to(std::span<uint8_t>(out).first(3)), 0u);
  EXPECT_EQ(d.write_to(out), 4u);
}

}  // namespace
}  // namespace webrtc::rtp
