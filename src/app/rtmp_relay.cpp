#include "app/rtmp_relay.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

#include "app/logging.hpp"
#include "app/steady_clock.hpp"
#include "app/wall_clock.hpp"

namespace app {
namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr unsigned kMaxBackoffExponent = 16;

std::string host_port(const RelayOptions& o) {
  const bool v6 = o.upstream_host.find(':') != std::string::npos;
  return (v6 ? "[" + o.upstream_host + "]" : o.upstream_host) + ":" +
         std::to_string(o.upstream_port);
}

}  // namespace

RtmpRelay::RtmpRelay(boost::asio::io_context& loop, media::StreamRegistry& registry,
                     RelayOptions options, const Config& config)
    : loop_(loop),
      registry_(registry),
      options_(std::move(options)),
      max_message_size_(config.rtmp_max_message_size),
      upstream_(host_port(options_)),
      resolver_(loop),
      tick_(loop),
      backoff_(loop),
      read_buffer_(kReadBufferSize) {}

RtmpRelay::~RtmpRelay() {
  // Normally stop() already ended it; never leave the path owned by a dead publisher.
  if (stream_) registry_.stop_publish(stream_, publisher_id_);
}

template <typename F>
void RtmpRelay::update_status(F&& change) {
  std::lock_guard lock(status_mutex_);
  change(status_);
}

RtmpRelay::Status RtmpRelay::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void RtmpRelay::start() {
  boost::asio::post(loop_, [self = shared_from_this()] { self->do_start(); });
}

void RtmpRelay::stop() {
  boost::asio::post(loop_, [self = shared_from_this()] { self->do_stop(); });
}

void RtmpRelay::do_start() {
  if (running_) return;
  running_ = true;
  failures_ = 0;
  update_status([](Status& s) { s.running = true; });
  logger("relay")->info("relay of {} from {} started", options_.app_path, upstream_);
  connect();
}

void RtmpRelay::do_stop() {
  if (!running_) return;
  running_ = false;
  close_connection();
  update_status([](Status& s) { s.running = false; });
  logger("relay")->info("relay of {} from {} stopped", options_.app_path, upstream_);
}

void RtmpRelay::connect() {
  const uint64_t gen = ++generation_;
  const std::string query = options_.query ? options_.query() : std::string();
  auto play = rtmp::make_play_options(options_.upstream_host, options_.upstream_port,
                                      options_.app_path, query);
  play.max_message_size = max_message_size_;
  rtmp::ClientConnection::Listener& events = *this;  // a private base: convert here
  conn_ = std::make_unique<rtmp::ClientConnection>(events, std::move(play));
  playing_ = false;
  fatal_.clear();
  attempt_started_ = last_read_ = last_ping_ = std::chrono::steady_clock::now();
  arm_tick();
  socket_ = std::make_shared<Stream>(boost::asio::ip::tcp::socket(loop_), options_.tls);
  if (socket_->is_tls() && !tls::expect_peer_name(socket_->native_handle(), options_.upstream_host))
    return fail("cannot check a TLS certificate for '" + options_.upstream_host + "'");
  resolver_.async_resolve(
      options_.upstream_host, std::to_string(options_.upstream_port),
      [self = shared_from_this(), gen](boost::system::error_code ec,
                                       boost::asio::ip::tcp::resolver::results_type results) {
        if (gen != self->generation_) return;
        if (ec) {
          self->fail("cannot resolve " + self->options_.upstream_host + ": " + ec.message());
          return;
        }
        auto stream = self->socket_;
        boost::asio::async_connect(stream->next_layer(), results,
                                   [self, gen, stream](boost::system::error_code ec2,
                                                       const boost::asio::ip::tcp::endpoint&) {
                                     if (gen != self->generation_) return;
                                     if (ec2) {
                                       self->fail("cannot connect: " + ec2.message());
                                       return;
                                     }
                                     self->handshake();
                                   });
      });
}

