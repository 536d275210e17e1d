#include "webrtc/dtls/dtls_transport.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <thread>

#include "webrtc/dtls/dtls_test_support.hpp"

namespace webrtc::dtls {
namespace {

using namespace std::chrono_literals;
using Clock = DtlsTransport::Clock;

using test::client_context;
using test::server_context;

enum class Dir { ToServer, ToClient };
// Return true to drop the datagram. `batch` counts non-empty take_outgoing() results per
// direction from 0, so batch 0 toward the client is the server's first flight as first sent.
using DropFn = std::function<bool(Dir, size_t batch, std::span<const uint8_t>)>;

struct Call {
  explicit Call(DtlsConfig server_cfg = {}, DtlsConfig client_cfg = {}) {
    server_cfg.role = DtlsRole::Server;
    server_cfg.remote_fingerprint = client_context()->certificate().fingerprint();
    client_cfg.role = DtlsRole::Client;
    client_cfg.remote_fingerprint = server_context()->certificate().fingerprint();
    server_cfg.initial_timeout = client_cfg.initial_timeout = 30ms;
    server = std::make_unique<DtlsTransport>(server_context(), server_cfg);
    client = std::make_unique<DtlsTransport>(client_context(), client_cfg);
  }

  static bool done(const DtlsTransport& t) { return t.state() != DtlsState::Handshaking; }

  bool pump(DtlsTransport& from, DtlsTransport& to, Dir dir, const DropFn& drop) {
    bool moved = false;
    auto out = from.take_outgoing();
    if (out.empty()) return false;
    const size_t batch = batches[static_cast<int>(dir)]++;
    for (auto& d : out) {
      EXPECT_LE(d.size(), mtu);
      EXPECT_TRUE(DtlsTransport::is_dtls(d));
      ++sent[static_cast<int>(dir)];
      if (drop && drop(dir, batch, d)) continue;
      to.feed(d);
      moved = true;
    }
    return moved;
  }

  // Shuttles datagrams until both sides leave Handshaking (or the deadline passes), sleeping
  // on the real clock when only a retransmission can make progress (see the header's note).
  void run(const DropFn& drop = {}, std::chrono::milliseconds limit = 5s) {
    client->start();
    server->start();
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      bool moved = pump(*client, *server, Dir::ToServer, drop);
      moved |= pump(*server, *client, Dir::ToClient, drop);
      if (moved) continue;
      if (done(*client) && done(*server)) return;
      const auto now = Clock::now();
      auto next = now + 50ms;
      for (auto* t : {client.get(), server.get()}) {
        if (auto at = t->next_timeout(now)) next = std::min(next, *at);
      }
      std::this_thread::sleep_until(next);
      client->handle_timeout(Clock::now());
      server->handle_timeout(Clock::now());
    }
  }

