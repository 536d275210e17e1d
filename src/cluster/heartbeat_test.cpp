#include "cluster/heartbeat.hpp"

#include <gtest/gtest.h>

#include <random>

namespace cluster {
namespace {

Heartbeat sample() {
  Heartbeat hb;
  hb.node_id = "sub-1.lab_A";
  hb.api_url = "http://10.0.0.5:8000";
  hb.webrtc_url = "http://203.0.113.5:18889";
  hb.capacity = 300;
  hb.viewers = 42;
  hb.egress_bps = 420'000'000;
  hb.cpu = 0.37;
  hb.version = "0.1.0";
  hb.started_ms = 1'700'000'000'123;
  return hb;
}

std::optional<Heartbeat> parse(std::string_view text) {
  std::string error;
  auto hb = Heartbeat::parse(text, error);
  EXPECT_EQ(hb.has_value(), error.empty()) << error;
  return hb;
}

// Replaces one field of the sample's JSON by a raw JSON value (or removes it).
std::string with_field(std::string_view name, std::optional<std::string_view> raw) {
  Heartbeat hb = sample();
  hb.rtmp_url = "rtmp://203.0.113.5:1935";
  auto text = hb.to_json();
  const std::string key = "\"" + std::string(name) + "\":";
  const size_t start = text.find(key);
  EXPECT_NE(start, std::string::npos) << name;
  size_t end = start + key.size();
  int depth = 0;
  bool in_string = false;
  for (; end < text.size(); ++end) {
    const char c = text[end];
    if (in_string) {
      if (c == '\\')
        ++end;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if ((c == ',' || c == '}') && depth == 0) {
      break;
    }
  }
  if (raw) return text.replace(start + key.size(), end - start - key.size(), *raw);
  const bool comma_after = text[end] == ',';
  return text.erase(comma_after ? start : start - 1, end - start + 1);
}

TEST(Heartbeat, RoundTrips) {
  const Heartbeat hb = sample();
  const auto back = parse(hb.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, hb);
  EXPECT_EQ(hb.to_json().find("rtmp_url"), std::string::npos);

  Heartbeat with_rtmp = sample();
  with_rtmp.rtmp_url = "rtmp://203.0.113.5:1935";
  with_rtmp.api_url = "https://[2001:db8::5]:8443";
  with_rtmp.cpu = 1;
  const auto back2 = parse(with_rtmp.to_json());
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, with_rtmp);
}

TEST(Heartbeat, IgnoresUnknownFieldsAndAcceptsNullRtmp) {
  auto text = sample().to_json();
  text.insert(1, R"("future":{"x":[1,2,3]},"rtmp_url":null,)");
  const auto hb = parse(text);
  ASSERT_TRUE(hb);
  EXPECT_EQ(*hb, sample());
}

TEST(Heartbeat, EveryFieldIsRequiredExceptRtmp) {
  EXPECT_TRUE(parse(with_field("rtmp_url", std::nullopt)));
  for (const char* name : {"node_id", "role", "api_url", "webrtc_url", "capacity", "viewers",
                           "egress_bps", "cpu", "version", "started_ms"}) {
    EXPECT_FALSE(parse(with_field(name, std::nullopt))) << name;
    EXPECT_FALSE(parse(with_field(name, "[]"))) << name;
    EXPECT_FALSE(parse(with_field(name, "null"))) << name;
  }
}

TEST(Heartbeat, FieldBounds) {
  struct Case {
    const char* field;
    const char* raw;
    bool ok;
  };
  const std::string id64 = "\"" + std::string(64, 'a') + "\"";
  const std::string id65 = "\"" + std::string(65, 'a') + "\"";
  const std::string url256 = "\"http://" + std::string(256 - 7, 'h') + "\"";
  const std::string url257 = "\"http://" + std::string(257 - 7, 'h') + "\"";
  const Case cases[] = {
      {"node_id", "\"\"", false},
      {"node_id", id64.c_str(), true},
      {"node_id", id65.c_str(), false},
      {"node_id", "\"sub 1\"", false},
      {"node_id", "\"sub/1\"", false},
      {"node_id", "\"s\\u00e9b\"", false},
      {"node_id", "7", false},
      {"role", "\"main\"", true},
      {"role", "\"boss\"", false},
      {"api_url", "\"https://sub.example.org\"", true},
      {"api_url", url256.c_str(), true},
      {"api_url", url257.c_str(), false},
      {"api_url", "\"http://10.0.0.5:8000/\"", false},
      {"api_url", "\"http://10.0.0.5:8000/api\"", false},
      {"api_url", "\"http://10.0.0.5:8000?x=1\"", false},
      {"api_url", "\"http://user@10.0.0.5\"", false},
      {"api_url", "\"http://10.0.0.5:0\"", false},
      {"api_url", "\"http://10.0.0.5:65535\"", true},
      {"api_url", "\"http://10.0.0.5:65536\"", false},
      {"api_url", "\"http://10.0.0.5:08000\"", false},
      {"api_url", "\"http://10.0.0.5:\"", false},
      {"api_url", "\"http://\"", false},
      {"api_url", "\"ftp://10.0.0.5\"", false},
      {"api_url", "\"http://[::1]\"", true},
      {"api_url", "\"http://[zz::1]:80\"", false},
      {"api_url", "\"http://-bad.example\"", false},
      {"webrtc_url", "\"10.0.0.5:8889\"", false},
      {"rtmp_url", "\"rtmps://x.example:443\"", true},
      {"rtmp_url", "\"http://x.example\"", false},
      {"capacity", "0", false},
      {"capacity", "1", true},
      {"capacity", "1000000", true},
      {"capacity", "1000001", false},
      {"capacity", "-5", false},
      {"capacity", "10.5", false},
      {"capacity", "\"300\"", false},
      {"capacity", "true", false},
      {"viewers", "0", true},
      {"viewers", "-1", false},
      {"viewers", "10000000", true},
      {"viewers", "10000001", false},
      {"egress_bps", "1000000000000", true},
      {"egress_bps", "1000000000001", false},
      {"egress_bps", "18446744073709551615", false},
      {"cpu", "0", true},
      {"cpu", "1", true},
      {"cpu", "1.0000001", false},
      {"cpu", "-0.1", false},
      {"cpu", "\"0.5\"", false},
      {"version", "\"\"", false},
      {"version", "\"v\\n1\"", false},
      {"started_ms", "0", true},
      {"started_ms", "1125899906842624", true},
      {"started_ms", "1125899906842625", false},
      {"started_ms", "-1", false},
  };
  for (const auto& c : cases) {
    const std::string text = with_field(c.field, c.raw);
    EXPECT_EQ(parse(text).has_value(), c.ok) << c.field << " = " << c.raw << " in " << text;
  }
}

TEST(Heartbeat, ValidateMatchesParse) {
  Heartbeat hb = sample();
  EXPECT_EQ(hb.validate(), "");
  hb.cpu = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(hb.validate(), "");
  hb = sample();
  hb.capacity = 0;
  EXPECT_NE(hb.validate(), "");
  // Invalid UTF-8 built in code must not throw out of to_json().
  hb = sample();
  hb.version = "\xff\xfe";
  EXPECT_NE(hb.validate(), "");
  EXPECT_NO_THROW((void)hb.to_json());
}

TEST(Heartbeat, RefusesOversizedAndNonObjects) {
  auto text = sample().to_json();
  text.insert(1, "\"pad\":\"" + std::string(Heartbeat::MaxBodySize, 'x') + "\",");
  EXPECT_FALSE(parse(text));
  for (std::string_view bad : {"", "null", "[]", "42", "\"x\"", "{", "{}", "{\"node_id\":}",
                               "{\"capacity\":1e400}", "{\"capacity\":-1e400}"})
    EXPECT_FALSE(parse(bad)) << bad;
  // Huge numbers inside an otherwise valid report.
  EXPECT_FALSE(parse(with_field("viewers", "1e400")));
  EXPECT_FALSE(parse(with_field("viewers", "123456789012345678901234567890")));
  (void)parse(with_field("cpu", "1e-400000"));  // underflow: either answer, but no crash
}

TEST(Heartbeat, DeepNestingDoesNotCrash) {
  const std::string deep = std::string(8000, '[') + std::string(8000, ']');
  EXPECT_FALSE(parse(deep));
  std::string nested = sample().to_json();
  nested.insert(1, "\"x\":" + std::string(5000, '[') + std::string(5000, ']') + ",");
  EXPECT_TRUE(parse(nested));  // unknown field, ignored, within 16 KiB
  std::string objects;
  for (int i = 0; i < 2000; ++i)
    objects += "{\"a\":";
  EXPECT_FALSE(parse(objects));
}

TEST(Heartbeat, RandomGarbageDoesNotCrash) {
  std::mt19937 rng(20240607);
  const std::string valid = sample().to_json();
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string buf;
    if (i % 2 == 0) {
      buf.resize(rng() % 512);
      for (auto& c : buf)
        c = static_cast<char>(rng());
    } else {
      // Mutate a valid report: most mutations break it, a few keep it valid.
      buf = valid;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
        buf[rng() % buf.size()] = static_cast<char>(rng());
    }
    std::string error;
    const auto hb = Heartbeat::parse(buf, error);
    if (hb) {
      ++accepted;
      EXPECT_EQ(hb->validate(), "");
    } else {
      EXPECT_FALSE(error.empty());
    }
  }
  EXPECT_LT(accepted, 2500);
}

}  // namespace
}  // namespace cluster
