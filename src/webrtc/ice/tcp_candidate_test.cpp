#include "webrtc/ice/tcp_candidate.hpp"

#include <gtest/gtest.h>

namespace webrtc::ice {
namespace {

TEST(TcpCandidate, PriorityFollowsRfc6544) {
  // 126 << 24 | (4 * 8192 + 8191) << 8 | 255
  EXPECT_EQ(tcp_host_candidate_priority(TcpType::Passive, 8191), 2124414975u);
  EXPECT_EQ(tcp_host_candidate_priority(TcpType::Passive, 0), (126u << 24) + (32768u << 8) + 255);
  EXPECT_EQ(tcp_host_candidate_priority(TcpType::Active, 0), (126u << 24) + (49152u << 8) + 255);
  EXPECT_EQ(tcp_host_candidate_priority(TcpType::SimultaneousOpen, 0),
            (126u << 24) + (16384u << 8) + 255);
  // other-pref is 13 bits: larger values clamp instead of spilling into direction-pref.
  EXPECT_EQ(tcp_host_candidate_priority(TcpType::Passive, 100000),
            tcp_host_candidate_priority(TcpType::Passive, 8191));
}

TEST(TcpCandidate, LowerThanEveryUdpHostCandidateWeOffer) {
  const auto addr = TransportAddress::ipv4({192, 0, 2, 1}, 8189);
  const uint32_t best_tcp = tcp_host_candidate_priority(TcpType::Passive, MaxTcpOtherPreference);
  // WhepService counts UDP local preference down from 65535, one per address.
  for (uint16_t i = 0; i < 1000; ++i)
    EXPECT_LT(best_tcp, IceCandidate::host(addr, static_cast<uint16_t>(65535 - i)).priority);
}

TEST(TcpCandidate, AttributeLine) {
  const auto addr = TransportAddress::ipv4({192, 0, 2, 1}, 8189);
  const std::string line = tcp_passive_candidate_attribute(addr);
  EXPECT_TRUE(line.starts_with("candidate:"));
  EXPECT_TRUE(line.ends_with(" 1 tcp 2124414975 192.0.2.1 8189 typ host tcptype passive")) << line;

  const auto parsed = IceCandidate::parse("a=" + line);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->transport, CandidateTransport::Tcp);
  EXPECT_EQ(parsed->address, addr);
  EXPECT_EQ(parsed->type, CandidateType::Host);
  EXPECT_EQ(parsed->priority, 2124414975u);
  // A different foundation from the UDP candidate on the same IP (RFC 8445 5.1.1.3).
  EXPECT_NE(parsed->foundation, IceCandidate::host(addr).foundation);
  // Stable for the same IP, whatever the port.
  EXPECT_EQ(parsed->foundation, IceCandidate::parse(tcp_passive_candidate_attribute(
                                                        TransportAddress::ipv4({192, 0, 2, 1}, 1)))
                                    ->foundation);
}

TEST(TcpCandidate, Ipv6AndPerAddressPreference) {
  const auto addr = *TransportAddress::from_ip_string("2001:db8::1", 443);
  const std::string line = tcp_passive_candidate_attribute(addr, 8190);
  EXPECT_NE(line.find(" 1 tcp 2124414719 2001:db8::1 443 typ host tcptype passive"),
            std::string::npos)
      << line;
}

}  // namespace
}  // namespace webrtc::ice
