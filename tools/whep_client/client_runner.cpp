#include "whep_client/client_runner.hpp"

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "webrtc/dtls/dtls_context.hpp"
#include "whep_client/answer_info.hpp"
#include "whep_client/candidate_socket.hpp"
#include "whep_client/client_report.hpp"
#include "whep_client/http_client.hpp"
#include "whep_client/local_identity.hpp"
#include "whep_client/offer_builder.hpp"
#include "whep_client/whep_peer.hpp"

namespace tools::whep_client {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int ExitSignaling = 2;
constexpr size_t MaxErrorBody = 2000;

int64_t ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

class Runner {
 public:
  Runner(const ClientOptions& options, HttpUrl url)
      : options_(options), url_(std::move(url)), socket_(io_), timer_(io_), signals_(io_) {}

  int run() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      stop_ = true;
      timer_.cancel();
    });
    asio::co_spawn(io_, session(), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          report_.error = std::string("internal error: ") + ex.what();
        }
      }
      signals_.cancel();
      socket_.close();
    });
    io_.run();
    return finish();
  }

 private:
  asio::awaitable<void> session();
  asio::awaitable<bool> post();
  bool open_socket();
  asio::awaitable<void> receive_loop();
  asio::awaitable<void> tick_loop(Clock::time_point deadline);
  asio::awaitable<void> delete_session();
  void flush();
  void fill_report();
  int finish();

  ClientOptions options_;
  HttpUrl url_;
  asio::io_context io_;
  asio::ip::udp::socket socket_;
  asio::steady_timer timer_;
  asio::signal_set signals_;
  bool stop_ = false;
  Clock::time_point start_{};
  std::optional<HttpUrl> location_;
  std::optional<AnswerInfo> answer_;
  LocalIdentity identity_;
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_context_;
  std::unique_ptr<WhepPeer> peer_;
  ClientReport report_;
  int exit_code_ = 1;
  bool signaling_failed_ = false;
};

asio::awaitable<void> Runner::session() {
  start_ = Clock::now();
  if (!co_await post()) {
    signaling_failed_ = true;
    co_return;
  }
  if (!stop_ && open_socket()) {
    PeerConfig config;
    config.transport.local_ice = identity_.ice;
    config.transport.dtls_context = dtls_context_;
    config.transport.tie_breaker = identity_.tie_breaker;
    config.rtcp_ssrc = identity_.rtcp_ssrc;
    config.nack = options_.nack;
    peer_ = std::make_unique<WhepPeer>(std::move(config), *answer_, Clock::now());
    asio::co_spawn(io_, receive_loop(), asio::detached);
    const auto deadline = start_ + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(options_.seconds));
    co_await tick_loop(deadline);
  }
  // DELETE first (draft-ietf-wish-whep 4.3 ends the session there), then close_notify: a
  // server that tears the session down on close_notify would otherwise answer the DELETE 404.
  co_await delete_session();
  if (peer_) {
    peer_->close();
    flush();
  }
  boost::system::error_code ec;
  socket_.close(ec);
}

asio::awaitable<bool> Runner::post() {
  identity_ = LocalIdentity::generate();
  dtls_context_ = webrtc::dtls::DtlsContext::create(
      webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now()));
  OfferParams params;
  params.session_id = identity_.session_id;
  params.ice = identity_.ice;
  params.fingerprint = dtls_context_->certificate().fingerprint().to_sdp();
  params.audio = options_.audio;

  HttpRequest req;
  req.method = HttpRequest::Method::Post;
  req.url = url_;
  req.body = build_offer(params);
  req.content_type = "application/sdp";
  req.bearer = options_.bearer;
  req.timeout = options_.http_timeout;
  HttpResponse res = co_await http_exchange(std::move(req));
  if (res.status == 0) {
    report_.error = "POST " + url_.to_string() + " failed: " + res.error;
    co_return false;
  }
  report_.post_status = res.status;
  if (res.status != 201) {
    report_.error = "POST " + url_.to_string() + " returned " + std::to_string(res.status) +
                    " (expected 201): " + res.body.substr(0, MaxErrorBody);
    co_return false;
  }
  if (res.location.empty()) {
    report_.error = "201 without a Location header (draft-ietf-wish-whep 4.2)";
  } else if (UrlResult loc = resolve_location(url_, res.location); loc.url) {
    location_ = std::move(loc.url);
  } else {
    report_.error = "bad Location '" + res.location + "': " + loc.error;
  }
  AnswerResult answer = parse_answer(res.body);
  if (!answer) {
    report_.error = answer.error;
  } else {
    answer_ = std::move(answer.answer);
  }
  // A session without a Location cannot be ended; treat it as a signaling failure too.
  co_return location_&& answer_;
}

