#include "app/rtmp_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "app/logging.hpp"
#include "app/rtmp_play_reader.hpp"
#include "app/secret_check.hpp"
#include "app/steady_clock.hpp"
#include "app/wall_clock.hpp"
#include "rtmp/flv_muxer.hpp"
#include "rtmp/stream_key.hpp"

namespace app {
namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
// Frames are taken from the play queue only while the socket keeps up; beyond this the queue
// (and its drop-to-keyframe policy) absorbs the backlog.
constexpr size_t kMaxWriteBacklog = 512 * 1024;
constexpr size_t kMaxPathLength = 256;

std::string endpoint_text(const boost::asio::ip::tcp::socket& s) {
  boost::system::error_code ec;
  const auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

bool is_loopback(const boost::asio::ip::tcp::socket& s) {
  boost::system::error_code ec;
  auto addr = s.remote_endpoint(ec).address();
  if (ec) return false;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.is_loopback();
}

// Paths become map keys, log text and (later) URL parts: keep them to a safe alphabet.
std::string check_path(const rtmp::StreamKey& key) {
  if (key.app.empty() || key.name.empty()) return "stream path needs an app and a stream name";
  const auto path = key.path();
  if (path.size() > kMaxPathLength) return "stream path longer than 256 characters";
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '/';
    if (!ok) return "stream path may only contain letters, digits and _ - . /";
  }
  return {};
}

}  // namespace

RtmpSession::RtmpSession(boost::asio::ip::tcp::socket socket, media::StreamRegistry& registry,
                         const Config& config, const auth::AccessPolicy& policy,
                         auth::FailedAuthLimiter& failed_auth, NodeCounters& counters, uint64_t id,
                         tls::ContextPtr tls)
    : socket_(std::move(socket), std::move(tls)),
      watchdog_(socket_.get_executor()),
      linger_(socket_.get_executor()),
      publisher_poll_(socket_.get_executor()),
      registry_(registry),
      config_(config),
      policy_(policy),
      failed_auth_(failed_auth),
      counters_(counters),
      id_(id),
      peer_(endpoint_text(socket_.next_layer())),
      peer_is_loopback_(is_loopback(socket_.next_layer())),
      conn_(*this, rtmp::ConnectionLimits{.max_message_size = config.rtmp_max_message_size}),
      read_buffer_(kReadBufferSize) {}

RtmpSession::~RtmpSession() = default;

void RtmpSession::start() {
  started_at_ = last_read_ = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  socket_.next_layer().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  logger("rtmp")->info("session {} connected from {}{}", id_, peer_,
                       socket_.is_tls() ? " over TLS" : "");
  NodeCounters::bump(counters_.rtmp_connections);
  arm_watchdog();  // its handshake deadline covers a TLS handshake that never completes
  socket_.async_handshake(boost::asio::ssl::stream_base::server,
                          [self = shared_from_this()](boost::system::error_code ec) {
                            if (self->closed_) return;
                            if (ec) {
                              NodeCounters::bump(self->counters_.rtmp_handshakes_failed);
                              self->close("TLS handshake failed: " + ec.message());
                              return;
                            }
                            self->read_some();
                          });
}

void RtmpSession::read_some() {
  socket_.async_read_some(
      boost::asio::buffer(read_buffer_),
      [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (ec) {
          self->close(ec == boost::asio::error::eof ? "peer closed" : ec.message());
          return;
        }
        self->on_read(n);
      });
}

void RtmpSession::on_read(size_t n) {
  if (closed_) return;
  last_read_ = std::chrono::steady_clock::now();
  const bool ok = conn_.feed(std::span<const uint8_t>(read_buffer_.data(), n));
  flush_output();
  if (!ok) {
    if (conn_.state() == rtmp::ServerConnection::State::Handshake) {
      NodeCounters::bump(counters_.rtmp_handshakes_failed);
    }
    close("protocol error: " + conn_.error());
    return;
  }
  if (!fatal_.empty()) {
    close(fatal_);
    return;
  }
  read_some();
}

void RtmpSession::flush_output() {
  if (!conn_.has_output() || closed_) return;
  auto bytes = conn_.take_output();
  queued_bytes_ += bytes.size();
  write_queue_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void RtmpSession::write_next() {
  if (write_queue_.empty()) {
    writing_ = false;
    if (close_after_flush_)
      close(!fatal_.empty() ? fatal_ : reader_ ? "publisher gone" : "stream ended");
    else if (reader_)
      drain_play_queue();
    return;
  }
  writing_ = true;
  boost::asio::async_write(socket_, boost::asio::buffer(write_queue_.front()),
                           [self = shared_from_this()](boost::system::error_code ec, size_t) {
                             if (self->closed_) return;
                             if (ec) {
                               self->close("write failed: " + ec.message());
                               return;
                             }
                             self->queued_bytes_ -= self->write_queue_.front().size();
                             self->write_queue_.pop_front();
                             self->write_next();
                           });
}

void RtmpSession::arm_watchdog() {
  watchdog_.expires_after(std::chrono::seconds(1));
  watchdog_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed_) return;
    if (self->check_deadlines()) self->arm_watchdog();
  });
}

