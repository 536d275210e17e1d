// The handshake under loss, on an injected clock: a DTLS client (as a browser) and our server
// (configured as PeerSession configures it) exchange datagrams through a lossy wire; only
// advancing the fake clock to the next timeout lets retransmissions happen. OpenSSL's own
// timer follows that clock through openssl_clock_test_support.hpp: without it no timeout
// ever expires here (DTLS_set_timer_cb only sets durations; expiry reads gettimeofday()).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <string>

#include "webrtc/dtls/dtls_test_support.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/dtls/openssl_clock_test_support.hpp"

namespace webrtc::dtls {
namespace {

using namespace std::chrono_literals;
using Clock = DtlsTransport::Clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

using test::client_context;
using test::server_context;

enum class Dir { ToServer, ToClient };

// Which flight a datagram belongs to, from its first record (RFC 6347 4.1: content type at 0,
// epoch at 3; an epoch-0 handshake record has its message type at 13, RFC 6347 4.2.2).
enum class Flight { ClientHello, ServerHello, ClientFinished, ServerFinished, Other };

Flight flight_of(Dir dir, std::span<const uint8_t> d) {
  constexpr uint8_t ChangeCipherSpec = 20, Handshake = 22;
  if (d.size() < 14) return Flight::Other;
  const bool epoch0 = d[3] == 0 && d[4] == 0;
  if (dir == Dir::ToServer) {
    if (d[0] == Handshake && epoch0 && d[13] == 1) return Flight::ClientHello;
    return Flight::ClientFinished;  // Certificate, ClientKeyExchange, ..., Finished
  }
  if (d[0] == ChangeCipherSpec || !epoch0) return Flight::ServerFinished;
  return Flight::ServerHello;  // ServerHello .. ServerHelloDone
}

struct Sent {
  Dir dir;
  Flight flight;
  size_t copy;   // 0: the first sending of this flight, 1: its first retransmission, ...
  size_t index;  // datagram within this sending
  milliseconds at;
  std::vector<uint8_t> bytes;
};
using DropFn = std::function<bool(const Sent&)>;

using test::FakeWallClock;

struct LossyHandshake {
  // Production settings: PeerSession's server (timeouts by default, released after the
  // handshake) against a client with the same timer defaults.
  explicit LossyHandshake(bool release_server = true) {
    DtlsConfig s, c;
    s.role = DtlsRole::Server;
    s.remote_fingerprint = client_context()->certificate().fingerprint();
    s.release_after_handshake = release_server;
    c.role = DtlsRole::Client;
    c.remote_fingerprint = server_context()->certificate().fingerprint();
    server = std::make_unique<DtlsTransport>(server_context(), s);
    client = std::make_unique<DtlsTransport>(client_context(), c);
  }

  static bool settled(const DtlsTransport& t) {
    return t.state() == DtlsState::Connected || t.state() == DtlsState::Failed ||
           t.state() == DtlsState::Closed;
  }
  milliseconds elapsed() const { return duration_cast<milliseconds>(now - t0); }

  // A batch may hold a resend of one flight followed by the next flight (the timer fired, then
  // the peer's datagram arrived): each run of one flight counts as one sending of it.
  bool pump(DtlsTransport& from, DtlsTransport& to, Dir dir, const DropFn& drop) {
    auto out = from.take_outgoing();
    std::optional<Flight> run;
    size_t copy = 0, index = 0;
    for (const auto& d : out) {
      const Flight flight = flight_of(dir, d);
      if (flight != run) {
        run = flight;
        copy = copies[dir == Dir::ToServer][static_cast<int>(flight)]++;
        index = 0;
      }
      log.push_back({dir, flight, copy, index++, elapsed(), d});
      const Sent& s = log.back();
      if (drop && drop(s)) {
        ++dropped[static_cast<int>(dir)];
        continue;
      }
      to.feed(d);
    }
    return !out.empty();
  }

  // Delivers until the wire is quiet, then moves the clock to the earliest timer; ends when
  // both sides settled or nothing is left to wait for within `limit`.
  void run(const DropFn& drop, Clock::duration limit = 30s) {
    client->start();
    while (true) {
      for (bool moved = true; moved;) {
        moved = pump(*client, *server, Dir::ToServer, drop);
        moved = pump(*server, *client, Dir::ToClient, drop) || moved;
      }
      if (settled(*client) && settled(*server)) return;
      std::optional<Clock::time_point> next;
      for (auto* t : {client.get(), server.get()}) {
        if (auto at = t->next_timeout(now); at && (!next || *at < *next)) next = at;
      }
      if (!next || *next > t0 + limit) return;
      now = std::max(now, *next);
      wall.set(now);
      client->handle_timeout(now);
      server->handle_timeout(now);
    }
  }

