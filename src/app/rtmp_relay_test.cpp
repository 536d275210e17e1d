#include "app/rtmp_relay.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <thread>

#include "rtmp/server_connection.hpp"
#include "tls/tls_context_store.hpp"
#include "tls/tls_test_support.hpp"

namespace app {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Bytes = std::vector<uint8_t>;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// avcC of a 320x240 Main profile stream with 4-byte NAL lengths (as in flv_demuxer_test.cpp).
const Bytes Avcc = {0x01, 0x4d, 0x40, 0x0d, 0xff, 0xe1, 0x00, 0x18, 0x67, 0x4d, 0x40, 0x0d, 0xec,
                    0xa0, 0xa0, 0xfd, 0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03,
                    0x01, 0xe0, 0x78, 0xa1, 0x4c, 0xb0, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2};

// One NAL unit carrying the frame index at bytes 5..8 of the frame data (after length + header).
Bytes nal_frame(bool key, uint32_t index, size_t size) {
  Bytes b = {static_cast<uint8_t>(key ? 0x17 : 0x27), 0x01, 0, 0, 0};
  const uint32_t nal_len = static_cast<uint32_t>(size);
  for (int s = 24; s >= 0; s -= 8)
    b.push_back(static_cast<uint8_t>(nal_len >> s));
  b.push_back(key ? 0x65 : 0x41);
  for (int s = 24; s >= 0; s -= 8)
    b.push_back(static_cast<uint8_t>(index >> s));
  b.resize(5 + 4 + size, 0x5a);
  return b;
}

uint32_t frame_index(const media::Frame& f) {
  if (f.data.size() < 9) return ~0u;
  return uint32_t{f.data[5]} << 24 | uint32_t{f.data[6]} << 16 | uint32_t{f.data[7]} << 8 |
         f.data[8];
}

// A minimal RTMP origin on 127.0.0.1 running on its own thread: accepts play (or refuses it)
// and then serves an AVC sequence header and `frames` frames, one every `interval`.
class TestServer {
 public:
  struct Settings {
    std::string refuse;
    int frames = 300;
    std::chrono::microseconds interval{3000};
    tls::ContextPtr tls;  // set: an RTMPS origin
  };

  TestServer(Settings settings, uint16_t port = 0)
      : settings_(std::move(settings)), acceptor_(io_) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    accept_next();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() { stop(); }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      for (auto& s : sessions_)
        s->close();
      sessions_.clear();
    });
    thread_.join();
  }

  std::vector<std::string> queries() const {
    std::lock_guard lock(mutex_);
    return queries_;
  }
  std::map<uint32_t, int64_t> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  class Session : public std::enable_shared_from_this<Session>, rtmp::ServerConnection::Listener {
   public:
    Session(TestServer& server, tcp::socket socket)
        : server_(server),
          socket_(std::move(socket), server.settings_.tls),
          timer_(socket_.get_executor()),
          conn_(*this) {}
    void start() {
      socket_.next_layer().set_option(tcp::no_delay(true));
      socket_.async_handshake(asio::ssl::stream_base::server,
                              [self = shared_from_this()](boost::system::error_code ec) {
                                if (!ec) self->read();
                              });
    }
    void close() {
      closed_ = true;
      boost::system::error_code ec;
      timer_.cancel();
      socket_.next_layer().close(ec);
    }

   private:
    std::string on_publish(const rtmp::StreamKey&) override { return "play only"; }
    std::string on_play(const rtmp::StreamKey& key) override {
      std::lock_guard lock(server_.mutex_);
      server_.queries_.push_back(key.query);
      return server_.settings_.refuse;
    }
    void on_media(const rtmp::Message&) override {}
    void on_stream_closed() override {}

    void read() {
      socket_.async_read_some(
          asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
            if (ec) return;
            const bool ok = self->conn_.feed(std::span<const uint8_t>(self->buf_.data(), n));
            self->flush();
            if (!ok) return;  // the refusal is on its way; the client hangs up
            if (self->conn_.state() == rtmp::ServerConnection::State::Playing && !self->sending_) {
              self->sending_ = true;
              const Bytes seq_head = {0x17, 0x00, 0, 0, 0};
              self->conn_.send_media(rtmp::MessageType::Video, 0, seq_head, Avcc);
              self->next_frame();
            }
            self->read();
          });
    }
    void next_frame() {
      if (closed_ || index_ >= static_cast<uint32_t>(server_.settings_.frames)) return;
      const bool key = index_ % 30 == 0;
      const Bytes body = nal_frame(key, index_, key ? 20000 : 1500 + index_ % 7 * 100);
      {
        std::lock_guard lock(server_.mutex_);
        server_.sent_[index_] = now_ns();
      }
      conn_.send_media(rtmp::MessageType::Video, index_ * 33, {}, body);
      flush();
      ++index_;
      timer_.expires_after(server_.settings_.interval);
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->next_frame();
      });
    }
    void flush() {
      if (!conn_.has_output()) return;
      auto bytes = std::make_shared<Bytes>(conn_.take_output());
      // Loopback with small frames: the kernel buffer takes each write at once.
      asio::async_write(socket_, asio::buffer(*bytes),
                        [bytes, self = shared_from_this()](boost::system::error_code, size_t) {});
    }

    TestServer& server_;
    tls::MaybeTlsStream<tcp::socket> socket_;
    asio::steady_timer timer_;
    rtmp::ServerConnection conn_;
    std::array<uint8_t, 16384> buf_{};
    bool sending_ = false;
    bool closed_ = false;
    uint32_t index_ = 0;
  };

  void accept_next() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(*this, std::move(socket));
      sessions_.push_back(s);
      s->start();
      accept_next();
    });
  }

  const Settings settings_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> queries_;
  std::map<uint32_t, int64_t> sent_;
};

