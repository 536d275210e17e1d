#include "http/forwarded_for.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using http::ForwardedIssue;

boost::asio::ip::address ip(const char* text) {
  return boost::asio::ip::make_address(text);
}

const http::TrustedProxies& proxies() {
  static const auto set = *http::TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8", "::1"});
  return set;
}

// The client seen through the proxy 127.0.0.1 with these X-Forwarded-For lines.
std::string client(std::vector<std::string_view> xff, std::vector<std::string_view> fwd = {},
                   const char* peer = "127.0.0.1") {
  return http::forwarded_client(ip(peer), xff, fwd, proxies()).address.to_string();
}

TEST(ForwardedFor, UntrustedPeerIsTheClientWhateverItSends) {
  EXPECT_EQ(client({"10.1.2.3"}, {}, "203.0.113.5"), "203.0.113.5");
  const auto none =
      http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{"10.1.2.3"}, {}, {});
  EXPECT_EQ(none.address.to_string(), "127.0.0.1");  // empty trusted set: never believed
  EXPECT_FALSE(none.via_proxy);
}

TEST(ForwardedFor, RightMostUntrustedIsTheClient) {
  EXPECT_EQ(client({"198.51.100.7"}), "198.51.100.7");
  // The client forged the first entry; the proxy appended what it saw.
  EXPECT_EQ(client({"10.1.2.3, 198.51.100.7"}), "198.51.100.7");
  EXPECT_EQ(client({"6.6.6.6, 198.51.100.7"}), "198.51.100.7");
  // Two proxies of ours (10.0.0.0/8) in a chain are skipped.
  EXPECT_EQ(client({"198.51.100.7, 10.0.0.2, 10.0.0.3"}), "198.51.100.7");
  // Several header lines are one list, in order.
  EXPECT_EQ(client({"6.6.6.6", "198.51.100.7, 10.0.0.2"}), "198.51.100.7");
  const auto c = http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{"1.2.3.4"},
                                        {}, proxies());
  EXPECT_TRUE(c.via_proxy);
  EXPECT_EQ(c.issue, ForwardedIssue::None);
}

TEST(ForwardedFor, AllTrustedGivesTheLeftMost) {
  EXPECT_EQ(client({"10.0.0.9, 10.0.0.2"}), "10.0.0.9");
  EXPECT_EQ(client({"127.0.0.1"}), "127.0.0.1");
}

TEST(ForwardedFor, PortsBracketsAndIpv6) {
  EXPECT_EQ(client({"198.51.100.7:4711"}), "198.51.100.7");
  EXPECT_EQ(client({"2001:db8::7"}), "2001:db8::7");
  EXPECT_EQ(client({"[2001:db8::7]"}), "2001:db8::7");
  EXPECT_EQ(client({"[2001:db8::7]:443"}), "2001:db8::7");
  EXPECT_EQ(client({"::ffff:198.51.100.7"}), "198.51.100.7");
  EXPECT_EQ(client({"198.51.100.7"}, {}, "::1"), "198.51.100.7");
  EXPECT_EQ(client({"198.51.100.7"}, {}, "::ffff:127.0.0.1"), "198.51.100.7");
}

TEST(ForwardedFor, SpacesAndEmptyElements) {
  EXPECT_EQ(client({"  198.51.100.7 \t"}), "198.51.100.7");
  EXPECT_EQ(client({"198.51.100.7,,, "}), "198.51.100.7");
  EXPECT_EQ(client({""}), "127.0.0.1");
  EXPECT_EQ(client({" , "}), "127.0.0.1");
  EXPECT_EQ(client({}), "127.0.0.1");
}