  // When one side resent anything, in ms from the start.
  std::string schedule(Dir dir) const {
    std::string out;
    milliseconds last{-1};
    for (const auto& s : log) {
      if (s.dir != dir || s.copy == 0 || s.at == last) continue;
      out += std::to_string(s.at.count()) + " ";
      last = s.at;
    }
    return out.empty() ? "-" : out;
  }

  void expect_connected_with_matching_keys() const {
    ASSERT_EQ(server->state(), DtlsState::Connected) << server->failure_reason();
    ASSERT_EQ(client->state(), DtlsState::Connected) << client->failure_reason();
    const auto& s = *server->srtp_keys();
    const auto& c = *client->srtp_keys();
    EXPECT_EQ(s.profile, c.profile);
    EXPECT_EQ(s.local_key, c.remote_key);
    EXPECT_EQ(s.local_salt, c.remote_salt);
    EXPECT_EQ(s.remote_key, c.local_key);
    EXPECT_EQ(s.remote_salt, c.local_salt);
    EXPECT_NE(s.local_key, s.remote_key);
    std::printf(
        "connected after %lld ms; dropped %zu to server, %zu to client; resends at ms: "
        "server %s, client %s\n",
        static_cast<long long>(elapsed().count()), dropped[0], dropped[1],
        schedule(Dir::ToClient).c_str(), schedule(Dir::ToServer).c_str());
  }