bool Runner::open_socket() {
  const auto& candidate = answer_->candidate.address;
  const auto error = open_candidate_socket(socket_, candidate, {.receive_buffer = 4 * 1024 * 1024});
  if (!error) return true;
  report_.error = error->stage == CandidateSocketError::Stage::Address
                      ? "candidate address: " + error->code.message()
                      : "UDP socket to " + candidate.to_string() + ": " + error->code.message();
  return false;
}

asio::awaitable<void> Runner::receive_loop() {
  std::vector<uint8_t> buffer(64 * 1024);
  boost::system::error_code ec;
  size_t errors_in_a_row = 0;
  while (socket_.is_open()) {
    const size_t n = co_await socket_.async_receive(asio::buffer(buffer),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !socket_.is_open()) co_return;
    if (ec) {
      // ICMP port unreachable arrives as connection_refused while the server is not ready.
      if (++errors_in_a_row > 1000) co_return;
      continue;
    }
    errors_in_a_row = 0;
    peer_->handle_datagram(std::span(buffer.data(), n), Clock::now());
    flush();
  }
}

asio::awaitable<void> Runner::tick_loop(Clock::time_point deadline) {
  boost::system::error_code ec;
  while (!stop_) {
    const auto now = Clock::now();
    peer_->on_timer(now);
    flush();
    if (peer_->state() == PeerState::Failed) {
      report_.error = peer_->failure_reason();
      co_return;
    }
    if (now >= deadline) co_return;
    timer_.expires_at(std::min({peer_->next_timeout(now), now + 20ms, deadline}));
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> Runner::delete_session() {
  if (!location_) co_return;
  HttpRequest req;
  req.method = HttpRequest::Method::Delete;
  req.url = *location_;
  req.bearer = options_.bearer;
  req.timeout = options_.http_timeout;
  HttpResponse res = co_await http_exchange(std::move(req));
  if (res.status != 0) {
    report_.delete_status = res.status;
  } else if (report_.error.empty()) {
    report_.error = "DELETE " + location_->to_string() + " failed: " + res.error;
  }
}

void Runner::flush() {
  if (!peer_ || !socket_.is_open()) return;
  for (const auto& d : peer_->take_outgoing()) {
    boost::system::error_code ec;
    socket_.send(asio::buffer(d), 0, ec);  // UDP: a lost send is like a lost packet
  }
}

void Runner::fill_report() {
  report_.duration_s = std::chrono::duration<double>(Clock::now() - start_).count();
  if (!peer_) return;
  const MediaReceiver& media = peer_->media();
  if (auto at = peer_->connected_at()) report_.connected_ms = ms_between(start_, *at);
  if (auto at = media.first_keyframe_at()) report_.first_keyframe_ms = ms_between(start_, *at);
  const VideoCounters v = media.video();
  report_.video = {v.packets, v.bytes,       v.frames,     v.incomplete_frames, v.keyframes,
                   v.lost,    v.rtx_packets, std::nullopt, std::nullopt};
  if (v.width > 0 && v.height > 0) {
    report_.video.width = v.width;
    report_.video.height = v.height;
  }
  const AudioCounters a = media.audio();
  report_.audio = {a.packets,       a.bytes,   a.lost,      a.decoded_ms,
                   a.decode_errors, a.tone_hz, a.level_dbfs};
  if (const auto sync = media.av_sync().result()) {
    report_.av_sync = ClientReport::AvSync{sync->keyframes, sync->onsets, sync->pairs,
                                           sync->median_ms, sync->max_abs_ms};
  }
  for (auto [from, to] : {std::pair{media.video_timeline(), &report_.video_timeline},
                          std::pair{media.audio_timeline(), &report_.audio_timeline}}) {
    if (from)
      *to = ClientReport::Timeline{from->max_gap_ms, from->ts_step_ms, from->sr_spread_ms,
                                   from->reports};
  }
  const PeerCounters c = peer_->counters();
  report_.srtp_auth_failures = c.srtp_auth_failures;
  report_.srtp_replays = c.srtp_replays;
  report_.nacks_sent = c.nacks_sent;
  report_.nack_recovered = media.nack_recovered();
  report_.reports_sent = c.reports_sent;
}

int Runner::finish() {
  fill_report();
  if (report_.error.empty() && !report_.connected_ms) report_.error = "no SRTP media received";
  exit_code_ = signaling_failed_ ? ExitSignaling : report_.exit_code();
  if (!report_.error.empty()) std::fprintf(stderr, "whep_client: %s\n", report_.error.c_str());
  if (!options_.json) std::fputs(to_text(report_).c_str(), stderr);
  std::printf("%s\n", to_json(report_).c_str());
  std::fflush(stdout);
  return exit_code_;
}

}  // namespace

int run_client(const ClientOptions& options) {
  UrlResult url = parse_http_url(options.url);
  if (!url.url) {
    std::fprintf(stderr, "whep_client: bad --url: %s\n", url.error.c_str());
    return ExitSignaling;
  }
  Runner runner(options, std::move(*url.url));
  return runner.run();
}

}  // namespace tools::whep_client
