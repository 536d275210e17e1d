#include "http/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "http/http_server.hpp"

namespace http {
namespace {

TEST(ParseHttpUrl, AcceptsHostPortOnly) {
  auto u = parse_http_url("http://main:8000");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "main");
  EXPECT_EQ(u->port, 8000);
  EXPECT_EQ(parse_http_url("http://10.0.0.5/")->port, 80);
  EXPECT_EQ(parse_http_url("http://[::1]:9000")->host, "::1");
  EXPECT_FALSE(parse_http_url("http://main:8000")->tls);
  const auto secure = parse_http_url("https://main.example.org");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(parse_http_url("https://main:8443/")->port, 8443);
  for (const char* bad :
       {"httpss://main:8000", "https://", "https:/main", "http://", "http://main:0",
        "http://main:70000", "http://main:80/api", "http://ma in", "ftp://x", "http://[::1",
        "http://main:", "http://:80", "http://a@b:80"}) {
    EXPECT_FALSE(parse_http_url(bad)) << bad;
  }
}

TEST(HttpClient, PostsAndReadsTheAnswer) {
  boost::asio::io_context loop;
  Router router;
  router.add(Verb::post, "/echo", [](const RequestContext& c) {
    return make_response(c.request, Status::ok, "text/plain",
                         c.request.body() + "|" + std::string(c.request["X-Test"]));
  });
  HttpServer server(
      loop, [&loop]() -> boost::asio::io_context& { return loop; },
      {boost::asio::ip::make_address("127.0.0.1"), 0}, router, ServerLimits{}, "test");
  server.start();
  ClientRequest req;
  req.verb = Verb::post;
  req.url = {"127.0.0.1", server.port()};
  req.target = "/echo";
  req.body = "hello";
  req.headers = {{"X-Test", "42"}};
  ClientResponse got;
  async_request(loop, req, [&](ClientResponse r) {
    got = std::move(r);
    server.stop();
  });
  loop.run_for(std::chrono::seconds(5));
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_EQ(got.body, "hello|42");
}

TEST(HttpClient, ReportsRefusedAndSilentPeers) {
  boost::asio::io_context loop;
  // A listener that accepts and never answers: the deadline must fire.
  boost::asio::ip::tcp::acceptor silent(loop, {boost::asio::ip::make_address("127.0.0.1"), 0});
  boost::asio::ip::tcp::socket held(loop);
  silent.async_accept(held, [](boost::system::error_code) {});
  ClientRequest req;
  req.url = {"127.0.0.1", silent.local_endpoint().port()};
  req.timeout = std::chrono::milliseconds(300);
  ClientResponse slow;
  async_request(loop, req, [&](ClientResponse r) { slow = std::move(r); });
  ClientRequest closed_port;
  closed_port.url = {"127.0.0.1", 1};
  ClientResponse refused;
  async_request(loop, closed_port, [&](ClientResponse r) { refused = std::move(r); });
  loop.run_for(std::chrono::seconds(3));
  EXPECT_EQ(slow.status, 0);
  EXPECT_FALSE(slow.error.empty());
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(refused.error.find("connect"), std::string::npos) << refused.error;
}

}  // namespace
}  // namespace http
