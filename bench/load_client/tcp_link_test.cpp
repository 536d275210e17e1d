#include "load_client/tcp_link.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "load_client/viewer_session.hpp"
#include "webrtc/ice/tcp_frame_reader.hpp"
#include "webrtc/ice/tcp_frame_writer.hpp"
#include "whep_client/whep_test_support.hpp"

namespace bench::load_client {
namespace {

using namespace std::chrono_literals;
namespace wc = tools::whep_client;
using wc::test::Clock;

// The viewer session on one end of a stream socketpair through a TcpLink; the WHEP client's
// in-process server on the other, behind RFC 4571 framing done here by hand.
struct TcpPair : wc::test::Loopback<ViewerSession> {
  TcpPair() : wc::test::Loopback<ViewerSession>(ViewerSessionConfig{}) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    link.attach(fds[0]);
    peer = fds[1];
  }
  ~TcpPair() {
    if (peer >= 0) ::close(peer);
  }

  // Everything the link wrote, de-framed, to the server; true if any frame came.
  bool up() {
    bool any = false;
    for (;;) {
      auto room = framer.writable_span();
      const ssize_t n = ::recv(peer, room.data(), room.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      framer.commit(static_cast<size_t>(n));
      while (auto frame = framer.next()) {
        server->handle(*frame);
        any = true;
      }
    }
    EXPECT_FALSE(framer.failed()) << framer.error();
    return any;
  }

  void write_frame(std::span<const uint8_t> datagram) {
    std::vector<uint8_t> out(webrtc::ice::TcpFrameHeaderSize + datagram.size());
    ASSERT_EQ(webrtc::ice::write_tcp_frame(datagram, out), out.size());
    write_raw(out);
  }

  void write_raw(std::span<const uint8_t> bytes) {
    ASSERT_EQ(::send(peer, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    written += bytes.size();
  }

  void down() {
    server->pump_dtls();
    auto out = std::move(server->to_client);
    server->to_client.clear();
    for (const auto& d : out)
      write_frame(d);
  }

  void connect_over_tcp() {
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline && !server->srtp_ready()) {
      client->on_timer(Clock::now());
      link.send_queued(*client);
      const bool moved = up();
      down();
      ASSERT_TRUE(link.read_ready(*client)) << link.error();
      link.send_queued(*client);
      if (!moved) std::this_thread::sleep_for(2ms);
    }
    ASSERT_TRUE(server->srtp_ready()) << client->failure_reason();
    up();
    down();
    ASSERT_TRUE(link.read_ready(*client)) << link.error();
  }

  boost::asio::io_context io;
  TcpLink link{io};
  int peer = -1;
  webrtc::ice::TcpFrameReader framer{{.max_frame_size = 65535, .buffer_size = 80 * 1024}};
  size_t written = 0;
};

TEST(TcpLink, ConnectsAndReceivesMediaThroughFramedSocketBytes) {
  TcpPair p;
  ASSERT_NO_FATAL_FAILURE(p.connect_over_tcp());
  const auto h264 = wc::test::load_file("rtp/720p.h264");
  ASSERT_FALSE(h264.empty());
  const auto packets = wc::test::packetize(wc::test::access_units(h264), p.info.video_pts.at(0),
                                           wc::test::VideoSsrc);
  // All media frames as one byte stream, written in odd-sized pieces that split frames and
  // their length prefixes, each piece read before the next.
  std::vector<uint8_t> stream;
  for (auto packet : packets) {
    const auto d = p.server->protect(std::move(packet));
    const size_t at = stream.size();
    stream.resize(at + webrtc::ice::TcpFrameHeaderSize + d.size());
    ASSERT_GT(webrtc::ice::write_tcp_frame(d, std::span(stream).subspan(at)), 0u);
  }
  for (size_t at = 0, piece = 1; at < stream.size(); at += piece, piece = piece * 7 % 3001 + 1) {
    const size_t n = std::min(piece, stream.size() - at);
    p.write_raw(std::span(stream).subspan(at, n));
    ASSERT_TRUE(p.link.read_ready(*p.client)) << p.link.error();
  }
  const ViewerCounters c = p.client->counters();
  EXPECT_EQ(p.client->state(), ViewerState::Connected);
  EXPECT_EQ(c.video_packets, packets.size());
  EXPECT_EQ(c.unknown, 0u);
  EXPECT_TRUE(p.client->first_keyframe_at());
  const TcpLinkCounters t = p.link.counters();
  EXPECT_EQ(t.bytes_received, p.written);
  EXPECT_GT(t.bytes_sent, 0u);
  EXPECT_EQ(t.send_dropped, 0u);
}

TEST(TcpLink, ReportsTheServerClosingTheConnection) {
  TcpPair p;
  const uint8_t half[] = {0x00, 0x10, 0x01};  // a frame cut short
  p.write_raw(half);
  ::close(p.peer);
  p.peer = -1;
  // A short read counts as drained: the end of the stream shows at the next readiness.
  EXPECT_TRUE(p.link.read_ready(*p.client));
  EXPECT_FALSE(p.link.read_ready(*p.client));
  EXPECT_EQ(p.link.error(), "TCP connection closed by the server");
  EXPECT_FALSE(p.link.is_open());
  EXPECT_FALSE(p.link.read_ready(*p.client));  // stays done
}

TEST(TcpLink, AZeroLengthFrameBreaksTheFraming) {
  TcpPair p;
  const uint8_t bad[] = {0x00, 0x00, 0x00, 0x01, 0x00};
  p.write_raw(bad);
  EXPECT_FALSE(p.link.read_ready(*p.client));
  EXPECT_EQ(p.link.error().rfind("TCP framing: ", 0), 0u) << p.link.error();
  EXPECT_EQ(p.client->counters().unknown, 0u);
}

TEST(TcpLink, GarbageFramesReachTheSessionAsUnknownDatagrams) {
  TcpPair p;
  const uint8_t junk[] = {0x00, 0x03, 0xFF, 0xFE, 0xFD, 0x00, 0x01, 0x7F};
  p.write_raw(junk);
  EXPECT_TRUE(p.link.read_ready(*p.client)) << p.link.error();
  EXPECT_EQ(p.link.counters().frames_received, 2u);
  EXPECT_EQ(p.client->counters().unknown, 2u);
  EXPECT_TRUE(p.link.read_ready(*p.client));  // nothing waiting: still open
}

TEST(TcpLink, WritesEveryQueuedDatagramBehindItsLength) {
  TcpPair p;
  p.client->on_timer(Clock::now());  // the first ICE check
  ASSERT_TRUE(p.client->has_outgoing());
  p.link.send_queued(*p.client);
  EXPECT_FALSE(p.client->has_outgoing());
  uint8_t buf[2048];
  const ssize_t n = ::recv(p.peer, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_GT(n, 22);
  const size_t length = (size_t{buf[0]} << 8) | buf[1];
  EXPECT_EQ(length + 2, static_cast<size_t>(n));  // one STUN Binding request
  EXPECT_EQ(buf[2], 0x00);                        // RFC 5389 6: class/method bits
  EXPECT_EQ(buf[3], 0x01);                        // Binding request
  EXPECT_EQ(p.link.counters().bytes_sent, static_cast<uint64_t>(n));
}

}  // namespace
}  // namespace bench::load_client
