#include "webrtc/stun/transport_address.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace webrtc::stun {
namespace {

TEST(TransportAddress, ParsesAndFormatsBothFamilies) {
  const auto v4 = TransportAddress::from_ip_string("192.0.2.1", 3478);
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_ipv4());
  EXPECT_EQ(v4->ip_bytes().size(), 4u);
  EXPECT_EQ(v4->to_string(), "192.0.2.1:3478");
  EXPECT_EQ(*v4, TransportAddress::ipv4({192, 0, 2, 1}, 3478));

  const auto v6 = TransportAddress::from_ip_string("2001:DB8::1", 9);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family(), TransportAddress::Family::Ipv6);
  EXPECT_EQ(v6->ip_bytes().size(), 16u);
  EXPECT_EQ(v6->ip_string(), "2001:db8::1");
  EXPECT_EQ(v6->to_string(), "[2001:db8::1]:9");
}

TEST(TransportAddress, RejectsNonLiterals) {
  for (const char* bad :
       {"", "localhost", "abcd.local", "1.2.3", "1.2.3.256", "[::1]", "fe80::1%eth0", "1.2.3.4 ",
        "0123456789012345678901234567890123456789012345678901234567890123456789"}) {
    EXPECT_FALSE(TransportAddress::from_ip_string(bad, 1)) << bad;
  }
}

TEST(TransportAddress, EqualityAndHashIncludePortAndFamily) {
  const auto a = TransportAddress::ipv4({127, 0, 0, 1}, 1);
  const auto b = TransportAddress::ipv4({127, 0, 0, 1}, 2);
  const auto mapped = *TransportAddress::from_ip_string("::ffff:127.0.0.1", 1);
  EXPECT_NE(a, b);
  EXPECT_NE(a, mapped);
  EXPECT_EQ(mapped.unmapped(), a);
  EXPECT_EQ(a.unmapped(), a);
  const auto plain_v6 = *TransportAddress::from_ip_string("::1", 1);
  EXPECT_EQ(plain_v6.unmapped(), plain_v6);
  std::unordered_set<TransportAddress> set{a, b, mapped, a};
  EXPECT_EQ(set.size(), 3u);
}

}  // namespace
}  // namespace webrtc::stun
