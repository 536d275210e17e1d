#include "tls/maybe_tls_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tls/tls_context_store.hpp"
#include "tls/tls_test_support.hpp"

namespace tls {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Stream = MaybeTlsStream<tcp::socket>;
using test::TestPki;
// Longer than a TLS record header, so a TLS server fails on it rather than waiting for more.
constexpr std::string_view Ping = "ping ping ping!!";

struct Outcome {
  boost::system::error_code server;  // the server's handshake
  boost::system::error_code client;  // the client's handshake
  std::string echoed;
};

// One connection: the client sends 16 bytes, the server echoes it.
Outcome exchange(ContextPtr server_context, ContextPtr client_context, const std::string& name,
                 int client_max_version = 0) {
  asio::io_context loop;
  tcp::acceptor acceptor(loop, {asio::ip::make_address("127.0.0.1"), 0});
  Outcome out;
  std::unique_ptr<Stream> server, client;
  std::array<char, 16> server_buf{}, client_buf{};
  acceptor.async_accept([&](boost::system::error_code ec, tcp::socket s) {
    ASSERT_FALSE(ec);
    server = std::make_unique<Stream>(std::move(s), server_context);
    server->async_handshake(asio::ssl::stream_base::server, [&](boost::system::error_code ec) {
      out.server = ec;
      if (ec) {
        server->next_layer().close();
        return;
      }
      asio::async_read(
          *server, asio::buffer(server_buf), [&](boost::system::error_code ec, size_t) {
            if (!ec) asio::async_write(*server, asio::buffer(server_buf), [](auto, size_t) {});
          });
    });
  });
  client = std::make_unique<Stream>(tcp::socket(loop), client_context);
  if (client->is_tls()) {
    EXPECT_TRUE(expect_peer_name(client->native_handle(), name));
    if (client_max_version) SSL_set_max_proto_version(client->native_handle(), client_max_version);
  }
  client->next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec);
    client->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) {
      out.client = ec;
      if (ec) {
        client->next_layer().close();
        return;
      }
      asio::async_write(*client, asio::buffer(Ping.data(), Ping.size()),
                        [&](boost::system::error_code ec, size_t) {
                          if (ec) return;
                          asio::async_read(*client, asio::buffer(client_buf),
                                           [&](boost::system::error_code ec, size_t n) {
                                             if (!ec) out.echoed.assign(client_buf.data(), n);
                                           });
                        });
    });
  });
  loop.run_for(std::chrono::seconds(5));
  return out;
}

TEST(MaybeTlsStream, PlainCarriesBytes) {
  const auto out = exchange(nullptr, nullptr, "127.0.0.1");
  EXPECT_FALSE(out.server);
  EXPECT_EQ(out.echoed, Ping);
}

TEST(MaybeTlsStream, TlsVerifiesTheServerAgainstTheClusterCa) {
  TestPki pki;
  const auto c = pki.issue("server");
  TlsContextStore store("test", c.cert_file, c.key_file);
  for (const char* name : {"127.0.0.1", "localhost"}) {
    const auto out = exchange(store.current(), make_client_context(pki.ca_file()), name);
    EXPECT_FALSE(out.client) << name << ": " << out.client.message();
    EXPECT_EQ(out.echoed, Ping) << name;
  }
}

TEST(MaybeTlsStream, RefusesAnotherCaAWrongNameAndOldTls) {
  TestPki pki, other;
  const auto c = pki.issue("server");
  TlsContextStore store("test", c.cert_file, c.key_file);
  const auto stranger =
      exchange(store.current(), make_client_context(other.ca_file()), "127.0.0.1");
  EXPECT_TRUE(stranger.client);
  EXPECT_TRUE(stranger.echoed.empty());
  const auto wrong_name =
      exchange(store.current(), make_client_context(pki.ca_file()), "class.example.org");
  EXPECT_TRUE(wrong_name.client);
  // A client that speaks at most TLS 1.1 finds no protocol in common.
  auto old_client = make_client_context(pki.ca_file());
  SSL_CTX_set_min_proto_version(old_client->native_handle(), TLS1_VERSION);
  SSL_CTX_set_security_level(old_client->native_handle(), 0);
  const auto old = exchange(store.current(), old_client, "127.0.0.1", TLS1_1_VERSION);
  EXPECT_TRUE(old.server);
  EXPECT_TRUE(old.client);
}

TEST(MaybeTlsStream, PlainBytesToATlsServerFailTheHandshake) {
  TestPki pki;
  const auto c = pki.issue("server");
  TlsContextStore store("test", c.cert_file, c.key_file);
  const auto out = exchange(store.current(), nullptr, "127.0.0.1");
  EXPECT_TRUE(out.server);
  EXPECT_TRUE(out.echoed.empty());
}

}  // namespace
}  // namespace tls