// RTMPS: TLS first (a plain stream completes at once); the connect deadline covers it.
void RtmpRelay::handshake() {
  socket_->async_handshake(boost::asio::ssl::stream_base::client,
                           [self = shared_from_this(), gen = generation_,
                            stream = socket_](boost::system::error_code ec) {
                             if (gen != self->generation_) return;
                             if (ec) {
                               self->fail("TLS handshake failed: " +
                                          tls::handshake_failure(stream->native_handle(), ec));
                               return;
                             }
                             self->on_connected();
                           });
}

void RtmpRelay::on_connected() {
  boost::system::error_code ec;
  // Our acknowledgements and pings are tiny; never let Nagle hold them.
  socket_->next_layer().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  update_status([](Status& s) { s.connected = true; });
  logger("relay")->debug("relay of {}: connected to {}", options_.app_path, upstream_);
  flush_output();  // C0+C1
  read_some();
}

void RtmpRelay::read_some() {
  socket_->async_read_some(
      boost::asio::buffer(read_buffer_),
      [self = shared_from_this(), gen = generation_, stream = socket_](boost::system::error_code ec,
                                                                       size_t n) {
        if (gen != self->generation_) return;
        if (ec) {
          self->fail(ec == boost::asio::error::eof ? "upstream closed" : ec.message());
          return;
        }
        self->on_read(n);
      });
}

void RtmpRelay::on_read(size_t n) {
  last_read_ = std::chrono::steady_clock::now();
  // Frames are pushed from inside feed(), as each message completes.
  const bool ok = conn_->feed(std::span<const uint8_t>(read_buffer_.data(), n));
  flush_output();
  if (!ok) {
    fail("upstream: " + conn_->error());
    return;
  }
  if (!fatal_.empty()) {
    fail(fatal_);
    return;
  }
  read_some();
}

void RtmpRelay::flush_output() {
  if (!conn_ || !conn_->has_output()) return;
  write_queue_.push_back(std::make_shared<std::vector<uint8_t>>(conn_->take_output()));
  if (!writing_) write_next();
}

void RtmpRelay::write_next() {
  if (write_queue_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto bytes = write_queue_.front();  // kept alive by the handler even if the queue is cleared
  boost::asio::async_write(*socket_, boost::asio::buffer(*bytes),
                           [self = shared_from_this(), gen = generation_, bytes, stream = socket_](
                               boost::system::error_code ec, size_t) {
                             if (gen != self->generation_) return;
                             if (ec) {
                               self->fail("write failed: " + ec.message());
                               return;
                             }
                             self->write_queue_.pop_front();
                             self->write_next();
                           });
}

void RtmpRelay::arm_tick() {
  const auto period = std::clamp(std::min(options_.read_timeout, options_.connect_timeout) / 8,
                                 std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
  tick_.expires_after(period);
  tick_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
    if (ec || gen != self->generation_) return;
    self->on_tick();
  });
}

void RtmpRelay::on_tick() {
  const auto now = std::chrono::steady_clock::now();
  if (!playing_ && conn_ && conn_->state() != rtmp::ClientConnection::State::Playing &&
      now - attempt_started_ > options_.connect_timeout) {
    fail("upstream did not start playing within " +
         std::to_string(options_.connect_timeout.count()) + " ms");
    return;
  }
  if (now - last_read_ > options_.read_timeout) {
    fail("no data from upstream for " + std::to_string(options_.read_timeout.count()) + " ms");
    return;
  }
  // Our server (and most) answer a PingRequest: a silent but live upstream stays readable.
  const auto quiet = options_.read_timeout / 4;
  if (conn_ && now - last_read_ > quiet && now - last_ping_ > quiet) {
    last_ping_ = now;
    conn_->send_ping(++pings_);
    flush_output();
  }
  arm_tick();
}

void RtmpRelay::fail(const std::string& reason) {
  const bool loud = stream_ != nullptr || refused_;
  refused_ = false;
  close_connection();
  update_status([&](Status& s) { s.last_error = reason; });
  if (loud) {
    logger("relay")->warn("relay of {} from {} lost: {}", options_.app_path, upstream_, reason);
  } else {
    logger("relay")->info("relay of {} from {}: {}", options_.app_path, upstream_, reason);
  }
  if (running_) schedule_reconnect();
}