// Closes a connection that overstays a setup deadline; false when it did.
bool RtmpSession::check_deadlines() {
  const auto now = std::chrono::steady_clock::now();
  const auto state = conn_.state();
  const bool setting_up = state == rtmp::ServerConnection::State::Handshake ||
                          state == rtmp::ServerConnection::State::Connecting;
  if (setting_up && now - started_at_ > config_.rtmp_handshake_timeout) {
    NodeCounters::bump(counters_.rtmp_handshakes_failed);
    close("handshake/connect not completed in time");
    return false;
  }
  // Connected but never publishing or playing: it only holds a slot and memory.
  if (path_.empty() && now - started_at_ > config_.rtmp_start_timeout) {
    close("did not publish or play within " +
          std::to_string(config_.rtmp_start_timeout.count() / 1000) + " s (rtmpStartTimeout)");
    return false;
  }
  // A player whose stream lost its publisher without telling it (it went between our look-up
  // and subscribe) still waits only a bounded time.
  if (reader_ && stream_for_play_ && !stream_for_play_->has_publisher()) {
    if (!no_publisher_since_) no_publisher_since_ = now;
    if (now - *no_publisher_since_ > config_.player_wait_for_publisher + config_.player_linger) {
      close("no publisher on " + path_ + " (playerWaitForPublisher)");
      return false;
    }
  } else {
    no_publisher_since_.reset();
  }
  // Players send almost nothing upstream; only a silent publisher or idle client times out.
  if (state != rtmp::ServerConnection::State::Playing &&
      now - last_read_ > config_.rtmp_read_timeout) {
    close("no data received for " + std::to_string(config_.rtmp_read_timeout.count() / 1000) +
          " s");
    return false;
  }
  return true;
}

void RtmpSession::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  watchdog_.cancel();
  linger_.cancel();
  publisher_poll_.cancel();
  socket_.next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.next_layer().close(ec);
  end_publish();
  end_play();
  const auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started_at_)
                        .count() /
                    1000.0;
  logger("rtmp")->info("session {} from {} closed after {:.1f} s{}{}: {}", id_, peer_, secs,
                       path_.empty() ? "" : " path ", path_, reason);
}

void RtmpSession::on_replaced() {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stream_.reset();  // the new publisher owns the path now: do not end its publish
    self->close("replaced by a new publisher on the same path");
  });
}

std::string RtmpSession::on_publish(const rtmp::StreamKey& key) {
  if (auto bad = check_path(key); !bad.empty()) {
    logger("rtmp")->warn("session {} from {} publish refused: {}", id_, peer_, bad);
    return bad;
  }
  if (stream_ || reader_) return "this connection already publishes or plays";
  if (std::string refusal; !admitted(key, Entry::RtmpPublish, refusal)) return refusal;
  media::PublisherInfo info{peer_, "", id_, unix_seconds() * 1000};
  auto grant = registry_.start_publish(key.path(), info, weak_from_this());
  if (!grant.stream) {
    logger("rtmp")->warn("session {} from {} publish on {} refused: {}", id_, peer_, key.path(),
                         grant.error);
    return grant.error;
  }
  stream_ = grant.stream;
  publisher_id_ = grant.publisher_id;
  path_ = key.path();
  demuxer_.emplace();
  logger("rtmp")->info("session {} from {} publishing {}{}", id_, peer_, path_,
                       grant.replaced_previous ? " (took over from the previous publisher)" : "");
  return {};
}

void RtmpSession::on_media(const rtmp::Message& message) {
  if (!stream_ || !demuxer_ || !fatal_.empty()) return;
  auto result =
      demuxer_->on_message(message.type, message.timestamp, message.payload, steady_nanos());
  if (!result.error.empty()) {
    fatal_ = "bad media from publisher: " + result.error;
    return;
  }
  if (!result.notice.empty()) {
    logger("rtmp")->info("session {} path {}: {}", id_, path_, result.notice);
  }
  if (result.config_changed) {
    if (auto v = demuxer_->video_config(); v && v != logged_video_) {
      logged_video_ = v;
      logger("rtmp")->info("session {} path {}: video {} {}x{} profile {} level {}", id_, path_,
                           media::codec_name(v->codec), v->width, v->height, v->profile_idc,
                           v->level_idc);
    }
    if (auto a = demuxer_->audio_config(); a && a != logged_audio_) {
      logged_audio_ = a;
      logger("rtmp")->info("session {} path {}: audio {} object type {} {} Hz {} ch{}", id_, path_,
                           media::codec_name(a->codec), a->object_type, a->sample_rate, a->channels,
                           a->sbr ? " (SBR)" : "");
    }
  }
  if (!result.frame) return;
  if (result.frame->cts_ms != 0 && !bframes_logged_) {
    bframes_logged_ = true;
    logger("rtmp")->warn(
        "session {} path {}: B-frames detected (pts != dts); WebRTC viewers "
        "get them in decode order",
        id_, path_);
  }
  stream_->push(publisher_id_, std::move(result.frame));
}

