#include "webrtc/ice/ice_candidate.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace webrtc::ice {
namespace {

TEST(IceCandidate, PriorityFormula) {
  // RFC 8445 5.1.2.1 with host preference 126 and a single address.
  EXPECT_EQ(candidate_priority(126, 65535, 1), 2130706431u);
  EXPECT_EQ(candidate_priority(126, 65535, 2), 2130706430u);
  EXPECT_EQ(candidate_priority(type_preference(CandidateType::PeerReflexive), 65535, 1),
            (110u << 24) + (65535u << 8) + 255u);
  EXPECT_EQ(candidate_priority(0, 0, 1), 255u);
}

TEST(IceCandidate, FormatsHostCandidates) {
  const auto c = IceCandidate::host(TransportAddress::ipv4({127, 0, 0, 1}, 40000));
  EXPECT_EQ(c.priority, 2130706431u);
  EXPECT_FALSE(c.foundation.empty());
  EXPECT_EQ(c.to_sdp_line(),
            "a=candidate:" + c.foundation + " 1 udp 2130706431 127.0.0.1 40000 typ host");
  // Same address, same foundation; another address, another one.
  EXPECT_EQ(IceCandidate::host(TransportAddress::ipv4({127, 0, 0, 1}, 1)).foundation, c.foundation);
  EXPECT_NE(IceCandidate::host(TransportAddress::ipv4({127, 0, 0, 2}, 1)).foundation, c.foundation);
  const auto v6 = IceCandidate::host(*TransportAddress::from_ip_string("::1", 9), 65534);
  EXPECT_EQ(v6.to_attribute(), "candidate:" + v6.foundation + " 1 udp 2130706175 ::1 9 typ host");
}

TEST(IceCandidate, ParsesBrowserLines) {
  const auto c = IceCandidate::parse(
      "candidate:842163049 1 udp 1677729535 192.0.2.3 61665 typ srflx raddr 10.0.0.2 rport 61666 "
      "generation 0 ufrag EsAw network-cost 999");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->foundation, "842163049");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, CandidateTransport::Udp);
  EXPECT_EQ(c->priority, 1677729535u);
  EXPECT_EQ(c->address, TransportAddress::ipv4({192, 0, 2, 3}, 61665));
  EXPECT_EQ(c->type, CandidateType::ServerReflexive);
  EXPECT_EQ(c->related, TransportAddress::ipv4({10, 0, 0, 2}, 61666));

  const auto firefox =
      IceCandidate::parse("a=candidate:0 1 UDP 2122252543 2001:db8::5 50000 typ host\r\n");
  ASSERT_TRUE(firefox);
  EXPECT_EQ(firefox->address.to_string(), "[2001:db8::5]:50000");
  EXPECT_FALSE(firefox->related);

  const auto tcp =
      IceCandidate::parse("candidate:3 1 tcp 1518280447 192.0.2.9 9 typ host tcptype active");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->transport, CandidateTransport::Tcp);
}

TEST(IceCandidate, RoundTrip) {
  auto c = IceCandidate::host(TransportAddress::ipv4({198, 51, 100, 7}, 3478));
  c.type = CandidateType::PeerReflexive;
  c.related = TransportAddress::ipv4({10, 1, 2, 3}, 5000);
  const auto back = IceCandidate::parse(c.to_sdp_line());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_attribute(), c.to_attribute());
}

TEST(IceCandidate, RejectsMalformedLines) {
  const char* bad[] = {
      "",
      "candidate:",
      "a=cand:1 1 udp 1 1.2.3.4 5 typ host",
      "candidate:1 1 udp 1 1.2.3.4 5 host",               // no "typ"
      "candidate:1 1 udp 1 1.2.3.4 5 typ",                // no type
      "candidate:1 1 udp 1 1.2.3.4 5 typ lan",            // unknown type
      "candidate:1 1 sctp 1 1.2.3.4 5 typ host",          // unknown transport
      "candidate:1 0 udp 1 1.2.3.4 5 typ host",           // component 0
      "candidate:1 257 udp 1 1.2.3.4 5 typ host",         // component too large
      "candidate:1 1 udp 0 1.2.3.4 5 typ host",           // priority 0
      "candidate:1 1 udp 4294967296 1.2.3.4 5 typ host",  // priority overflow
      "candidate:1 1 udp 1 1.2.3.4 65536 typ host",       // port overflow
      "candidate:1 1 udp 1 1.2.3.4 -5 typ host",
      "candidate:1 1 udp 1 abcd-1234.local 5 typ host",     // mDNS name
      "candidate:1 1 udp 1 1.2.3.4 5 typ host generation",  // dangling extension
      "candidate:f:o 1 udp 1 1.2.3.4 5 typ host",           // foundation not ice-chars
      "candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host",
  };
  for (const char* line : bad)
    EXPECT_FALSE(IceCandidate::parse(line)) << line;
  std::string many = "candidate:1 1 udp 1 1.2.3.4 5 typ host";
  for (int i = 0; i < 20; ++i)
    many += " x y";
  EXPECT_FALSE(IceCandidate::parse(many));  // more tokens than the bound
  std::string long_line = "candidate:1 1 udp 1 1.2.3.4 5 typ host x " + std::string(1100, 'y');
  EXPECT_FALSE(IceCandidate::parse(long_line));
}

TEST(IceCandidate, RandomTokensNeverCrash) {
  const char* words[] = {"candidate:1", "1",     "udp",   "tcp",     "typ",  "host",
                         "srflx",       "raddr", "rport", "1.2.3.4", "::1",  "65535",
                         "99999",       "",      " ",     "a=",      "\r\n", "x"};
  std::mt19937 rng(8839);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string line = "candidate:";
    const int n = static_cast<int>(rng() % 16);
    for (int k = 0; k < n; ++k) {
      line += words[rng() % std::size(words)];
      line += ' ';
    }
    if (IceCandidate::parse(line)) ++parsed;
  }
  EXPECT_LT(parsed, 5000);
}

}  // namespace
}  // namespace webrtc::ice
