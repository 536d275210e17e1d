#include "load_client/tcp_answer_candidate.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "webrtc/ice/tcp_candidate.hpp"

namespace bench::load_client {
namespace {

using webrtc::ice::TransportAddress;

std::string at(const std::optional<TransportAddress>& a) {
  return a ? a->to_string() : "none";
}

TEST(TcpAnswerCandidate, ParsesAPassiveTcpHostCandidate) {
  EXPECT_EQ(at(parse_tcp_passive_candidate(
                "a=candidate:7 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive\r\n")),
            "127.0.0.1:8443");
  EXPECT_EQ(at(parse_tcp_passive_candidate(
                "candidate:7 1 TCP 1518280447 192.0.2.9 9000 typ host tcptype passive")),
            "192.0.2.9:9000");
  // Other extensions around it, in name-value pairs.
  EXPECT_EQ(at(parse_tcp_passive_candidate("candidate:7 1 tcp 1518280447 192.0.2.9 9000 typ host "
                                           "generation 0 tcptype passive network-id 1")),
            "192.0.2.9:9000");
}

TEST(TcpAnswerCandidate, ReadsWhatTheServerWrites) {
  const auto address = TransportAddress::from_ip_string("127.0.0.1", 8443);
  ASSERT_TRUE(address);
  EXPECT_EQ(parse_tcp_passive_candidate(webrtc::ice::tcp_passive_candidate_attribute(*address)),
            address);
}

TEST(TcpAnswerCandidate, ParsesIpv6) {
  EXPECT_EQ(at(parse_tcp_passive_candidate(
                "candidate:7 1 tcp 1518280447 2001:db8::1 8443 typ host tcptype passive")),
            TransportAddress::from_ip_string("2001:db8::1", 8443)->to_string());
}

TEST(TcpAnswerCandidate, IgnoresEverythingButPassiveTcpHostForRtp) {
  for (const char* line : {
           "candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host",
           "candidate:1 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active",
           "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype so",
           "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host",  // no tcptype
           "candidate:1 2 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive",
           "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ srflx raddr 10.0.0.1 rport 1 "
           "tcptype passive",
           "candidate:1 1 tcp 1518280447 127.0.0.1 0 typ host tcptype passive",
           // "tcptype" as a value, not a name, does not count.
           "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host x tcptype passive y",
       }) {
    EXPECT_FALSE(parse_tcp_passive_candidate(line)) << line;
  }
}

TEST(TcpAnswerCandidate, RejectsMissingFieldsAndGarbage) {
  for (const char* line : {
           "",
           "a=candidate:",
           "candidate:1 1 tcp 1518280447 127.0.0.1 typ host tcptype passive",  // no port
           "candidate:1 1 tcp 1518280447 127.0.0.1 65536 typ host tcptype passive",
           "candidate:1 1 tcp 1518280447 127.0.0.1 84x3 typ host tcptype passive",
           "candidate:1 1 tcp 1518280447 localhost.local 8443 typ host tcptype passive",
           "candidate:1 1 tcp 1518280447 999.0.0.1 8443 typ host tcptype passive",
           "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype",
           "candidate:1 1 sctp 1518280447 127.0.0.1 8443 typ host tcptype passive",
           "x=candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive",
       }) {
    EXPECT_FALSE(parse_tcp_passive_candidate(line)) << line;
  }
  std::string overlong = "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive";
  overlong += std::string(2000, ' ');
  EXPECT_FALSE(parse_tcp_passive_candidate(overlong));
  std::string padded = "candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive";
  for (int i = 0; i < 200; ++i)
    padded += " x y";
  EXPECT_FALSE(parse_tcp_passive_candidate(padded));  // over the token bound
}

TEST(TcpAnswerCandidate, SurvivesRandomBytes) {
  std::mt19937 rng(16);
  const std::string prefix = "a=candidate:1 1 tcp 1518280447 127.0.0.1 8443 typ host ";
  for (int i = 0; i < 2000; ++i) {
    std::string line = prefix;
    const size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k)
      line += static_cast<char>(rng() % 256);
    (void)parse_tcp_passive_candidate(line);
    (void)find_tcp_passive_candidate(line);
  }
}

TEST(TcpAnswerCandidate, FindsTheBestInAnAnswer) {
  const std::string sdp =
      "v=0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\n"
      "a=candidate:2 1 tcp 1000 ::1 8443 typ host tcptype passive\r\n"
      "a=candidate:3 1 tcp 1518280447 192.0.2.7 8443 typ host tcptype passive\r\n"
      "a=candidate:4 1 tcp 1518280000 127.0.0.1 8444 typ host tcptype passive\r\n"
      "a=candidate:5 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive\r\n"
      "a=candidate:6 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  EXPECT_EQ(at(find_tcp_passive_candidate(sdp)), "127.0.0.1:8443");
  // IPv4 before IPv6, whatever the priority; LF-only line ends.
  EXPECT_EQ(at(find_tcp_passive_candidate(
                "a=candidate:2 1 tcp 2000000000 ::1 8443 typ host tcptype passive\n"
                "a=candidate:3 1 tcp 1000 192.0.2.7 8443 typ host tcptype passive\n")),
            "192.0.2.7:8443");
  EXPECT_EQ(at(find_tcp_passive_candidate(
                "a=candidate:2 1 tcp 2000000000 ::1 8443 typ host tcptype passive")),
            "[::1]:8443");
}

TEST(TcpAnswerCandidate, NoneInAUdpOnlyOrOversizedAnswer) {
  EXPECT_FALSE(find_tcp_passive_candidate(
      "v=0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\n"));
  EXPECT_FALSE(find_tcp_passive_candidate(""));
  // Past MaxSdpSize nothing is read.
  std::string big(MaxSdpSize, '\n');
  big += "a=candidate:5 1 tcp 1518280447 127.0.0.1 8443 typ host tcptype passive\r\n";
  EXPECT_FALSE(find_tcp_passive_candidate(big));
}

}  // namespace
}  // namespace bench::load_client