void RtmpSession::on_stream_closed() {
  if (stream_) {
    end_publish();  // the client may publish again on this connection, or hang up
  } else if (reader_) {
    end_play();
  } else if (waiting_for_publisher_) {
    waiting_for_publisher_ = false;
    publisher_poll_.cancel();
  }
}

void RtmpSession::end_publish() {
  if (!stream_) return;
  const auto st = stream_->status();
  logger("rtmp")->info(
      "session {} unpublished {}: {} frames, {} bytes, video {} {}x{} {:.1f} fps, keyframe every "
      "{} ms, bframes={}, audio {} {} Hz {} ch, {} kbit/s",
      id_, path_, st.frames_in, st.bytes_in, st.video_codec, st.width, st.height, st.fps,
      st.keyframe_interval_ms, st.bframes ? "yes" : "no", st.audio_codec, st.sample_rate,
      st.channels, st.bitrate_kbps);
  registry_.stop_publish(stream_, publisher_id_);
  stream_.reset();
}

bool RtmpSession::admitted(const rtmp::StreamKey& key, Entry entry, std::string& refusal) {
  const auto jwt = rtmp::query_param(key.query, "jwt");
  const auto pwd = rtmp::query_param(key.query, "pwd");
  auth::AccessResult access;
  if (entry == Entry::RtmpPublish && pwd && !(jwt && !jwt->empty())) {
    // The publish password is a secret a guesser may try: through the limiter.
    const auto o = check_secret(failed_auth_, peer_, auth::Secret::PublishPassword, [&] {
      access = policy_.check_rtmp_publish(key.path(), jwt, pwd, unix_seconds());
      return access.ok();
    });
    if (o.throttled()) {
      access.decision = auth::Decision::Unauthorized;
      access.reason = "too many wrong publish passwords from this address; retry in " +
                      std::to_string(o.retry_after.count()) + " s";
    }
  } else {
    // A token (or none): a forged one is a guess.
    const auto o = check_secret(failed_auth_, peer_, auth::Secret::Bearer, [&] {
      access = entry == Entry::RtmpPublish
                   ? policy_.check_rtmp_publish(key.path(), jwt, pwd, unix_seconds())
                   : policy_.check_rtmp_play(key.path(), jwt, peer_is_loopback_, unix_seconds());
      return token_match(access.token_error);
    });
    if (o.throttled()) {
      access.decision = auth::Decision::Unauthorized;
      access.reason = "too many invalid tokens from this address; retry in " +
                      std::to_string(o.retry_after.count()) + " s";
    }
  }
  if (access.ok()) return true;
  const bool forbidden = access.decision == auth::Decision::Forbidden;
  counters_.refuse(entry, forbidden ? Refusal::Forbidden : Refusal::Unauthorized);
  logger("rtmp")->warn("session {} from {} {} on {} refused: {}", id_, peer_,
                       entry == Entry::RtmpPublish ? "publish" : "play", key.path(), access.reason);
  refusal = access.reason;
  return false;
}

std::string RtmpSession::on_play(const rtmp::StreamKey& key) {
  if (auto bad = check_path(key); !bad.empty()) return bad;
  if (stream_ || reader_ || waiting_for_publisher_) {
    return "this connection already publishes or plays";
  }
  if (std::string refusal; !admitted(key, Entry::RtmpPlay, refusal)) return refusal;
  path_ = key.path();
  play_accepted_at_ = std::chrono::steady_clock::now();
  const auto live = registry_.find(path_);
  if (live && live->has_publisher()) {
    attach_player();
    logger("rtmp")->info("session {} from {} playing {}", id_, peer_, path_);
  } else {
    // No registry entry for a path nobody publishes: look again until the wait runs out.
    waiting_for_publisher_ = true;
    logger("rtmp")->info("session {} from {} playing {} (waiting for a publisher) for up to {} s",
                         id_, peer_, path_, config_.player_wait_for_publisher.count() / 1000);
    wait_for_publisher();
  }
  return {};
}

