#include "webrtc/ice/ice_lite_agent.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "webrtc/stun/stun_message.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace webrtc::ice {
namespace {

using namespace std::chrono_literals;
using stun::StunMessage;
using stun::StunWriter;
using Time = IceLiteAgent::TimePoint;

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const IceCredentials Local{"LoCa", "abcdefghijklmnopqrstuvwx"};
const IceCredentials Remote{"ReMo7", "ABCDEFGHIJKLMNOPQRSTUVWX"};
const TransportAddress PeerA = TransportAddress::ipv4({127, 0, 0, 1}, 50001);
const TransportAddress PeerB = TransportAddress::ipv4({127, 0, 0, 1}, 50002);
const TransportAddress PeerC = *TransportAddress::from_ip_string("::1", 50003);
const Time T0{};

struct Check {
  std::string username = "LoCa:ReMo7";
  std::string key = "abcdefghijklmnopqrstuvwx";
  bool use_candidate = false;
  bool controlling = true;
  uint8_t id = 1;
};

std::vector<uint8_t> make_check(const Check& c) {
  StunWriter::BindingRequest req;
  req.username = c.username;
  req.priority = 1845501695;
  req.controlling = c.controlling;
  req.tie_breaker = 42;
  req.use_candidate = c.use_candidate;
  stun::TransactionId id{};
  id.fill(c.id);
  return StunWriter::binding_request(id, req, as_bytes(c.key));
}

IceLiteAgent make_agent(IceLiteConfig config = {}) {
  return IceLiteAgent(Local, Remote, T0, config);
}

TEST(IceCredentials, GeneratedCredentialsAreValidAndDistinct) {
  const auto a = IceCredentials::generate();
  const auto b = IceCredentials::generate();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->ufrag.size(), 8u);
  EXPECT_EQ(a->pwd.size(), 24u);
  EXPECT_TRUE(a->valid());
  EXPECT_NE(a->ufrag, b->ufrag);
  EXPECT_NE(a->pwd, b->pwd);
  EXPECT_FALSE(IceCredentials::generate(3, 24));
  EXPECT_FALSE(IceCredentials::generate(8, 21));
  EXPECT_FALSE((IceCredentials{"ab:c", "abcdefghijklmnopqrstuvwx"}.valid()));
  EXPECT_TRUE((IceCredentials{"a+/b", "abcdefghijklmnopqrstuv"}.valid()));
}

TEST(IceLiteAgent, ValidCheckAnswersAndConnects) {
  auto agent = make_agent();
  EXPECT_EQ(agent.state(), IceState::New);
  const auto request = make_check({});
  const auto response = agent.handle_binding_request(request, PeerA, T0 + 1s);
  ASSERT_TRUE(response);
  const auto m = StunMessage::parse(response->bytes());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message_class(), stun::MessageClass::SuccessResponse);
  EXPECT_EQ(m->transaction_id(), StunMessage::parse(request)->transaction_id());
  EXPECT_EQ(m->xor_mapped_address(), PeerA);
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Local.pwd)));
  EXPECT_TRUE(m->verify_fingerprint());

  EXPECT_EQ(agent.state(), IceState::Connected);
  EXPECT_EQ(agent.selected_address(), PeerA);
  EXPECT_FALSE(agent.nominated());
  ASSERT_EQ(agent.remote_candidates().size(), 1u);
  EXPECT_EQ(agent.remote_candidates()[0].address, PeerA);
  EXPECT_EQ(agent.remote_candidates()[0].priority, 1845501695u);
  EXPECT_EQ(agent.stats().valid_checks, 1u);
}

TEST(IceLiteAgent, WithoutFirstCheckSelectionUseCandidateSelects) {
  IceLiteConfig config;
  config.select_on_first_check = false;
  auto agent = make_agent(config);
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerA, T0));
  EXPECT_EQ(agent.state(), IceState::Checking);
  EXPECT_FALSE(agent.selected_address());
  Check nominate;
  nominate.use_candidate = true;
  ASSERT_TRUE(agent.handle_binding_request(make_check(nominate), PeerB, T0 + 100ms));
  EXPECT_EQ(agent.state(), IceState::Connected);
  EXPECT_EQ(agent.selected_address(), PeerB);
  EXPECT_TRUE(agent.nominated());
  EXPECT_EQ(agent.remote_candidates().size(), 2u);
}