void RtmpRelay::close_connection() {
  ++generation_;  // every pending handler of this connection now returns at once
  boost::system::error_code ec;
  resolver_.cancel();
  tick_.cancel();
  backoff_.cancel();
  if (socket_) {
    socket_->next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket_->next_layer().close(ec);
  }
  write_queue_.clear();
  writing_ = false;
  playing_ = false;
  end_publish();
  conn_.reset();
  update_status([](Status& s) { s.connected = false; });
}

void RtmpRelay::schedule_reconnect() {
  const auto exponent = std::min(failures_, kMaxBackoffExponent);
  ++failures_;
  const auto delay =
      std::min(options_.reconnect_max, options_.reconnect_min * (int64_t{1} << exponent));
  update_status([](Status& s) { ++s.reconnects; });
  backoff_.expires_after(delay);
  backoff_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
    if (ec || gen != self->generation_ || !self->running_) return;
    self->connect();
  });
}

void RtmpRelay::on_replaced() {
  boost::asio::post(loop_, [self = shared_from_this()] {
    if (!self->stream_) return;
    self->stream_.reset();  // the new publisher owns the path now: do not end its publish
    self->update_status([](Status& s) { s.publishing = false; });
    self->failures_ = kMaxBackoffExponent;  // retry slowly: someone else publishes here
    if (self->running_) self->fail("replaced by another publisher on " + self->options_.app_path);
  });
}

// --- rtmp::ClientConnection::Listener (called inside feed()) -------------------------------

void RtmpRelay::on_play_start() {
  playing_ = true;
  demuxer_.emplace();  // a (new) upstream publisher resends its sequence headers
  logger("relay")->info("relay of {}: upstream {} started playing", options_.app_path, upstream_);
}

void RtmpRelay::on_play_stop(std::string_view code, std::string_view description) {
  playing_ = false;
  logger("relay")->info("relay of {}: upstream stopped ({} {})", options_.app_path, code,
                        description);
  end_publish();
}

void RtmpRelay::on_error(std::string_view, std::string_view) {
  refused_ = true;  // fail() logs the refusal (code and description are in conn_->error())
}

void RtmpRelay::on_status(std::string_view code, std::string_view description) {
  logger("relay")->debug("relay of {}: upstream status {} {}", options_.app_path, code,
                         description);
}

void RtmpRelay::on_media(const rtmp::Message& message) {
  if (!playing_ || !demuxer_ || !fatal_.empty()) return;
  auto result =
      demuxer_->on_message(message.type, message.timestamp, message.payload, steady_nanos());
  if (!result.error.empty()) {
    fatal_ = "bad media from upstream: " + result.error;
    return;
  }
  if (!result.notice.empty()) {
    logger("relay")->info("relay of {}: {}", options_.app_path, result.notice);
  }
  if (!result.frame || !ensure_publishing()) return;
  stream_->push(publisher_id_, std::move(result.frame));
  failures_ = 0;  // upstream is really live: the next loss retries quickly
  update_status([](Status& s) { ++s.frames; });
}

// The local publish starts with the first frame, not at Play.Start: our main node accepts a
// play before anyone publishes, and the sub must not claim a live stream it does not have.
bool RtmpRelay::ensure_publishing() {
  if (stream_) return true;
  media::PublisherInfo info{"relay from " + upstream_, "", options_.session_id, unix_millis()};
  auto grant = registry_.start_publish(options_.app_path, info, weak_from_this());
  if (!grant.stream) {
    fatal_ = "local publish on " + options_.app_path + " refused: " + grant.error;
    return false;
  }
  stream_ = grant.stream;
  publisher_id_ = grant.publisher_id;
  update_status([](Status& s) { s.publishing = true; });
  logger("relay")->info("relay of {} from {}: publishing locally{}", options_.app_path, upstream_,
                        grant.replaced_previous ? " (took over from the previous publisher)" : "");
  return true;
}

void RtmpRelay::end_publish() {
  demuxer_.reset();
  if (!stream_) return;
  registry_.stop_publish(stream_, publisher_id_);
  stream_.reset();
  update_status([](Status& s) { s.publishing = false; });
  logger("relay")->info("relay of {}: local publish ended", options_.app_path);
}

}  // namespace app
