#include "whep_client/whep_url.hpp"

#include <gtest/gtest.h>

#include <random>

namespace tools::whep_client {
namespace {

HttpUrl url(std::string_view s) {
  UrlResult r = parse_http_url(s);
  EXPECT_TRUE(r.url) << s << ": " << r.error;
  return r.url.value_or(HttpUrl{});
}

TEST(WhepUrl, ParsesTheUrlsWeUse) {
  HttpUrl u = url("http://127.0.0.1:8889/live/stream/whep?jwt=abc.def");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8889);
  EXPECT_EQ(u.target, "/live/stream/whep?jwt=abc.def");
  EXPECT_EQ(u.host_header(), "127.0.0.1:8889");
  u = url("HTTP://localhost");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/");
  u = url("http://[::1]:9000/w#frag");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.target, "/w");
  EXPECT_EQ(u.to_string(), "http://[::1]:9000/w");
  EXPECT_EQ(url("http://h?x=1").target, "/?x=1");
}

TEST(WhepUrl, RejectsWhatWeCannotUse) {
  for (const char* bad : {"", "ftp://x/", "https://x/", "http://", "http://:80/", "http://h:0/",
                          "http://h:65536/", "http://h:/", "http://h:8a/", "http://[::1/",
                          "http://[::1]x/", "http://u@h/", "http://h/a b", "http://h/\x01"}) {
    UrlResult r = parse_http_url(bad);
    EXPECT_FALSE(r.url) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
  }
  EXPECT_FALSE(parse_http_url("http://h/" + std::string(5000, 'a')).url);
}

TEST(WhepUrl, ResolvesLocationForms) {
  const HttpUrl base = url("http://127.0.0.1:8889/live/stream/whep?jwt=t");
  EXPECT_EQ(resolve_location(base, "/whep/session/abc").url->to_string(),
            "http://127.0.0.1:8889/whep/session/abc");
  EXPECT_EQ(resolve_location(base, "session/abc").url->to_string(),
            "http://127.0.0.1:8889/live/stream/session/abc");
  EXPECT_EQ(resolve_location(base, "http://10.0.0.2:9000/s/1").url->to_string(),
            "http://10.0.0.2:9000/s/1");
  EXPECT_FALSE(resolve_location(base, "").url);
  EXPECT_FALSE(resolve_location(base, "//evil/x").url);
  EXPECT_FALSE(resolve_location(base, "/a\r\nX-Injected: 1").url);
}

TEST(WhepUrl, RandomInputNeverCrashes) {
  std::mt19937 rng(5);
  const HttpUrl base = url("http://h/a/b");
  for (int i = 0; i < 3000; ++i) {
    std::string s = i % 2 ? "http://" : "";
    const size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k)
      s += static_cast<char>(rng());
    UrlResult a = parse_http_url(s);
    EXPECT_EQ(a.url.has_value(), a.error.empty());
    UrlResult b = resolve_location(base, s);
    EXPECT_EQ(b.url.has_value(), b.error.empty());
  }
}

}  // namespace
}  // namespace tools::whep_client
