#include "app/ice_tcp_connection.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace app {
namespace {

using boost::asio::ip::tcp;

struct Frames : IceTcpFrameHandler {
  void on_tcp_frame(IceTcpConnection& c, std::span<uint8_t> frame) override {
    got.emplace_back(frame.begin(), frame.end());
    if (close_after && got.size() == close_after) c.close(TcpCloseKind::Closed, "enough");
  }
  std::vector<std::vector<uint8_t>> got;
  size_t close_after = 0;
};

// A connected pair on loopback: `server` becomes the IceTcpConnection, `client` the viewer.
struct Pair {
  boost::asio::io_context loop;
  tcp::acceptor acceptor{loop, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0)};
  tcp::socket client{loop};
  tcp::socket server{loop};
  Pair() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
  std::shared_ptr<IceTcpConnection> connection(Frames& frames) {
    return std::make_shared<IceTcpConnection>(
        std::move(server), frames, webrtc::ice::TransportAddress::ipv4({127, 0, 0, 1}, 1),
        IceTcpConnection::Clock::now());
  }
  void run_for(std::chrono::milliseconds ms) {
    loop.restart();
    loop.run_for(ms);
  }
};

std::vector<uint8_t> framed(const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(2 + payload.size());
  out[0] = static_cast<uint8_t>(payload.size() >> 8);
  out[1] = static_cast<uint8_t>(payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + 2);
  return out;
}

TEST(IceTcpConnection, DeliversFramesSplitAcrossReads) {
  Pair p;
  Frames frames;
  auto c = p.connection(frames);
  c->start();
  auto bytes = framed({1, 2, 3});
  const auto second = framed({4, 5});
  bytes.insert(bytes.end(), second.begin(), second.end());
  boost::asio::write(p.client, boost::asio::buffer(bytes.data(), 4));  // a frame and a half
  p.run_for(std::chrono::milliseconds(50));
  boost::asio::write(p.client, boost::asio::buffer(bytes.data() + 4, bytes.size() - 4));
  p.run_for(std::chrono::milliseconds(50));
  ASSERT_EQ(frames.got.size(), 2u);
  EXPECT_EQ(frames.got[0], (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(frames.got[1], (std::vector<uint8_t>{4, 5}));
  EXPECT_FALSE(c->closed());
}

TEST(IceTcpConnection, OversizedFrameClosesWithReason) {
  Pair p;
  Frames frames;
  auto c = p.connection(frames);
  c->start();
  const std::vector<uint8_t> bytes{0xff, 0xff, 0, 0, 0};
  boost::asio::write(p.client, boost::asio::buffer(bytes));
  p.run_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(c->closed());
  EXPECT_EQ(c->close_kind(), TcpCloseKind::Malformed);
  EXPECT_EQ(c->close_reason(), "TCP frame of 65535 bytes over the 4096-byte bound");
  EXPECT_TRUE(frames.got.empty());
  std::array<uint8_t, 8> sink{};
  boost::system::error_code ec;
  p.client.read_some(boost::asio::buffer(sink), ec);  // the server side is gone
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
}

TEST(IceTcpConnection, FramesHandedOverAreReadFirst) {
  Pair p;
  Frames frames;
  auto c = p.connection(frames);
  const auto bytes = framed({9, 9});
  c->start(bytes);
  boost::asio::write(p.client, boost::asio::buffer(framed({7})));
  p.run_for(std::chrono::milliseconds(50));
  ASSERT_EQ(frames.got.size(), 2u);
  EXPECT_EQ(frames.got[0], (std::vector<uint8_t>{9, 9}));
  EXPECT_EQ(frames.got[1], (std::vector<uint8_t>{7}));
}

TEST(IceTcpConnection, HandlerMayCloseMidStream) {
  Pair p;
  Frames frames;
  frames.close_after = 1;
  auto c = p.connection(frames);
  c->start();
  auto bytes = framed({1});
  const auto more = framed({2});
  bytes.insert(bytes.end(), more.begin(), more.end());
  boost::asio::write(p.client, boost::asio::buffer(bytes));
  p.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(frames.got.size(), 1u);  // nothing after the close
  EXPECT_EQ(c->close_reason(), "enough");
}

TEST(IceTcpConnection, SendsFramedDatagrams) {
  Pair p;
  Frames frames;
  auto c = p.connection(frames);
  c->start();
  const std::vector<uint8_t> a{1, 2, 3}, b{4};
  EXPECT_TRUE(c->send(a, IceTcpConnection::Clock::now()));
  EXPECT_TRUE(c->send(b, IceTcpConnection::Clock::now()));
  p.run_for(std::chrono::milliseconds(50));
  std::array<uint8_t, 8> got{};
  boost::asio::read(p.client, boost::asio::buffer(got.data(), 8));
  EXPECT_EQ(got, (std::array<uint8_t, 8>{0, 3, 1, 2, 3, 0, 1, 4}));
  EXPECT_EQ(c->bytes_queued(), 0u);
}

// A viewer that never reads: the kernel buffers fill, then the queue; datagrams are dropped
// whole (never blocking the caller) and the queue reports the stall.
TEST(IceTcpConnection, ViewerThatStopsReadingShowsAsStalled) {
  Pair p;
  const int small = 16 * 1024;
  ::setsockopt(p.client.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  Frames frames;
  auto c = p.connection(frames);
  c->start();
  const std::vector<uint8_t> packet(1200, 0xab);
  const auto t0 = IceTcpConnection::Clock::now();
  for (int i = 0; i < 2000; ++i) {
    c->send(packet, t0);
    if (i % 50 == 0) p.run_for(std::chrono::milliseconds(1));
  }
  p.run_for(std::chrono::milliseconds(20));
  EXPECT_GT(c->dropped_packets(), 0u);
  EXPECT_GT(c->bytes_queued(), 128u * 1024);
  EXPECT_GE(c->stalled_for(t0 + std::chrono::seconds(4)), std::chrono::seconds(3));
  EXPECT_FALSE(c->closed());  // closing is the worker's decision
}

}  // namespace
}  // namespace app