void RtmpSession::attach_player() {
  auto stream = registry_.open_for_reading(path_);
  reader_ = std::make_shared<RtmpPlayReader>(
      socket_.get_executor(), weak_from_this(),
      media::FrameQueue::Limits{config_.reader_queue_max_frames, config_.reader_queue_max_bytes});
  stream->subscribe(reader_);
  stream_for_play_ = stream;
}

void RtmpSession::wait_for_publisher() {
  publisher_poll_.expires_after(std::chrono::milliseconds(200));
  publisher_poll_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed_ || !self->waiting_for_publisher_) return;
    const auto live = self->registry_.find(self->path_);
    if (live && live->has_publisher()) {
      self->waiting_for_publisher_ = false;
      self->attach_player();
      logger("rtmp")->info("session {} player of {}: publisher arrived", self->id_, self->path_);
      return;
    }
    const auto waited = std::chrono::steady_clock::now() - self->play_accepted_at_;
    if (waited >= self->config_.player_wait_for_publisher) {
      self->waiting_for_publisher_ = false;
      self->fatal_ = "no publisher on " + self->path_ + " within " +
                     std::to_string(self->config_.player_wait_for_publisher.count() / 1000) +
                     " s (playerWaitForPublisher)";
      self->conn_.send_unpublish_notify();
      self->close_after_flush_ = true;
      self->flush_output();
      if (!self->writing_) self->close(self->fatal_);
      return;
    }
    self->wait_for_publisher();
  });
}

void RtmpSession::end_play() {
  if (!reader_) return;
  if (reader_->dropped_frames() > 0) {
    logger("rtmp")->warn("session {} player of {} was too slow: {} frames dropped", id_, path_,
                         reader_->dropped_frames());
  }
  registry_.close_reader(stream_for_play_, reader_.get());
  stream_for_play_.reset();
  reader_.reset();
}

void RtmpSession::drain_play_queue() {
  if (closed_ || !reader_) return;
  while (queued_bytes_ < kMaxWriteBacklog) {
    auto frame = reader_->pop();
    if (!frame) break;
    send_frame(*frame);
  }
  if (reader_->publisher_stopped() && !linger_armed_ && !close_after_flush_) {
    // Phones reconnect within seconds and a takeover arrives at once: wait before ending.
    linger_armed_ = true;
    linger_.expires_after(config_.player_linger);
    linger_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->linger_armed_ = false;
      if (ec || self->closed_ || !self->reader_ || !self->reader_->publisher_stopped()) return;
      self->conn_.send_unpublish_notify();
      self->close_after_flush_ = true;
      self->flush_output();
      if (!self->writing_) self->close("publisher gone");
    });
  }
  flush_output();
}

uint32_t RtmpSession::play_timestamp(const media::Frame& frame) {
  // Players get a timeline starting near 0 and continuous across publisher restarts.
  if (!play_has_base_) {
    play_has_base_ = true;
    play_base_ms_ = frame.dts_ms;
  }
  int64_t out = frame.dts_ms - play_base_ms_;
  if (out < play_last_out_ms_ - 1000 || out > play_last_out_ms_ + 10000) {
    play_base_ms_ = frame.dts_ms - play_last_out_ms_ - 1;  // publisher clock jumped: rebase
    out = play_last_out_ms_ + 1;
  }
  if (out < 0) out = 0;
  play_last_out_ms_ = std::max(play_last_out_ms_, out);
  return static_cast<uint32_t>(out);
}

void RtmpSession::send_frame(const media::Frame& frame) {
  if (!rtmp::FlvMuxer::can_mux(frame)) return;  // e.g. Enhanced RTMP Opus: WebRTC only for now
  const uint32_t ts = play_timestamp(frame);
  if (frame.kind == media::TrackKind::Video) {
    if (!frame.video) return;
    if (frame.video != sent_video_config_) {
      const auto seq = rtmp::FlvMuxer::video_sequence_header(*frame.video);
      conn_.send_media(rtmp::MessageType::Video, ts, {}, seq);
      sent_video_config_ = frame.video;
    }
    const auto head = rtmp::FlvMuxer::video_frame_header(frame);
    conn_.send_media(rtmp::MessageType::Video, ts, head, frame.data);
  } else {
    if (!frame.audio) return;
    if (frame.audio != sent_audio_config_) {
      const auto seq = rtmp::FlvMuxer::audio_sequence_header(*frame.audio);
      conn_.send_media(rtmp::MessageType::Audio, ts, {}, seq);
      sent_audio_config_ = frame.audio;
    }
    const auto head = rtmp::FlvMuxer::audio_frame_header(frame);
    conn_.send_media(rtmp::MessageType::Audio, ts, head, frame.data);
  }
}

}  // namespace app