TestServer::Settings short_run() {
  TestServer::Settings s;
  s.frames = 40;
  return s;
}

// A local viewer of the relayed path: records each frame's index and arrival time.
struct Probe : media::StreamReader {
  void on_frame(const media::FramePtr& frame) override {
    std::lock_guard lock(mutex);
    got.emplace_back(frame_index(*frame), now_ns());
    keys.push_back(frame->keyframe);
  }
  void on_publisher_stopped() override { ++stopped; }
  size_t count() const {
    std::lock_guard lock(mutex);
    return got.size();
  }
  mutable std::mutex mutex;
  std::vector<std::pair<uint32_t, int64_t>> got;
  std::vector<bool> keys;
  std::atomic<int> stopped{0};
};

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

// The relay's loop on its own thread; the fixture checks that stop() leaves it no work.
class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { loop_.run(); });
    stream_ = registry_.open_for_reading("live/stream");
    stream_->subscribe(probe_);
  }
  void TearDown() override {
    if (thread_.joinable()) finish();
    registry_.close_reader(stream_, probe_.get());
  }
  std::shared_ptr<RtmpRelay> make_relay(uint16_t port, std::function<std::string()> query = {},
                                        tls::ContextPtr tls = nullptr) {
    RelayOptions o;
    o.tls = std::move(tls);
    o.upstream_host = "127.0.0.1";
    o.upstream_port = port;
    o.query = std::move(query);
    o.reconnect_min = std::chrono::milliseconds(50);
    o.reconnect_max = std::chrono::milliseconds(400);
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.read_timeout = std::chrono::milliseconds(3000);
    return std::make_shared<RtmpRelay>(loop_, registry_, std::move(o), config_);
  }
  // stop() must cancel every timer and socket: the loop then runs out of work by itself.
  void finish() {
    guard_.reset();
    const bool drained = wait_for([&] { return loop_.stopped(); }, std::chrono::seconds(5));
    EXPECT_TRUE(drained) << "the relay left work on its loop after stop()";
    if (!drained) loop_.stop();
    thread_.join();
  }

  Config config_;
  media::StreamRegistry registry_{media::StreamRegistry::Options{}};
  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{loop_.get_executor()};
  std::thread thread_;
  std::shared_ptr<media::Stream> stream_;
  std::shared_ptr<Probe> probe_ = std::make_shared<Probe>();
};

