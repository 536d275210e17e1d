// rtmpEncryption on the listener: which ports open, the RTMP handshake carried over TLS, and
// what happens to RTMP bytes and to a silent client on the RTMPS port.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <thread>

#include "app/node_credentials.hpp"
#include "app/rtmp_listener.hpp"
#include "tls/tls_test_support.hpp"

namespace app {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr size_t HandshakeSize = 1536;  // C1, S1 and S2 (RTMP 5.2)

// A node's RTMP side on one loop of its own, with the test CA's certificate for RTMPS.
class RtmpsNode {
 public:
  explicit RtmpsNode(RtmpEncryption encryption) {
    const auto cert = pki.issue("server");
    store = std::make_shared<tls::TlsContextStore>("RTMPS", cert.cert_file, cert.key_file);
    config.rtmp_address = {"127.0.0.1", 0};
    config.rtmps_address = {"127.0.0.1", 0};
    config.rtmp_encryption = encryption;
    config.rtmp_handshake_timeout = 1s;
    credentials.emplace(make_node_credentials(config));
    listener.emplace(pool, registry, config, *credentials->policy, *credentials->failed_auth,
                     counters, store);
  }
  ~RtmpsNode() {
    if (!thread.joinable()) return;
    asio::post(pool.main(), [this] { listener->stop(); });
    pool.stop();
    thread.join();
  }
  void run() {
    listener->start();
    thread = std::thread([this] { pool.run(); });
  }

  tls::test::TestPki pki;
  std::shared_ptr<tls::TlsContextStore> store;
  Config config;
  std::optional<NodeCredentials> credentials;
  media::StreamRegistry registry{media::StreamRegistry::Options{}};
  NodeCounters counters;
  IoPool pool{1};
  std::optional<RtmpListener> listener;
  std::thread thread;
};

TEST(RtmpListenerTls, EncryptionDecidesWhichPortsOpen) {
  RtmpsNode strict(RtmpEncryption::Strict);
  EXPECT_EQ(strict.listener->port(), 0);
  EXPECT_NE(strict.listener->tls_port(), 0);
  RtmpsNode optional(RtmpEncryption::Optional);
  EXPECT_NE(optional.listener->port(), 0);
  EXPECT_NE(optional.listener->tls_port(), 0);
  RtmpsNode plain(RtmpEncryption::No);
  EXPECT_NE(plain.listener->port(), 0);
  EXPECT_EQ(plain.listener->tls_port(), 0);
}

TEST(RtmpListenerTls, CarriesTheRtmpHandshakeOverTls) {
  RtmpsNode node(RtmpEncryption::Strict);
  node.run();
  asio::io_context io;
  auto context = tls::make_client_context(node.pki.ca_file());
  asio::ssl::stream<tcp::socket> client(io, *context);
  ASSERT_TRUE(tls::expect_peer_name(client.native_handle(), "127.0.0.1"));
  client.next_layer().connect({asio::ip::make_address("127.0.0.1"), node.listener->tls_port()});
  client.handshake(asio::ssl::stream_base::client);
  std::vector<uint8_t> c0c1(1 + HandshakeSize, 0x42);
  c0c1[0] = 3;  // RTMP version
  asio::write(client, asio::buffer(c0c1));
  std::vector<uint8_t> s0s1s2(1 + 2 * HandshakeSize);
  asio::read(client, asio::buffer(s0s1s2));
  EXPECT_EQ(s0s1s2[0], 3);
  // S2 echoes C1 (RTMP 5.2.4).
  EXPECT_TRUE(std::equal(c0c1.begin() + 1 + 8, c0c1.end(), s0s1s2.begin() + 1 + HandshakeSize + 8));
}

// Reads until the server closes; false when it is still open after `limit`.
bool closed_within(tcp::socket& s, std::chrono::milliseconds limit) {
  s.non_blocking(false);
  timeval tv{static_cast<time_t>(limit.count() / 1000),
             static_cast<suseconds_t>(limit.count() % 1000 * 1000)};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::array<char, 4096> buf;
  boost::system::error_code ec;
  while (!ec)
    s.read_some(asio::buffer(buf), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

TEST(RtmpListenerTls, RtmpBytesAndSilenceOnTheRtmpsPortAreClosed) {
  RtmpsNode node(RtmpEncryption::Strict);
  node.run();
  asio::io_context io;
  tcp::socket plain(io);
  plain.connect({asio::ip::make_address("127.0.0.1"), node.listener->tls_port()});
  std::vector<uint8_t> c0c1(1 + HandshakeSize, 0);
  c0c1[0] = 3;
  asio::write(plain, asio::buffer(c0c1));
  EXPECT_TRUE(closed_within(plain, 2000ms));
  // Connected but never saying hello: the handshake deadline (1 s here) ends it.
  tcp::socket silent(io);
  silent.connect({asio::ip::make_address("127.0.0.1"), node.listener->tls_port()});
  const auto begun = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_within(silent, 4000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - begun, 900ms);
}

}  // namespace
}  // namespace app