  const Clock::time_point t0 = Clock::time_point{} + 1000s;  // any instant: time is ours
  Clock::time_point now = t0;
  FakeWallClock wall{t0};
  std::unique_ptr<DtlsTransport> server;
  std::unique_ptr<DtlsTransport> client;
  std::vector<Sent> log;
  size_t copies[2][5] = {};
  size_t dropped[2] = {0, 0};
};

DropFn first_sending_of(std::initializer_list<Flight> flights) {
  std::vector<Flight> f(flights);
  return [f](const Sent& s) {
    return s.copy == 0 && std::find(f.begin(), f.end(), s.flight) != f.end();
  };
}

TEST(DtlsLoss, NoLossNeedsNoTimer) {
  LossyHandshake h;
  h.run({});
  h.expect_connected_with_matching_keys();
  EXPECT_EQ(h.elapsed(), 0ms);
  EXPECT_EQ(h.schedule(Dir::ToClient) + h.schedule(Dir::ToServer), "--");
  EXPECT_TRUE(h.server->released());
  EXPECT_FALSE(h.server->next_timeout(h.now));
}

TEST(DtlsLoss, ClientsFirstFlightLost) {
  LossyHandshake h;
  h.run(first_sending_of({Flight::ClientHello}));
  h.expect_connected_with_matching_keys();
  EXPECT_EQ(h.dropped[0], 1u);
  EXPECT_EQ(h.schedule(Dir::ToServer), "200 ");  // the client's first timeout
  EXPECT_EQ(h.elapsed(), 200ms);
}

TEST(DtlsLoss, ServersFirstFlightLost) {
  LossyHandshake h;
  h.run(first_sending_of({Flight::ServerHello}));
  h.expect_connected_with_matching_keys();
  EXPECT_GE(h.dropped[1], 1u);
  EXPECT_EQ(h.schedule(Dir::ToClient), "200 ");
  EXPECT_EQ(h.elapsed(), 200ms);
}

TEST(DtlsLoss, ServersFlightLostTwiceBacksOff) {
  LossyHandshake h;
  h.run([](const Sent& s) { return s.flight == Flight::ServerHello && s.copy < 2; });
  h.expect_connected_with_matching_keys();
  EXPECT_EQ(h.schedule(Dir::ToClient), "200 600 ");  // 200 ms, then doubled to 400 ms
  EXPECT_EQ(h.elapsed(), 600ms);
}

TEST(DtlsLoss, LaterFlightLostInEachDirection) {
  // The client's Certificate .. Finished, then the server's ChangeCipherSpec + Finished.
  LossyHandshake h;
  h.run(first_sending_of({Flight::ClientFinished, Flight::ServerFinished}));
  h.expect_connected_with_matching_keys();
  EXPECT_GE(h.dropped[0], 1u);
  EXPECT_GE(h.dropped[1], 1u);
  // The server has no timer for its last flight: the client's next resend (its timeout
  // doubled to 400 ms) makes the released server repeat it.
  EXPECT_EQ(h.elapsed(), 600ms);
}

TEST(DtlsLoss, ConnectedServerAnswersOnlyAFreshResendOfTheClientsFlight) {
  // Without release the server's OpenSSL repeats its lost last flight when the client's
  // flight comes again, but only as OpenSSL resends it: with new record sequence numbers.
  LossyHandshake h(false);
  h.run(first_sending_of({Flight::ServerFinished}), 0s);  // stop before any timer
  ASSERT_EQ(h.server->state(), DtlsState::Connected);
  ASSERT_EQ(h.client->state(), DtlsState::Handshaking);
  std::vector<std::vector<uint8_t>> first_sending;
  for (const auto& s : h.log) {
    if (s.flight == Flight::ClientFinished) first_sending.push_back(s.bytes);
  }
  ASSERT_FALSE(first_sending.empty());
  for (const auto& d : first_sending)
    h.server->feed(d);  // the same bytes again: replays
  EXPECT_FALSE(h.server->has_outgoing());
  h.run({});
  h.expect_connected_with_matching_keys();
  EXPECT_EQ(h.elapsed(), 200ms);
  EXPECT_EQ(h.schedule(Dir::ToServer), "200 ");
  EXPECT_EQ(h.schedule(Dir::ToClient), "200 ");  // the answer to it
}

TEST(DtlsLoss, FivePacketsSpreadOverBothDirections) {
  LossyHandshake h;
  h.run([](const Sent& s) {
    switch (s.flight) {
      case Flight::ClientHello:
      case Flight::ClientFinished:
        return s.copy == 0;
      case Flight::ServerHello:
        return s.copy == 0 && s.index == 0;
      case Flight::ServerFinished:
        return s.copy < 2 && s.index == 0;
      default:
        return false;
    }
  });
  h.expect_connected_with_matching_keys();
  EXPECT_EQ(h.dropped[0], 2u);
  EXPECT_EQ(h.dropped[1], 3u);
  EXPECT_LT(h.elapsed(), 15s);  // PeerSession's connect_timeout
}

TEST(DtlsLoss, RandomLossBothWaysCompletesWithinTheConnectTimeout) {
  int completed = 0;
  milliseconds worst{0};
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    LossyHandshake h;
    std::mt19937 rng(seed);
    h.run([&](const Sent&) { return rng() % 100 < 25; }, 15s);
    if (h.server->state() == DtlsState::Connected && h.client->state() == DtlsState::Connected &&
        h.server->srtp_keys()->local_key == h.client->srtp_keys()->remote_key) {
      ++completed;
      worst = std::max(worst, h.elapsed());
    } else {
      ADD_FAILURE() << "seed " << seed << ": server " << h.server->failure_reason() << ", client "
                    << h.client->failure_reason();
    }
  }
  EXPECT_EQ(completed, 40);
  std::printf("25%% loss both ways: %d of 40 handshakes, slowest %lld ms\n", completed,
              static_cast<long long>(worst.count()));
}

TEST(DtlsLoss, ServerGivesUpOnASilentClientAfterABoundedTime) {
  LossyHandshake h;
  h.run([](const Sent& s) { return s.dir == Dir::ToClient; }, 120s);
  EXPECT_EQ(h.server->state(), DtlsState::Failed);
  EXPECT_FALSE(h.server->srtp_keys());
  EXPECT_FALSE(h.server->next_timeout(h.now));
  // RFC 6347 4.2.4.1 back-off from our 200 ms, capped at 10 s, until OpenSSL's limit of 12
  // timeouts; PeerSession's connect_timeout (15 s) ends the session after the sixth.
  EXPECT_EQ(h.schedule(Dir::ToClient).rfind("200 600 1400 3000 6200 12600 22600 ", 0), 0u)
      << h.schedule(Dir::ToClient);
  EXPECT_LE(h.elapsed(), 90s);
  std::printf("server resends at ms %s, fails at %lld ms: %s\n", h.schedule(Dir::ToClient).c_str(),
              static_cast<long long>(h.elapsed().count()), h.server->failure_reason().c_str());
}

}  // namespace
}  // namespace webrtc::dtls