TEST_F(RelayTest, RelaysFramesInOrderWithLowDelay) {
  TestServer server({});
  auto relay = make_relay(server.port(), [] { return std::string("jwt=read.token"); });
  relay->start();
  relay->start();  // idempotent
  ASSERT_TRUE(wait_for([&] { return probe_->count() >= 300; })) << probe_->count();
  EXPECT_TRUE(stream_->has_publisher());
  const auto st = stream_->status();
  EXPECT_EQ(st.publisher_address, "relay from 127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(st.width, 320u);
  const auto rs = relay->status();
  EXPECT_TRUE(rs.connected);
  EXPECT_TRUE(rs.publishing);
  EXPECT_EQ(rs.frames, 300u);
  EXPECT_EQ(rs.reconnects, 0u);
  EXPECT_EQ(server.queries(), std::vector<std::string>{"jwt=read.token"});  // one connection

  const auto sent = server.sent();
  std::vector<int64_t> delays;
  {
    std::lock_guard lock(probe_->mutex);
    ASSERT_EQ(probe_->got.size(), 300u);
    for (uint32_t i = 0; i < 300; ++i) {
      ASSERT_EQ(probe_->got[i].first, i) << "frames out of order";
      EXPECT_EQ(probe_->keys[i], i % 30 == 0);
      delays.push_back(probe_->got[i].second - sent.at(i));
    }
  }
  std::sort(delays.begin(), delays.end());
  const double median_ms = static_cast<double>(delays[delays.size() / 2]) / 1e6;
  const double p90_ms = static_cast<double>(delays[delays.size() * 9 / 10]) / 1e6;
  const double max_ms = static_cast<double>(delays.back()) / 1e6;
  std::cout << "relay delay over 300 frames: median " << median_ms << " ms, p90 " << p90_ms
            << " ms, max " << max_ms << " ms\n";
  RecordProperty("relay_delay_median_us", static_cast<int>(median_ms * 1000));
  RecordProperty("relay_delay_p90_us", static_cast<int>(p90_ms * 1000));
  EXPECT_LT(median_ms, 20.0);  // loopback plus one hop: a few ms at most, generous for ASan

  relay->stop();
  relay->stop();
  ASSERT_TRUE(wait_for([&] { return !stream_->has_publisher(); }));
  EXPECT_FALSE(relay->status().running);
  finish();
  EXPECT_EQ(relay.use_count(), 1);  // no handler kept it alive
}

TEST_F(RelayTest, ReconnectsWhenUpstreamRestarts) {
  auto server = std::make_unique<TestServer>(short_run());
  const uint16_t port = server->port();
  std::atomic<int> tokens{0};
  auto relay = make_relay(port, [&tokens] { return "jwt=t" + std::to_string(++tokens); });
  relay->start();
  ASSERT_TRUE(wait_for([&] { return probe_->count() >= 40; }));
  EXPECT_TRUE(stream_->has_publisher());

  server.reset();  // the main node goes away
  ASSERT_TRUE(wait_for([&] { return !stream_->has_publisher(); }));
  EXPECT_GE(probe_->stopped.load(), 1);
  ASSERT_TRUE(wait_for([&] { return relay->status().reconnects >= 2; }));  // backing off
  EXPECT_FALSE(relay->status().connected);
  EXPECT_FALSE(relay->status().last_error.empty());

  server = std::make_unique<TestServer>(short_run(), port);  // back
  ASSERT_TRUE(wait_for([&] { return probe_->count() >= 80; })) << probe_->count();
  EXPECT_TRUE(stream_->has_publisher());
  EXPECT_TRUE(relay->status().publishing);
  {
    std::lock_guard lock(probe_->mutex);
    EXPECT_EQ(probe_->got[40].first, 0u);  // the new upstream's first frame
  }
  // Every attempt asked for a fresh token.
  const auto queries = server->queries();
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_EQ(queries[0], "jwt=t" + std::to_string(tokens.load()));
  EXPECT_GE(tokens.load(), 3);

  relay->stop();
  ASSERT_TRUE(wait_for([&] { return !stream_->has_publisher(); }));
  finish();
  EXPECT_EQ(relay.use_count(), 1);
}

TEST_F(RelayTest, RefusedPlayIsReportedAndRetried) {
  TestServer::Settings refusing;
  refusing.refuse = "a token is required to play live/stream";
  TestServer server(refusing);
  auto relay = make_relay(server.port());
  relay->start();
  ASSERT_TRUE(wait_for([&] { return server.queries().size() >= 3; }));
  const auto st = relay->status();
  EXPECT_NE(st.last_error.find("a token is required"), std::string::npos) << st.last_error;
  EXPECT_FALSE(st.publishing);
  EXPECT_EQ(st.frames, 0u);
  EXPECT_FALSE(stream_->has_publisher());
  relay->stop();
  finish();
  EXPECT_EQ(relay.use_count(), 1);
}

TEST_F(RelayTest, UnreachableUpstreamBacksOffAndStops) {
  uint16_t port = 0;
  {
    TestServer probe_server({});
    port = probe_server.port();
  }  // closed: connections to it are refused
  auto relay = make_relay(port);
  relay->start();
  ASSERT_TRUE(wait_for([&] { return relay->status().reconnects >= 3; }));
  EXPECT_NE(relay->status().last_error.find("cannot connect"), std::string::npos);
  relay->stop();
  finish();
  EXPECT_FALSE(relay->status().running);
  EXPECT_EQ(relay.use_count(), 1);
}

TEST_F(RelayTest, PullsOverRtmpsVerifyingTheOrigin) {
  tls::test::TestPki pki;
  const auto cert = pki.issue("origin");
  tls::TlsContextStore store("RTMPS", cert.cert_file, cert.key_file);
  TestServer::Settings secure = short_run();
  secure.tls = store.current();
  TestServer server(secure);
  auto relay = make_relay(server.port(), {}, tls::make_client_context(pki.ca_file()));
  relay->start();
  ASSERT_TRUE(wait_for([&] { return probe_->count() >= 40; })) << relay->status().last_error;
  EXPECT_TRUE(relay->status().publishing);
  relay->stop();
  finish();
  EXPECT_EQ(relay.use_count(), 1);
}

TEST_F(RelayTest, RefusesAnRtmpsOriginItCannotVerify) {
  tls::test::TestPki pki, stranger;
  const auto cert = pki.issue("origin");
  tls::TlsContextStore store("RTMPS", cert.cert_file, cert.key_file);
  TestServer::Settings secure = short_run();
  secure.tls = store.current();
  TestServer server(secure);
  auto relay = make_relay(server.port(), {}, tls::make_client_context(stranger.ca_file()));
  relay->start();
  ASSERT_TRUE(wait_for([&] { return relay->status().reconnects >= 2; }));
  EXPECT_NE(relay->status().last_error.find("TLS handshake failed: certificate verify failed"),
            std::string::npos)
      << relay->status().last_error;
  EXPECT_EQ(probe_->count(), 0u);
  EXPECT_TRUE(server.queries().empty());  // nothing (no token) was sent to it
  relay->stop();
  finish();
  EXPECT_EQ(relay.use_count(), 1);
}

}  // namespace
}  // namespace app