void expect_error(const std::optional<IceLiteAgent::Response>& r, uint16_t code, bool integrity) {
  ASSERT_TRUE(r);
  const auto m = StunMessage::parse(r->bytes());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message_class(), stun::MessageClass::ErrorResponse);
  ASSERT_TRUE(m->error_code());
  EXPECT_EQ(m->error_code()->code, code);
  EXPECT_EQ(m->has_message_integrity(), integrity);
  if (integrity) {
    EXPECT_TRUE(m->verify_message_integrity(as_bytes(Local.pwd)));
  }
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(IceLiteAgent, WrongPasswordIsRejectedAndCounted) {
  auto agent = make_agent();
  Check c;
  c.key = Remote.pwd;  // signed with the wrong password
  c.use_candidate = true;
  expect_error(agent.handle_binding_request(make_check(c), PeerA, T0), 401, false);
  EXPECT_EQ(agent.stats().bad_integrity, 1u);
  EXPECT_EQ(agent.stats().valid_checks, 0u);
  EXPECT_EQ(agent.state(), IceState::New);
  EXPECT_FALSE(agent.selected_address());
  EXPECT_TRUE(agent.remote_candidates().empty());
}

TEST(IceLiteAgent, WrongUsernameIsRejected) {
  auto agent = make_agent();
  for (const char* name : {"Other:ReMo7", "LoCa:Other", "LoCa", "LoCaReMo7", ":ReMo7"}) {
    Check c;
    c.username = name;
    expect_error(agent.handle_binding_request(make_check(c), PeerA, T0), 401, false);
  }
  EXPECT_EQ(agent.stats().bad_username, 5u);
  EXPECT_EQ(agent.state(), IceState::New);
  // Without a remote ufrag from the offer, any second part is accepted.
  IceLiteAgent open(Local, IceCredentials{}, T0);
  Check c;
  c.username = "LoCa:whatever";
  const auto r = open.handle_binding_request(make_check(c), PeerA, T0);
  ASSERT_TRUE(r);
  EXPECT_EQ(StunMessage::parse(r->bytes())->message_class(), stun::MessageClass::SuccessResponse);
}

std::vector<uint8_t> build(bool username, bool integrity, bool fingerprint) {
  std::vector<uint8_t> buf(256);
  StunWriter w(buf, stun::MessageClass::Request, stun::BindingMethod, stun::TransactionId{});
  if (username) w.add_username("LoCa:ReMo7");
  if (integrity) w.add_message_integrity(as_bytes(Local.pwd));
  if (fingerprint) w.add_fingerprint();
  buf.resize(w.size());
  return buf;
}

TEST(IceLiteAgent, MissingAttributesGet400OrAreDropped) {
  auto agent = make_agent();
  expect_error(agent.handle_binding_request(build(false, true, true), PeerA, T0), 400, false);
  expect_error(agent.handle_binding_request(build(true, false, true), PeerA, T0), 400, false);
  EXPECT_EQ(agent.stats().bad_request, 2u);
  EXPECT_FALSE(agent.handle_binding_request(build(true, true, false), PeerA, T0));
  auto corrupt = make_check({});
  corrupt.back() ^= 1;  // FINGERPRINT value
  EXPECT_FALSE(agent.handle_binding_request(corrupt, PeerA, T0));
  EXPECT_EQ(agent.stats().bad_fingerprint, 2u);
  EXPECT_EQ(agent.state(), IceState::New);
}

TEST(IceLiteAgent, ControlledPeerGetsRoleConflict) {
  auto agent = make_agent();
  Check c;
  c.controlling = false;
  expect_error(agent.handle_binding_request(make_check(c), PeerA, T0), 487, true);
  EXPECT_EQ(agent.stats().role_conflicts, 1u);
  EXPECT_EQ(agent.state(), IceState::New);
}

TEST(IceLiteAgent, NonRequestsAndGarbageAreDropped) {
  auto agent = make_agent();
  const std::vector<uint8_t> dtls{22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10};
  EXPECT_FALSE(agent.handle_binding_request(dtls, PeerA, T0));
  EXPECT_EQ(agent.stats().malformed, 1u);
  const auto response = StunWriter::binding_success({}, PeerA, as_bytes(Local.pwd));
  EXPECT_FALSE(agent.handle_binding_request(response, PeerA, T0));
  EXPECT_EQ(agent.stats().not_request, 1u);

  std::mt19937 rng(8445);
  const auto valid = make_check({});
  for (int i = 0; i < 5000; ++i) {
    auto buf = valid;
    // Mutate a few bytes of a valid check, sometimes truncate it.
    for (int k = 0; k < 3; ++k)
      buf[rng() % buf.size()] = static_cast<uint8_t>(rng());
    if (i % 3 == 0) buf.resize(rng() % buf.size());
    (void)agent.handle_binding_request(buf, PeerB, T0);
  }
  // Only packets that are still authentic (mutations that hit nothing checked) can select.
  EXPECT_NE(agent.state(), IceState::Failed);
  EXPECT_GT(agent.stats().malformed + agent.stats().bad_fingerprint, 4000u);
}

