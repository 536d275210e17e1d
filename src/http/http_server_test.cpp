// The server on a loopback port against raw sockets: good requests, CORS, and hostile input.
#include "http/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <thread>

namespace {

namespace asio = boost::asio;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(http::Verb::get, "/health", [](const http::RequestContext& c) {
      return http::make_response(c.request, http::Status::ok, "application/json",
                                 R"({"status":"ok"})");
    });
    router_.add(http::Verb::post, "/echo", [](const http::RequestContext& c) {
      return http::make_response(c.request, http::Status::ok, "text/plain", c.request.body());
    });
    http::ServerLimits limits;
    limits.max_body_bytes = 1024;
    limits.max_header_bytes = 2048;
    server_ = std::make_unique<http::HttpServer>(
        io_, [this]() -> asio::io_context& { return io_; },
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), router_, limits, "test");
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
  }
  // Sends raw bytes, returns everything the server sends until it closes (or 2 s pass).
  std::string roundtrip(const std::string& bytes, bool half_close = true) {
    asio::io_context client;
    asio::ip::tcp::socket s(client);
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    boost::system::error_code ec;
    asio::write(s, asio::buffer(bytes), ec);
    if (half_close) s.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    std::string out;
    char buf[4096];
    for (;;) {
      const size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }

  asio::io_context io_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, ServesRequestWithCors) {
  const auto out = roundtrip("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("Access-Control-Allow-Origin: *"), std::string::npos);
  EXPECT_NE(out.find(R"({"status":"ok"})"), std::string::npos);
}

TEST_F(HttpServerTest, AnswersPreflight) {
  const auto out = roundtrip(
      "OPTIONS /live/stream/whep HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n"
      "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("204"), std::string::npos) << out;
  EXPECT_NE(out.find("Access-Control-Allow-Methods"), std::string::npos);
}

TEST_F(HttpServerTest, KeepsAliveAcrossRequests) {
  const auto out = roundtrip(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\ndef");
  EXPECT_NE(out.find("abc"), std::string::npos) << out;
  EXPECT_NE(out.find("def"), std::string::npos) << out;
}

TEST_F(HttpServerTest, RejectsOversizedBodyAndHeaders) {
  auto out = roundtrip("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(5000, 'a'));
  EXPECT_NE(out.find("413"), std::string::npos) << out;
  out = roundtrip("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'b') +
                  "\r\n\r\n");
  EXPECT_NE(out.find("413"), std::string::npos) << out;
}

TEST_F(HttpServerTest, GarbageGets400AndServerKeepsServing) {
  for (int i = 0; i < 20; ++i) {
    std::string junk(300, '\0');
    for (auto& c : junk)
      c = static_cast<char>(rand() % 256);
    junk[0] = 'X';
    const auto out = roundtrip(junk + "\r\n\r\n");
    EXPECT_TRUE(out.empty() || out.find("400") != std::string::npos) << out;
  }
  const auto out = roundtrip("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  const auto out = roundtrip("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("404"), std::string::npos) << out;
}

}  // namespace
