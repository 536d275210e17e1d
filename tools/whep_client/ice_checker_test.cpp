#include "whep_client/ice_checker.hpp"

#include <gtest/gtest.h>

#include <array>

#include "webrtc/stun/stun_writer.hpp"

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using webrtc::ice::IceCredentials;
using webrtc::ice::IceLiteAgent;
using webrtc::stun::StunMessage;
using Time = IceChecker::TimePoint;

const IceCredentials Client{"cLnT", "clientpassword0123456789"};
const IceCredentials Server{"srv1", "serverpassword0123456789"};
const auto ClientAddr = webrtc::stun::TransportAddress::ipv4({127, 0, 0, 1}, 50000);
const auto ServerAddr = webrtc::stun::TransportAddress::ipv4({127, 0, 0, 1}, 8189);
const Time T0 = Time{} + 1h;

struct Pair {
  IceChecker checker{Client, Server, 77, T0};
  IceLiteAgent server{Server, Client, T0};
  std::array<uint8_t, IceChecker::MaxRequestSize> buf{};
  std::array<uint8_t, IceChecker::MaxResponseSize> out{};

  // One check through the real ICE-lite agent; returns the response bytes.
  std::vector<uint8_t> check(Time now) {
    const size_t n = checker.poll(now, buf);
    if (n == 0) return {};
    auto r = server.handle_binding_request(std::span(buf).first(n), ClientAddr, now);
    if (!r) return {};
    return {r->bytes().begin(), r->bytes().end()};
  }
  void deliver(const std::vector<uint8_t>& bytes, Time now) {
    auto msg = StunMessage::parse(bytes);
    ASSERT_TRUE(msg);
    checker.handle(*msg, now, out, ServerAddr);
  }
};

TEST(IceChecker, RealIceLiteAgentAcceptsOurCheckAndNominates) {
  Pair p;
  auto response = p.check(T0);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(p.server.state(), webrtc::ice::IceState::Connected);
  EXPECT_TRUE(p.server.nominated());
  EXPECT_EQ(p.server.selected_address(), ClientAddr);
  ASSERT_EQ(p.server.remote_candidates().size(), 1u);
  EXPECT_EQ(p.server.remote_candidates()[0].priority, IceChecker::priority());
  EXPECT_EQ(p.checker.state(), IceCheckState::Checking);
  p.deliver(response, T0 + 1ms);
  EXPECT_EQ(p.checker.state(), IceCheckState::Connected);
  EXPECT_EQ(p.checker.stats().successes, 1u);
}

TEST(IceChecker, ChecksEvery50msThenEvery2500ms) {
  Pair p;
  std::array<uint8_t, IceChecker::MaxRequestSize> b{};
  EXPECT_GT(p.checker.poll(T0, b), 0u);
  EXPECT_EQ(p.checker.poll(T0 + 49ms, b), 0u);
  auto response = p.check(T0 + 50ms);
  ASSERT_FALSE(response.empty());
  p.deliver(response, T0 + 51ms);
  EXPECT_EQ(p.checker.next_check(), T0 + 51ms + 2500ms);
  EXPECT_EQ(p.checker.poll(T0 + 2000ms, b), 0u);
  EXPECT_GT(p.checker.poll(T0 + 2551ms, b), 0u);
  EXPECT_EQ(p.checker.stats().requests_sent, 3u);
}

TEST(IceChecker, IgnoresUnknownTransactionsAndForgedResponses) {
  Pair p;
  auto response = p.check(T0);
  ASSERT_FALSE(response.empty());
  auto forged = response;
  forged[10] ^= 0xFF;  // another transaction id
  p.deliver(forged, T0);
  EXPECT_EQ(p.checker.stats().unknown, 1u);
  // Integrity with the wrong password (a response not from our server).
  auto msg = StunMessage::parse(response);
  ASSERT_TRUE(msg);
  auto wrong = webrtc::stun::StunWriter::binding_success(
      msg->transaction_id(), ClientAddr,
      std::span(reinterpret_cast<const uint8_t*>("wrongpassword0123456789"), 23));
  p.deliver(wrong, T0);
  EXPECT_EQ(p.checker.stats().unauthenticated, 1u);
  EXPECT_EQ(p.checker.state(), IceCheckState::Checking);
  // The wrong-password response consumed the transaction: the real one now counts as unknown.
  p.deliver(response, T0);
  EXPECT_EQ(p.checker.state(), IceCheckState::Checking);
}

TEST(IceChecker, ErrorResponseFromWrongCredentialsIsCounted) {
  IceChecker checker(Client, IceCredentials{"srv1", "notthepassword0123456789"}, 1, T0);
  IceLiteAgent server(Server, Client, T0);
  std::array<uint8_t, IceChecker::MaxRequestSize> b{};
  std::array<uint8_t, IceChecker::MaxResponseSize> out{};
  const size_t n = checker.poll(T0, b);
  auto r = server.handle_binding_request(std::span(b).first(n), ClientAddr, T0);
  ASSERT_TRUE(r);
  auto msg = StunMessage::parse(r->bytes());
  ASSERT_TRUE(msg);
  checker.handle(*msg, T0, out, ServerAddr);
  EXPECT_EQ(checker.stats().errors, 1u);
  EXPECT_EQ(checker.state(), IceCheckState::Checking);
}

TEST(IceChecker, FailsAfterConnectTimeoutAndAfterConsentExpiry) {
  Pair never;
  never.checker.on_timer(T0 + 9s);
  EXPECT_EQ(never.checker.state(), IceCheckState::Checking);
  never.checker.on_timer(T0 + 10s);
  EXPECT_EQ(never.checker.state(), IceCheckState::Failed);
  EXPECT_FALSE(never.checker.failure_reason().empty());

  Pair p;
  p.deliver(p.check(T0), T0);
  ASSERT_EQ(p.checker.state(), IceCheckState::Connected);
  p.checker.on_timer(T0 + 29s);
  EXPECT_EQ(p.checker.state(), IceCheckState::Connected);
  p.checker.on_timer(T0 + 30s);
  EXPECT_EQ(p.checker.state(), IceCheckState::Failed);
}

TEST(IceChecker, AnswersAFullIcePeersCheck) {
  Pair p;
  webrtc::stun::StunWriter::BindingRequest req;
  req.username = "cLnT:srv1";
  req.controlling = false;
  req.priority = 1;
  const webrtc::stun::TransactionId id{1, 2, 3};
  auto request = webrtc::stun::StunWriter::binding_request(
      id, req, std::span(reinterpret_cast<const uint8_t*>(Client.pwd.data()), Client.pwd.size()));
  auto msg = StunMessage::parse(request);
  ASSERT_TRUE(msg);
  const size_t n = p.checker.handle(*msg, T0, p.out, ServerAddr);
  ASSERT_GT(n, 0u);
  auto response = StunMessage::parse(std::span(p.out).first(n));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->transaction_id(), id);
  EXPECT_EQ(response->xor_mapped_address(), ServerAddr);
  EXPECT_TRUE(response->verify_message_integrity(
      std::span(reinterpret_cast<const uint8_t*>(Client.pwd.data()), Client.pwd.size())));
  // Someone else's ufrag: no answer.
  req.username = "other:srv1";
  auto foreign = webrtc::stun::StunWriter::binding_request(
      id, req, std::span(reinterpret_cast<const uint8_t*>(Client.pwd.data()), Client.pwd.size()));
  EXPECT_EQ(p.checker.handle(*StunMessage::parse(foreign), T0, p.out, ServerAddr), 0u);
}

}  // namespace
}  // namespace tools::whep_client
