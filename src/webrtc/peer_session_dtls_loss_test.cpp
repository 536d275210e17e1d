// PeerSession's DTLS under loss on an injected clock: retransmissions come only from the
// worker's timer ticks (on_timer every 20 ms, as app::WebRtcWorker does), and a viewer whose
// handshake never completes is closed at connect_timeout.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>

#include "webrtc/dtls/openssl_clock_test_support.hpp"
#include "webrtc/peer_session.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace {

using namespace webrtc;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Capture : public DatagramSink {
 public:
  void send_datagram(std::span<const uint8_t> bytes, const TransportAddress&) override {
    out.emplace_back(bytes.begin(), bytes.end());
  }
  std::vector<std::vector<uint8_t>> out;
};

struct LossySession {
  LossySession() {
    const auto wall_now = std::chrono::system_clock::now();
    auto server_cert = dtls::DtlsCertificate::generate(wall_now);
    auto client_cert = dtls::DtlsCertificate::generate(wall_now);
    local = *ice::IceCredentials::generate();
    remote = *ice::IceCredentials::generate();
    PeerSessionConfig c;
    c.local_ice = local;
    c.remote_ice = remote;
    c.dtls_context = dtls::DtlsContext::create(server_cert);
    c.remote_fingerprint = client_cert->fingerprint();
    c.video.payload_type = 102;
    c.video.ssrc = 0x1111;
    c.cname = "test";
    session =
        std::make_unique<PeerSession>(c, sink, std::make_shared<PacketHistory>(), nullptr, now);
    dtls::DtlsConfig cc;
    cc.role = dtls::DtlsRole::Client;
    cc.remote_fingerprint = server_cert->fingerprint();
    client = std::make_unique<dtls::DtlsTransport>(dtls::DtlsContext::create(client_cert), cc);
  }

  void to_session(std::vector<uint8_t> bytes) {
    session->on_datagram(bytes, address, now, std::chrono::system_clock::now());
  }

  void check_in() {
    stun::TransactionId id{};
    id[0] = 1;
    to_session(stun::StunWriter::binding_request(
        id,
        {.username = local.ufrag + ":" + remote.ufrag,
         .priority = 100,
         .controlling = true,
         .tie_breaker = 9,
         .use_candidate = true},
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(local.pwd.data()),
                                 local.pwd.size())));
    sink.out.clear();  // the binding response
  }

  // Ticks the fake clock by 20 ms until the session is ready or closed (or `limit`), dropping
  // the server's DTLS datagrams for which `drop(n)` is true (n counts them from 0).
  void run(const std::function<bool(size_t)>& drop, Clock::duration limit) {
    check_in();
    client->start();
    while (!session->ready() && !session->closed() && now - t0 < limit) {
      for (auto& d : client->take_outgoing())
        to_session(d);
      for (auto& d : std::exchange(sink.out, {})) {
        if (!dtls::DtlsTransport::is_dtls(d)) continue;
        sent_at.push_back(now - t0);
        if (!drop(sent_at.size() - 1)) client->feed(d);
      }
      if (client->has_outgoing()) continue;
      now += 20ms;
      wall.set(now);
      session->on_timer(now, std::chrono::system_clock::now());
      if (auto at = client->next_timeout(now); at && *at <= now) client->handle_timeout(now);
    }
  }

  const Clock::time_point t0 = Clock::time_point{} + 1000s;
  Clock::time_point now = t0;
  dtls::test::FakeWallClock wall{t0};
  ice::IceCredentials local, remote;
  Capture sink;
  std::unique_ptr<PeerSession> session;
  std::unique_ptr<dtls::DtlsTransport> client;
  TransportAddress address = TransportAddress::ipv4({127, 0, 0, 1}, 50000);
  std::vector<Clock::duration> sent_at;  // the server's DTLS datagrams, from t0
};

TEST(PeerSessionDtlsLoss, TimerTicksResendTheLostServerFlight) {
  LossySession s;
  // The server's first flight (as many datagrams as it takes, all sent at once) is lost.
  s.run([&](size_t n) { return s.sent_at[n] == s.sent_at.front(); }, 15s);
  ASSERT_TRUE(s.session->ready()) << s.session->close_reason();
  // Resent on the first tick after OpenSSL's 200 ms timer (it counts under 15 ms as expired).
  const auto connect = *s.session->stats().connect_time;
  EXPECT_GE(connect, 180ms);
  EXPECT_LE(connect, 240ms);
  EXPECT_EQ(s.client->state(), dtls::DtlsState::Connected);
}

TEST(PeerSessionDtlsLoss, SilentViewerIsClosedAtConnectTimeoutAndResendsStop) {
  LossySession s;
  s.run([](size_t) { return true; }, 30s);
  ASSERT_TRUE(s.session->closed());
  EXPECT_NE(s.session->close_reason().find("DTLS handshake not completed"), std::string::npos)
      << s.session->close_reason();
  EXPECT_GE(s.now - s.t0, 15s);
  EXPECT_LE(s.now - s.t0, 15s + 20ms);
  // The first flight and its resends (back-off from 200 ms), none after the close.
  std::vector<Clock::duration> sends;
  for (auto at : s.sent_at) {
    if (sends.empty() || sends.back() != at) sends.push_back(at);
  }
  std::string listed;
  for (auto at : sends)
    listed +=
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(at).count()) + " ";
  std::printf("server DTLS flights sent at ms %s; closed at %lld ms: %s\n", listed.c_str(),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(s.now - s.t0).count()),
              s.session->close_reason().c_str());
  ASSERT_EQ(sends.size(), 7u);
  const std::chrono::milliseconds expected[] = {0ms, 200ms, 600ms, 1400ms, 3000ms, 6200ms, 12600ms};
  for (size_t i = 0; i < sends.size(); ++i) {
    const double ms = std::chrono::duration<double, std::milli>(sends[i]).count();
    EXPECT_NEAR(ms, static_cast<double>(expected[i].count()), 20.0) << "send " << i;
  }
  const size_t before = s.sink.out.size();
  s.now += 5s;
  s.wall.set(s.now);
  s.session->on_timer(s.now, std::chrono::system_clock::now());
  EXPECT_EQ(s.sink.out.size(), before);
}

}  // namespace
