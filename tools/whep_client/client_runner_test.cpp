#include "whep_client/client_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "whep_client/whep_test_support.hpp"

namespace tools::whep_client {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

// A WHEP server on real loopback sockets around test::FakeServer, polled from one thread.
class LiveServer {
 public:
  explicit LiveServer(int post_status = 201) : post_status_(post_status) {
    acceptor_.non_blocking(true);
    udp_.non_blocking(true);
    thread_ = std::thread([this] { serve(); });
  }
  ~LiveServer() {
    stop_ = true;
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
           "/live/stream/whep";
  }
  std::atomic<int> deletes{0};
  std::string authorization;
  std::string delete_target;

 private:
  void serve() {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::vector<uint8_t> buf(2048);
    udp::endpoint client;
    size_t next_packet = 0;
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      boost::system::error_code ec;
      tcp::socket s = acceptor_.accept(ec);
      if (!ec) handle_http(s);
      for (;;) {
        const size_t n = udp_.receive_from(asio::buffer(buf), client, 0, ec);
        if (ec || !server_) break;
        server_->handle(std::span(buf.data(), n));
        server_->pump_dtls();
      }
      if (server_) {
        for (const auto& d : server_->to_client)
          udp_.send_to(asio::buffer(d), client, 0, ec);
        server_->to_client.clear();
        // Media once keyed, a few packets per millisecond.
        for (int k = 0; server_->srtp_ready() && k < 2 && next_packet < packets_.size(); ++k) {
          udp_.send_to(asio::buffer(server_->protect(packets_[next_packet++])), client, 0, ec);
        }
      }
      std::this_thread::sleep_for(1ms);
    }
  }

  void handle_http(tcp::socket& s) {
    s.non_blocking(false);
    boost::beast::flat_buffer b;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(s, b, req, ec);
    if (ec) return;
    http::response<http::string_body> res;
    res.version(11);
    if (req.method() == http::verb::post) {
      authorization = std::string(req[http::field::authorization]);
      if (post_status_ == 201) {
        server_ = std::make_unique<test::FakeServer>(req.body(), udp_.local_endpoint().port());
        // The fixture ten times over, sequence numbers and timestamps running on.
        const auto h264 = test::load_file("rtp/720p.h264");
        const auto units = test::access_units(h264);
        for (uint32_t loop = 0; loop < 10; ++loop) {
          auto more = test::packetize(units, 96, test::VideoSsrc,
                                      static_cast<uint16_t>(1000 + packets_.size()),
                                      90000 + loop * 3000 * static_cast<uint32_t>(units.size()));
          for (auto& p : more)
            packets_.push_back(std::move(p));
        }
        res.result(201);
        res.set(http::field::location, "/whep/session/abc");
        res.set(http::field::content_type, "application/sdp");
        res.body() = server_->answer;
      } else {
        res.result(post_status_);
        res.body() = "stream not found";
      }
    } else if (req.method() == http::verb::delete_) {
      ++deletes;
      delete_target = std::string(req.target());
      res.result(200);
    }
    res.prepare_payload();
    http::write(s, res, ec);
  }

  int post_status_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  udp::socket udp_{io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::unique_ptr<test::FakeServer> server_;
  std::vector<std::vector<uint8_t>> packets_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ClientRunner, ReceivesFramesOverRealSocketsAndDeletesTheSession) {
  LiveServer server;
  ClientOptions o;
  o.url = server.url();
  o.seconds = 1.5;
  o.bearer = "tok";
  o.json = true;
  testing::internal::CaptureStdout();
  const int rc = run_client(o);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(server.deletes.load(), 1);
  EXPECT_EQ(server.delete_target, "/whep/session/abc");
  EXPECT_EQ(server.authorization, "Bearer tok");
  EXPECT_NE(out.find("\"delete_status\":200"), std::string::npos) << out;
  EXPECT_NE(out.find("\"width\":1280,\"height\":720"), std::string::npos) << out;
  EXPECT_NE(out.find("\"srtp_auth_failures\":0"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"connected_ms\":null"), std::string::npos) << out;
  const size_t at = out.find("\"frames\":");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_GE(std::stoul(out.substr(at + 9)), 30u) << out;
}

TEST(ClientRunner, PostErrorExitsWithTwoAndReportsStatus) {
  LiveServer server(404);
  ClientOptions o;
  o.url = server.url();
  o.seconds = 1;
  o.json = true;
  testing::internal::CaptureStdout();
  const int rc = run_client(o);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("\"post_status\":404"), std::string::npos) << out;
  EXPECT_NE(out.find("stream not found"), std::string::npos) << out;
  EXPECT_EQ(server.deletes.load(), 0);
}

TEST(ClientRunner, BadUrlExitsWithTwo) {
  ClientOptions o;
  o.url = "https://127.0.0.1/whep";
  EXPECT_EQ(run_client(o), 2);
}

}  // namespace
}  // namespace tools::whep_client
