// HTTPS on the same server and connection class: requests over TLS, the handshake under the
// header deadline, hostile bytes on the TLS port, a certificate reload that keeps open
// connections, and the node-to-node client verifying against the cluster's CA.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <filesystem>
#include <thread>

#include "http/http_client.hpp"
#include "http/http_server.hpp"
#include "tls/tls_test_support.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

// A blocking HTTPS client that trusts the test CA and remembers the server's certificate.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& ca_file)
      : context_(tls::make_client_context(ca_file)), stream_(io_, *context_) {
    tls::expect_peer_name(stream_.native_handle(), "127.0.0.1");
    stream_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    stream_.handshake(asio::ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    fingerprint_.assign(reinterpret_cast<char*>(md), len);
    X509_free(cert);
  }
  bhttp::response<bhttp::string_body> get(const std::string& target) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(stream_, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream_, buffer_, res);
    return res;
  }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  asio::io_context io_;
  tls::ContextPtr context_;
  asio::ssl::stream<tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
  std::string fingerprint_;
};

// Raw bytes to the port; everything the server sends until it closes or `limit` passes.
std::string raw_exchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds limit,
                         bool* closed) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  if (!bytes.empty()) asio::write(s, asio::buffer(bytes));
  std::string got;
  char buf[4096];
  *closed = false;
  std::function<void()> next = [&] {
    s.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, size_t n) {
      if (ec) {
        *closed = ec != asio::error::operation_aborted;
        return;
      }
      got.append(buf, n);
      next();
    });
  };
  next();
  io.run_for(limit);
  return got;
}

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto c = pki_.issue("server");
    cert_ = c.cert_file;
    key_ = c.key_file;
    store_ = std::make_shared<tls::TlsContextStore>("test", cert_, key_);
    router_.add(http::Verb::get, "/health", [](const http::RequestContext& c) {
      return http::make_json(c.request, http::Status::ok, R"({"status":"ok"})");
    });
    limits_.header_timeout = 400ms;
    limits_.read_timeout = 1500ms;
    server_ = std::make_unique<http::HttpServer>(
        io_, [this]() -> asio::io_context& { return io_; },
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), router_, limits_, "test", store_);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }

  tls::test::TestPki pki_;
  std::string cert_, key_;
  std::shared_ptr<tls::TlsContextStore> store_;
  asio::io_context io_;
  http::Router router_;
  http::ServerLimits limits_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpsServerTest, ServesRequestsOverTlsAndKeepsAlive) {
  TlsClient client(port(), pki_.ca_file());
  for (int i = 0; i < 2; ++i) {
    const auto res = client.get("/health");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), R"({"status":"ok"})");
  }
}

TEST_F(HttpsServerTest, PlainHttpAndGarbageGetNothingAndTheServerLives) {
  bool closed = false;
  const auto plain = raw_exchange(port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 2s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(plain.find("200"), std::string::npos) << plain;
  // A handshake record header followed by noise.
  std::string hello = "\x16\x03\x01\x00\x40";
  for (int i = 0; i < 64; ++i)
    hello += static_cast<char>(i * 37 + 11);
  raw_exchange(port(), hello, 2s, &closed);
  EXPECT_TRUE(closed);
  TlsClient client(port(), pki_.ca_file());
  EXPECT_EQ(client.get("/health").result_int(), 200);
}

TEST_F(HttpsServerTest, AConnectionThatNeverHandshakesIsCutAtTheHeaderDeadline) {
  bool closed = false;
  const auto begun = Clock::now();
  raw_exchange(port(), "", 3s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_GE(Clock::now() - begun, 350ms);
  EXPECT_LT(Clock::now() - begun, 1200ms);
}

TEST_F(HttpsServerTest, ReloadServesTheNewCertificateAndKeepsOpenConnections) {
  TlsClient before(port(), pki_.ca_file());
  EXPECT_EQ(before.get("/health").result_int(), 200);
  const auto renewed = pki_.issue("renewed");
  std::filesystem::copy_file(renewed.cert_file, cert_,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key_file, key_,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(store_->reload(), "");
  TlsClient after(port(), pki_.ca_file());
  EXPECT_NE(after.fingerprint(), before.fingerprint());
  EXPECT_EQ(after.get("/health").result_int(), 200);
  EXPECT_EQ(before.get("/health").result_int(), 200);  // the open connection still works
}

TEST_F(HttpsServerTest, ClusterClientVerifiesAgainstTheClusterCa) {
  const auto url = http::parse_http_url("https://127.0.0.1:" + std::to_string(port()));
  ASSERT_TRUE(url && url->tls);
  asio::io_context loop;
  http::ClientResponse trusted, stranger;
  http::ClientRequest req;
  req.url = *url;
  req.target = "/health";
  http::set_cluster_tls(tls::make_client_context(pki_.ca_file()));
  http::async_request(loop, req, [&](http::ClientResponse r) { trusted = std::move(r); });
  loop.run_for(3s);
  tls::test::TestPki other;
  http::set_cluster_tls(tls::make_client_context(other.ca_file()));
  loop.restart();
  http::async_request(loop, req, [&](http::ClientResponse r) { stranger = std::move(r); });
  loop.run_for(3s);
  http::set_cluster_tls(nullptr);
  EXPECT_EQ(trusted.status, 200) << trusted.error;
  EXPECT_EQ(trusted.body, R"({"status":"ok"})");
  EXPECT_EQ(stranger.status, 0);
  EXPECT_NE(stranger.error.find("TLS handshake failed"), std::string::npos) << stranger.error;
}

}  // namespace