  size_t mtu = 1200;
  size_t sent[2] = {0, 0};
  size_t batches[2] = {0, 0};
  std::unique_ptr<DtlsTransport> server;
  std::unique_ptr<DtlsTransport> client;
};

void expect_crosswise_keys(const DtlsTransport& server, const DtlsTransport& client,
                           uint16_t profile) {
  ASSERT_EQ(server.state(), DtlsState::Connected) << server.failure_reason();
  ASSERT_EQ(client.state(), DtlsState::Connected) << client.failure_reason();
  const auto& s = *server.srtp_keys();
  const auto& c = *client.srtp_keys();
  EXPECT_EQ(s.profile, profile);
  EXPECT_EQ(c.profile, profile);
  const size_t salt = profile == SrtpAeadAes128Gcm ? 12 : 14;
  EXPECT_EQ(s.local_key.size(), 16u);
  EXPECT_EQ(s.local_salt.size(), salt);
  EXPECT_EQ(s.remote_salt.size(), salt);
  EXPECT_EQ(s.local_key, c.remote_key);
  EXPECT_EQ(s.local_salt, c.remote_salt);
  EXPECT_EQ(s.remote_key, c.local_key);
  EXPECT_EQ(s.remote_salt, c.local_salt);
  EXPECT_NE(s.local_key, s.remote_key);
  EXPECT_NE(s.local_key, std::vector<uint8_t>(16, 0));
}

TEST(DtlsTransportTest, ClassifiesByFirstByteRfc7983) {
  const uint8_t b19[] = {19}, b20[] = {20}, b63[] = {63}, b64[] = {64}, stun[] = {0, 1},
                rtp[] = {0x80, 0x60};
  EXPECT_FALSE(DtlsTransport::is_dtls({}));
  EXPECT_FALSE(DtlsTransport::is_dtls(b19));
  EXPECT_TRUE(DtlsTransport::is_dtls(b20));
  EXPECT_TRUE(DtlsTransport::is_dtls(b63));
  EXPECT_FALSE(DtlsTransport::is_dtls(b64));
  EXPECT_FALSE(DtlsTransport::is_dtls(stun));
  EXPECT_FALSE(DtlsTransport::is_dtls(rtp));
}

TEST(DtlsTransportTest, HandshakePrefersGcmAndKeysMatchCrosswise) {
  Call call;
  call.run();
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
  EXPECT_FALSE(call.server->next_timeout(Clock::now()));
  EXPECT_FALSE(call.client->next_timeout(Clock::now()));
}

TEST(DtlsTransportTest, ServerPreferenceWinsOverClientOrder) {
  DtlsConfig client;
  client.srtp_profiles = {SrtpAes128CmHmacSha1_80, SrtpAeadAes128Gcm};
  Call call({}, client);
  call.run();
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
}

TEST(DtlsTransportTest, NegotiatesCmWhenClientOffersOnlyCm) {
  DtlsConfig client;
  client.srtp_profiles = {SrtpAes128CmHmacSha1_80};
  Call call({}, client);
  call.run();
  expect_crosswise_keys(*call.server, *call.client, SrtpAes128CmHmacSha1_80);
}

TEST(DtlsTransportTest, NoCommonSrtpProfileFails) {
  DtlsConfig server, client;
  server.srtp_profiles = {SrtpAes128CmHmacSha1_80};
  client.srtp_profiles = {SrtpAeadAes128Gcm};
  Call call(server, client);
  call.run();
  EXPECT_EQ(call.server->state(), DtlsState::Failed);
  EXPECT_NE(call.server->failure_reason().find("SRTP"), std::string::npos)
      << call.server->failure_reason();
  EXPECT_FALSE(call.server->srtp_keys());
}

TEST(DtlsTransportTest, ServerRejectsClientWithWrongFingerprint) {
  DtlsConfig server;
  server.remote_fingerprint = server_context()->certificate().fingerprint();  // not the client's
  Call call(server);
  call.server = std::make_unique<DtlsTransport>(server_context(), server);
  call.run();
  EXPECT_EQ(call.server->state(), DtlsState::Failed);
  EXPECT_NE(call.server->failure_reason().find("fingerprint"), std::string::npos)
      << call.server->failure_reason();
  EXPECT_FALSE(call.server->srtp_keys());
  EXPECT_NE(call.client->state(), DtlsState::Connected);  // the alert reached it
  EXPECT_FALSE(call.client->srtp_keys());
}

TEST(DtlsTransportTest, ClientRejectsServerWithWrongFingerprint) {
  Call call;
  DtlsConfig client;
  client.role = DtlsRole::Client;
  client.initial_timeout = 30ms;
  client.remote_fingerprint = client_context()->certificate().fingerprint();
  call.client = std::make_unique<DtlsTransport>(client_context(), client);
  call.run();
  EXPECT_EQ(call.client->state(), DtlsState::Failed);
  EXPECT_NE(call.client->failure_reason().find("fingerprint"), std::string::npos)
      << call.client->failure_reason();
  EXPECT_NE(call.server->state(), DtlsState::Connected);
}

TEST(DtlsTransportTest, MissingRemoteFingerprintNeverConnects) {
  Call call;
  DtlsConfig client;
  client.role = DtlsRole::Client;
  call.client = std::make_unique<DtlsTransport>(client_context(), client);  // empty fingerprint
  call.run();
  EXPECT_EQ(call.client->state(), DtlsState::Failed);
}

TEST(DtlsTransportTest, SurvivesLossOfFirstServerFlight) {
  Call call;
  size_t dropped = 0;
  call.run([&](Dir dir, size_t batch, std::span<const uint8_t> d) {
    const bool drop = dir == Dir::ToClient && batch == 0;
    if (drop) {
      EXPECT_EQ(d[0], 22);  // handshake records: ServerHello .. ServerHelloDone
      ++dropped;
    }
    return drop;
  });
  EXPECT_GE(dropped, 1u);
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
}

TEST(DtlsTransportTest, SurvivesLossOfFirstFlightInBothDirections) {
  // The ClientHello and the server's first answer are both lost; retransmissions recover.
  Call call;
  call.run([&](Dir, size_t batch, std::span<const uint8_t>) { return batch == 0; });
  EXPECT_GE(call.batches[0], 2u);
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
}

TEST(DtlsTransportTest, SurvivesLossOfServerFinishedFlight) {
  // The server's last flight (ChangeCipherSpec + Finished) has no timer of its own: the
  // client's retransmitted Finished must make the connected server resend it.
  Call call;
  bool dropped = false;
  call.run([&](Dir dir, size_t, std::span<const uint8_t> d) {
    if (dir == Dir::ToClient && !dropped && d[0] == 20) {  // starts with ChangeCipherSpec
      dropped = true;
      return true;
    }
    return false;
  });
  EXPECT_TRUE(dropped);
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
}

TEST(DtlsTransportTest, ReleasedServerResendsFinalFlightAndStillSendsCloseNotify) {
  DtlsConfig server;
  server.release_after_handshake = true;
  Call call(server);
  size_t dropped = 0;
  call.run([&](Dir dir, size_t, std::span<const uint8_t> d) {
    if (dir == Dir::ToClient && dropped < 2 && d[0] == 20) {  // ChangeCipherSpec + Finished
      ++dropped;
      return true;
    }
    return false;
  });
  EXPECT_EQ(dropped, 2u);  // the first send and the first resend from the released server
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
  EXPECT_TRUE(call.server->released());
  EXPECT_FALSE(call.client->released());

  call.server->close();
  EXPECT_EQ(call.server->state(), DtlsState::Closed);
  auto out = call.server->take_outgoing();
  ASSERT_EQ(out.size(), 1u);
  call.client->feed(out[0]);
  EXPECT_EQ(call.client->state(), DtlsState::Closed);  // a valid close_notify, made earlier
  EXPECT_TRUE(call.client->failure_reason().empty());
}

TEST(DtlsTransportTest, ReleasedServerIgnoresLaterRecordsAndBoundsResends) {
  DtlsConfig server;
  server.release_after_handshake = true;
  Call call(server);
  call.run();
  ASSERT_TRUE(call.server->released());
  (void)call.server->take_outgoing();
  call.client->close();
  auto notify = call.client->take_outgoing();
  ASSERT_EQ(notify.size(), 1u);
  const uint64_t ignored = call.server->ignored_datagrams();
  call.server->feed(notify[0]);  // cannot be authenticated any more: ignored
  EXPECT_EQ(call.server->state(), DtlsState::Connected);
  EXPECT_EQ(call.server->ignored_datagrams(), ignored + 1);
  EXPECT_FALSE(call.server->has_outgoing());

  std::mt19937 rng(7);
  size_t answered = 0;
  for (int i = 0; i < 100; ++i) {
    std::vector<uint8_t> d(13 + rng() % 200);
    for (auto& b : d)
      b = static_cast<uint8_t>(rng());
    d[0] = static_cast<uint8_t>(i % 2 ? 22 : 20 + rng() % 44);
    call.server->feed(d);
    if (!call.server->take_outgoing().empty()) ++answered;
  }
  EXPECT_EQ(answered, DtlsTransport::MaxFinalFlightResends);
  EXPECT_EQ(call.server->state(), DtlsState::Connected);
  EXPECT_TRUE(call.server->srtp_keys());
}

TEST(DtlsTransportTest, RespectsSmallMtu) {
  DtlsConfig server, client;
  server.mtu = client.mtu = 300;
  Call call(server, client);
  call.mtu = 300;
  call.run();
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
  EXPECT_GT(call.sent[1], 3u);  // the certificate flight was fragmented
}

TEST(DtlsTransportTest, HandshakeTimesOutWithoutPeer) {
  DtlsConfig client;
  client.role = DtlsRole::Client;
  client.remote_fingerprint = server_context()->certificate().fingerprint();
  client.initial_timeout = 20ms;
  client.max_timeout = 40ms;
  DtlsTransport t(client_context(), client);
  t.start();
  EXPECT_EQ(t.take_outgoing().size(), 1u);  // ClientHello
  auto first = t.next_timeout(Clock::now());
  ASSERT_TRUE(first);
  EXPECT_LE(*first, Clock::now() + 20ms);
  size_t retransmissions = 0;
  const auto deadline = Clock::now() + 3s;
  while (t.state() == DtlsState::Handshaking && Clock::now() < deadline) {
    if (auto at = t.next_timeout(Clock::now())) std::this_thread::sleep_until(*at);
    t.handle_timeout(Clock::now());
    retransmissions += t.take_outgoing().size();
  }
  EXPECT_EQ(t.state(), DtlsState::Failed);
  EXPECT_FALSE(t.failure_reason().empty());
  EXPECT_GE(retransmissions, 10u);
}

TEST(DtlsTransportTest, CloseNotifyClosesPeer) {
  Call call;
  call.run();
  ASSERT_EQ(call.server->state(), DtlsState::Connected);
  call.client->close();
  EXPECT_EQ(call.client->state(), DtlsState::Closed);
  auto out = call.client->take_outgoing();
  ASSERT_EQ(out.size(), 1u);
  call.server->feed(out[0]);
  EXPECT_EQ(call.server->state(), DtlsState::Closed);
  EXPECT_TRUE(call.server->failure_reason().empty());
}

TEST(DtlsTransportTest, IgnoresNonDtlsOversizedAndLateInput) {
  Call call;
  const std::vector<uint8_t> stun = {0x00, 0x01, 0x00, 0x00};
  const std::vector<uint8_t> huge(DtlsTransport::MaxDatagramSize + 1, 22);
  call.server->feed(stun);
  call.server->feed(huge);
  EXPECT_EQ(call.server->ignored_datagrams(), 2u);
  EXPECT_EQ(call.server->state(), DtlsState::New);
  call.client->feed(std::vector<uint8_t>(20, 22));  // a client that was never started
  EXPECT_EQ(call.client->ignored_datagrams(), 1u);
  call.run();
  expect_crosswise_keys(*call.server, *call.client, SrtpAeadAes128Gcm);
}

TEST(DtlsTransportTest, RandomGarbageFailsCleanlyOrIsIgnored) {
  std::mt19937 rng(2024);
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    DtlsConfig cfg;
    cfg.remote_fingerprint = client_context()->certificate().fingerprint();
    DtlsTransport server(server_context(), cfg);
    std::vector<uint8_t> d(1 + rng() % 300);
    for (auto& b : d)
      b = static_cast<uint8_t>(rng());
    d[0] = static_cast<uint8_t>(20 + rng() % 44);
    if (i % 2) {  // make the record header plausible so OpenSSL parses further
      d.resize(std::max<size_t>(d.size(), 26));
      d[0] = 22, d[1] = 0xfe, d[2] = 0xfd, d[3] = 0, d[4] = 0;
      d[11] = static_cast<uint8_t>((d.size() - 13) >> 8);
      d[12] = static_cast<uint8_t>(d.size() - 13);
      d[13] = 1;  // ClientHello
    }
    server.feed(d);
    server.feed(d);
    if (server.state() == DtlsState::Failed) {
      ++failed;
      EXPECT_FALSE(server.failure_reason().empty());
      EXPECT_FALSE(server.srtp_keys());
    } else {
      EXPECT_EQ(server.state(), DtlsState::Handshaking);
    }
    (void)server.take_outgoing();
  }
  EXPECT_GT(failed, 0);  // malformed ClientHellos are fatal, with a reason
}

