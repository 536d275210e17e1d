#include "rtmp/amf0.hpp"

#include <gtest/gtest.h>

#include <random>

namespace rtmp::amf0 {
namespace {

std::vector<uint8_t> enc(const Value& v) {
  std::vector<uint8_t> out;
  encode(v, out);
  return out;
}

Value sample() {
  return Value::make_object({
      {"app", Value::make_string("live")},
      {"number", Value::make_number(-1.5)},
      {"flag", Value::make_boolean(true)},
      {"nothing", Value::make_null()},
      {"undef", Value::make_undefined()},
      {"when", Value::make_date(1700000000000.0, 0)},
      {"meta", Value::make_ecma_array({{"width", Value::make_number(1920)}})},
      {"list", Value::make_strict_array({Value::make_number(1), Value::make_string("x")})},
      {"long", Value::make_string(std::string(70000, 'a'))},
  });
}

TEST(Amf0, EncodesNumberAndStringBytes) {
  EXPECT_EQ(enc(Value::make_number(1.0)),
            (std::vector<uint8_t>{0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(enc(Value::make_string("ab")), (std::vector<uint8_t>{0x02, 0x00, 0x02, 'a', 'b'}));
  EXPECT_EQ(enc(Value::make_object({})), (std::vector<uint8_t>{0x03, 0x00, 0x00, 0x09}));
  EXPECT_EQ(enc(Value::make_string(std::string(70000, 'a')))[0], 0x0c);
}

TEST(Amf0, RoundTripsEveryType) {
  const Value v = sample();
  const auto bytes = enc(v);
  Decoder d(bytes);
  auto back = d.next();
  ASSERT_TRUE(back) << d.error();
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(*back, v);
  EXPECT_EQ(back->find_string("app"), "live");
  EXPECT_EQ(back->find_number("number"), -1.5);
  EXPECT_EQ(back->find("long")->type, Marker::LongString);
  EXPECT_EQ(back->find("meta")->find_number("width"), 1920);
  EXPECT_EQ(back->find("list")->elements.size(), 2u);
  EXPECT_EQ(enc(*back), bytes);
}

TEST(Amf0, DecodesSequence) {
  std::vector<uint8_t> bytes;
  encode_string("connect", bytes);
  encode_number(1, bytes);
  encode_null(bytes);
  auto all = Decoder(bytes).all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].string, "connect");
  EXPECT_EQ((*all)[2].type, Marker::Null);
}

TEST(Amf0, ShortLongStringKeepsItsType) {
  const std::vector<uint8_t> bytes = {0x0c, 0, 0, 0, 1, 'x'};
  auto v = Decoder(bytes).next();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, Marker::LongString);
  EXPECT_EQ(enc(*v), bytes);
}

TEST(Amf0, EveryTruncationFailsCleanly) {
  const auto bytes = enc(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Decoder d(std::span<const uint8_t>(bytes).first(n));
    EXPECT_FALSE(d.next()) << "prefix " << n;
    EXPECT_FALSE(d.error().empty());
  }
}

TEST(Amf0, RejectsNestingBomb) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 100000; ++i) {  // object { "a": object { "a": ...
    bytes.insert(bytes.end(), {0x03, 0x00, 0x01, 'a'});
  }
  Decoder d(bytes);
  EXPECT_FALSE(d.next());
  EXPECT_EQ(d.error(), "AMF0 nesting deeper than 16");

  std::vector<uint8_t> arrays;
  for (int i = 0; i < 100000; ++i)
    arrays.insert(arrays.end(), {0x0a, 0, 0, 0, 1});
  Decoder d2(arrays, DecodeLimits{4, 4096, 1024});
  EXPECT_FALSE(d2.next());
  EXPECT_EQ(d2.error(), "AMF0 nesting deeper than 4");
}

TEST(Amf0, AcceptsNestingAtTheLimit) {
  Value v = Value::make_number(1);
  for (int i = 0; i < 16; ++i)
    v = Value::make_object({{"a", v}});
  const auto bytes = enc(v);
  EXPECT_TRUE(Decoder(bytes).next());
  Value deeper = Value::make_object({{"a", v}});
  const auto bytes2 = enc(deeper);
  EXPECT_FALSE(Decoder(bytes2).next());
}

TEST(Amf0, RejectsLyingCountsAndLengths) {
  // Strict array claiming 2^32-1 elements in a 5-byte input.
  const std::vector<uint8_t> array = {0x0a, 0xff, 0xff, 0xff, 0xff};
  Decoder d(array);
  EXPECT_FALSE(d.next());
  EXPECT_EQ(d.error(), "AMF0 strict array count exceeds input");
  // Long string claiming 4 GiB.
  const std::vector<uint8_t> str = {0x0c, 0xff, 0xff, 0xff, 0xff, 'a'};
  Decoder d2(str);
  EXPECT_FALSE(d2.next());
  EXPECT_EQ(d2.error(), "AMF0 string longer than limit");
  const std::vector<uint8_t> unknown = {0x11};
  Decoder d3(unknown);
  EXPECT_FALSE(d3.next());
  EXPECT_EQ(d3.error(), "AMF0 unsupported type marker 17");
  const std::vector<uint8_t> end = {0x09};
  EXPECT_FALSE(Decoder(end).next());
}

TEST(Amf0, BoundsValueCount) {
  std::vector<Value> many(5000, Value::make_null());
  const auto bytes = enc(Value::make_strict_array(many));
  Decoder d(bytes);
  EXPECT_FALSE(d.next());
  EXPECT_EQ(d.error(), "AMF0 value count exceeds 4096");
}

TEST(Amf0, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  const auto valid = enc(sample());
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> buf;
    if (i % 2 == 0) {
      buf.resize(rng() % 200);
      for (auto& b : buf)
        b = static_cast<uint8_t>(rng() % 14);  // mostly valid markers
    } else {
      buf = valid;
      for (int k = 0; k < 4; ++k)
        buf[rng() % buf.size()] = static_cast<uint8_t>(rng());
    }
    Decoder d(buf);
    auto all = d.all();
    if (!all) {
      EXPECT_FALSE(d.error().empty());
    }
  }
}

}  // namespace
}  // namespace rtmp::amf0
