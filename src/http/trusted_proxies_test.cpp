#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace {

using http::IpNetwork;
using http::TrustedProxies;

boost::asio::ip::address ip(const char* text) {
  return boost::asio::ip::make_address(text);
}

TEST(IpNetwork, ParsesAddressesAndNetworks) {
  EXPECT_EQ(IpNetwork::parse("10.0.0.7")->to_string(), "10.0.0.7/32");
  EXPECT_EQ(IpNetwork::parse("10.0.0.0/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(IpNetwork::parse("192.168.1.7/24")->to_string(), "192.168.1.0/24");
  EXPECT_EQ(IpNetwork::parse("::1")->to_string(), "::1/128");
  EXPECT_EQ(IpNetwork::parse("[::1]")->to_string(), "::1/128");
  EXPECT_EQ(IpNetwork::parse("2001:db8:ffff::1/32")->to_string(), "2001:db8::/32");
  EXPECT_EQ(IpNetwork::parse("0.0.0.0/0")->to_string(), "0.0.0.0/0");
  EXPECT_EQ(IpNetwork::parse("::ffff:10.1.2.3")->to_string(), "10.1.2.3/32");
  EXPECT_EQ(IpNetwork::parse("10.1.2.3/31")->to_string(), "10.1.2.2/31");
}

TEST(IpNetwork, RejectsGarbage) {
  for (const char* bad : {"",
                          " ",
                          "10.0.0.1 ",
                          " 10.0.0.1",
                          "10.0.0.0/",
                          "10.0.0.0/33",
                          "10.0.0.0/+8",
                          "10.0.0.0/-1",
                          "10.0.0.0/8/8",
                          "10.0.0.0/0008",
                          "::1/129",
                          "fe80::1%eth0",
                          "10.0.0.1:80",
                          "[10.0.0.1]",
                          "[::1]:80",
                          "[::1",
                          "localhost",
                          "abc",
                          "10.0.0",
                          "10.0.0.256",
                          "1.2.3.4.5",
                          "10.0.0.0/ 8",
                          "unknown",
                          "_proxy",
                          "*",
                          "10.0.0.0/8,10.0.0.1"}) {
    EXPECT_FALSE(IpNetwork::parse(bad)) << bad;
  }
  EXPECT_FALSE(IpNetwork::parse(std::string(65, '1')));
  EXPECT_FALSE(IpNetwork::parse(std::string("10.0.0.1\0", 9)));
}

TEST(IpNetwork, ContainsByPrefix) {
  const auto net = *IpNetwork::parse("10.1.0.0/16");
  EXPECT_TRUE(net.contains(ip("10.1.200.3")));
  EXPECT_FALSE(net.contains(ip("10.2.0.1")));
  EXPECT_TRUE(net.contains(ip("::ffff:10.1.0.9")));  // a dual-stack socket's view of it
  EXPECT_FALSE(net.contains(ip("::1")));
  const auto odd = *IpNetwork::parse("192.168.0.0/23");
  EXPECT_TRUE(odd.contains(ip("192.168.1.255")));
  EXPECT_FALSE(odd.contains(ip("192.168.2.0")));
  const auto v6 = *IpNetwork::parse("2001:db8:1::/48");
  EXPECT_TRUE(v6.contains(ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(v6.contains(ip("2001:db8:2::1")));
  EXPECT_FALSE(v6.contains(ip("10.0.0.1")));
  EXPECT_TRUE(IpNetwork::parse("0.0.0.0/0")->contains(ip("203.0.113.9")));
}

TEST(TrustedProxies, ParsesAListAndNamesTheBadEntry) {
  std::string bad;
  const auto set = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8", "::1"}, &bad);
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->contains(ip("127.0.0.1")));
  EXPECT_FALSE(set->contains(ip("127.0.0.2")));
  EXPECT_TRUE(set->contains(ip("10.9.9.9")));
  EXPECT_TRUE(set->contains(ip("::1")));
  EXPECT_FALSE(TrustedProxies::parse({"127.0.0.1", "10.0.0.0/40"}, &bad));
  EXPECT_EQ(bad, "10.0.0.0/40");
  EXPECT_FALSE(TrustedProxies::parse(std::vector<std::string>(257, "10.0.0.1"), &bad));
  EXPECT_EQ(bad, "257 entries");
  EXPECT_TRUE(TrustedProxies::parse({})->empty());
  EXPECT_FALSE(TrustedProxies{}.contains(ip("127.0.0.1")));
}

}  // namespace