TEST(ForwardedFor, GarbageStopsTheWalkAtTheNearestGoodAddress) {
  // Right-most is garbage: nothing believed, the peer stands.
  for (const char* bad : {"unknown", "_hidden", "host.example", "1.2.3.4 5.6.7.8", "1.2.3.4:x",
                          "1.2.3.4:123456", "[1.2.3.4]", "[::1", "::1]", "fe80::1%eth0",
                          "999.1.1.1", "1.2.3", "[2001:db8::1]x", "\"1.2.3.4\"", "1.2.3.4;"}) {
    const auto c =
        http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{bad}, {}, proxies());
    EXPECT_EQ(c.address.to_string(), "127.0.0.1") << bad;
    EXPECT_FALSE(c.via_proxy) << bad;
  }
  // Garbage left of a trusted hop: that hop (the nearest proxy) is the best we know.
  EXPECT_EQ(client({"unknown, 10.0.0.2"}), "10.0.0.2");
  // Garbage left of the client changes nothing.
  EXPECT_EQ(client({"_x, 198.51.100.7"}), "198.51.100.7");
}

TEST(ForwardedFor, TooLongOrTooManyIsIgnored) {
  std::string many;
  for (int i = 0; i < 33; ++i)
    many += (i ? "," : "") + std::string("10.0.0.1");
  auto c =
      http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{many}, {}, proxies());
  EXPECT_EQ(c.address.to_string(), "127.0.0.1");
  EXPECT_EQ(c.issue, ForwardedIssue::TooMany);
  const std::string commas(40, ',');
  c = http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{commas, "1.2.3.4"}, {},
                             proxies());
  EXPECT_EQ(c.issue, ForwardedIssue::TooMany);
  const std::string spaces(1100, ' ');
  c = http::forwarded_client(ip("127.0.0.1"), std::vector<std::string_view>{spaces, "1.2.3.4"}, {},
                             proxies());
  EXPECT_EQ(c.address.to_string(), "127.0.0.1");
  EXPECT_EQ(c.issue, ForwardedIssue::TooLong);
  std::vector<std::string_view> lines(32, "10.0.0.1");
  lines.push_back("1.2.3.4");
  EXPECT_EQ(http::forwarded_client(ip("127.0.0.1"), lines, {}, proxies()).issue,
            ForwardedIssue::TooMany);
  lines.pop_back();
  EXPECT_EQ(http::forwarded_client(ip("127.0.0.1"), lines, {}, proxies()).issue,
            ForwardedIssue::None);
}

TEST(ForwardedFor, Rfc7239ForwardedWhenNoXForwardedFor) {
  EXPECT_EQ(client({}, {"for=198.51.100.7;proto=https"}), "198.51.100.7");
  EXPECT_EQ(client({}, {"For=\"[2001:db8::7]:4711\""}), "2001:db8::7");
  EXPECT_EQ(client({}, {"for=6.6.6.6, for=198.51.100.7;by=10.0.0.2", "for=10.0.0.3"}),
            "198.51.100.7");
  EXPECT_EQ(client({}, {"proto=https;for=198.51.100.7"}), "198.51.100.7");
  // Obfuscated, unknown, no for=, escapes: not simple, the peer stands.
  for (const char* bad : {"for=unknown", "for=_hidden", "proto=https", "for=\"1.2.3.4\\\"\"",
                          "for=", "for=\"[2001:db8::7]\":1"}) {
    EXPECT_EQ(client({}, {bad}), "127.0.0.1") << bad;
  }
  // X-Forwarded-For wins: it is what nginx and Caddy set.
  EXPECT_EQ(client({"198.51.100.8"}, {"for=198.51.100.7"}), "198.51.100.8");
}

TEST(ForwardedFor, RandomBytesNeverCrashAndNeverLeaveTheBounds) {
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789abcdef.:[], \t;=\"_fFoOrR%";
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 120, ' ');
    for (auto& ch : text)
      ch = (rng() % 8 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    const std::vector<std::string_view> lines{text};
    const auto c = http::forwarded_client(ip("127.0.0.1"), lines, lines, proxies());
    if (!c.via_proxy) {
      EXPECT_EQ(c.address.to_string(), "127.0.0.1");
    } else {
      EXPECT_EQ(c.issue, ForwardedIssue::None);
    }
  }
}

}  // namespace