TEST(DtlsTransportTest, GarbageAfterConnectDoesNotBreakSession) {
  Call call;
  call.run();
  ASSERT_EQ(call.server->state(), DtlsState::Connected);
  std::mt19937 rng(99);
  for (int i = 0; i < 500; ++i) {
    std::vector<uint8_t> d(13 + rng() % 200);
    for (auto& b : d)
      b = static_cast<uint8_t>(rng());
    d[0] = 23;  // application data
    d[1] = 0xfe, d[2] = 0xfd, d[3] = 0, d[4] = 1;
    call.server->feed(d);
  }
  // Records that fail decryption are dropped silently (RFC 6347 4.1.2.7).
  EXPECT_EQ(call.server->state(), DtlsState::Connected);
  EXPECT_TRUE(call.server->srtp_keys());
}

TEST(DtlsTransportTest, InvalidConfigFailsAtConstruction) {
  DtlsConfig a;
  a.srtp_profiles = {0x0002};
  EXPECT_EQ(DtlsTransport(server_context(), a).state(), DtlsState::Failed);
  DtlsConfig b;
  b.srtp_profiles = {};
  EXPECT_EQ(DtlsTransport(server_context(), b).state(), DtlsState::Failed);
  DtlsConfig c;
  c.mtu = 10;
  DtlsTransport tc(server_context(), c);
  EXPECT_EQ(tc.state(), DtlsState::Failed);
  EXPECT_NE(tc.failure_reason().find("MTU"), std::string::npos);
  const uint8_t hello[] = {22, 0xfe, 0xfd};
  tc.feed(hello);  // ignored, no crash
  EXPECT_EQ(tc.ignored_datagrams(), 1u);
}

}  // namespace
}  // namespace webrtc::dtls