TEST(IceLiteAgent, ConsentExpiresThirtySecondsAfterTheLastValidCheck) {
  auto agent = make_agent();
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerA, T0 + 1s));
  EXPECT_EQ(agent.next_timeout(), T0 + 11s);
  EXPECT_FALSE(agent.on_timer(T0 + 10s));
  EXPECT_EQ(agent.state(), IceState::Connected);
  EXPECT_FALSE(agent.on_timer(T0 + 11s));
  EXPECT_EQ(agent.state(), IceState::Disconnected);
  EXPECT_EQ(agent.next_timeout(), T0 + 31s);
  EXPECT_FALSE(agent.on_timer(T0 + 30s));
  EXPECT_TRUE(agent.on_timer(T0 + 31s));
  EXPECT_EQ(agent.state(), IceState::Failed);
  EXPECT_TRUE(agent.on_timer(T0 + 32s));
  // Failed is terminal.
  EXPECT_FALSE(agent.handle_binding_request(make_check({}), PeerA, T0 + 32s));
  EXPECT_EQ(agent.stats().after_failure, 1u);
  EXPECT_EQ(agent.state(), IceState::Failed);
}

TEST(IceLiteAgent, ChecksKeepConsentAndRecoverFromDisconnected) {
  IceLiteConfig config;
  config.consent_timeout = 12s;
  auto agent = make_agent(config);
  for (int i = 0; i < 20; ++i) {
    const Time now = T0 + std::chrono::seconds(5 * i);
    EXPECT_FALSE(agent.on_timer(now));
    ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerA, now));
  }
  EXPECT_EQ(agent.state(), IceState::Connected);
  const Time last = T0 + 95s;
  EXPECT_FALSE(agent.on_timer(last + 10s));
  EXPECT_EQ(agent.state(), IceState::Disconnected);
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerA, last + 11s));
  EXPECT_EQ(agent.state(), IceState::Connected);
  EXPECT_TRUE(agent.on_timer(last + 23s));  // configured 12 s consent
}

TEST(IceLiteAgent, PeerThatNeverChecksTimesOut) {
  auto agent = make_agent();
  EXPECT_EQ(agent.next_timeout(), T0 + 30s);
  EXPECT_FALSE(agent.on_timer(T0 + 29s));
  EXPECT_EQ(agent.state(), IceState::New);
  EXPECT_TRUE(agent.on_timer(T0 + 30s));
  EXPECT_EQ(agent.state(), IceState::Failed);
}

TEST(IceLiteAgent, NatRebindingMovesTheSelectedAddress) {
  auto agent = make_agent();
  Check nominate;
  nominate.use_candidate = true;
  ASSERT_TRUE(agent.handle_binding_request(make_check(nominate), PeerA, T0));
  ASSERT_TRUE(agent.handle_binding_request(make_check(nominate), PeerA, T0 + 2s));
  // A backup pair checked while the selected one is alive does not take over.
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerB, T0 + 3s));
  EXPECT_EQ(agent.selected_address(), PeerA);
  // The NAT rebinds: A goes silent, the same peer now checks from B.
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerB, T0 + 7s));
  EXPECT_EQ(agent.selected_address(), PeerB);
  EXPECT_EQ(agent.stats().address_changes, 1u);
  EXPECT_EQ(agent.state(), IceState::Connected);
  // A nomination moves it at once.
  ASSERT_TRUE(agent.handle_binding_request(make_check(nominate), PeerC, T0 + 8s));
  EXPECT_EQ(agent.selected_address(), PeerC);
  EXPECT_EQ(agent.stats().address_changes, 2u);
  // The response names the address the check came from.
  const auto r = agent.handle_binding_request(make_check({}), PeerB, T0 + 9s);
  ASSERT_TRUE(r);
  EXPECT_EQ(StunMessage::parse(r->bytes())->xor_mapped_address(), PeerB);
  EXPECT_EQ(agent.selected_address(), PeerC);
}

TEST(IceLiteAgent, RemoteCandidateTableIsBoundedAndKeepsTheSelected) {
  auto agent = make_agent();
  ASSERT_TRUE(agent.handle_binding_request(make_check({}), PeerA, T0));
  for (uint16_t port = 1; port <= 40; ++port) {
    const auto from = TransportAddress::ipv4({10, 0, 0, 1}, port);
    ASSERT_TRUE(agent.handle_binding_request(make_check({}), from, T0 + std::chrono::seconds(1)));
  }
  const auto candidates = agent.remote_candidates();
  EXPECT_EQ(candidates.size(), IceLiteAgent::MaxRemoteCandidates);
  EXPECT_EQ(agent.selected_address(), PeerA);
  EXPECT_TRUE(std::any_of(candidates.begin(), candidates.end(),
                          [](const auto& c) { return c.address == PeerA; }));
  EXPECT_TRUE(std::any_of(candidates.begin(), candidates.end(), [](const auto& c) {
    return c.address == TransportAddress::ipv4({10, 0, 0, 1}, 40);
  }));
}

}  // namespace
}  // namespace webrtc::ice
