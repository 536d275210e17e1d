#include "load_client/viewer.hpp"

// GCC 12 takes Asio's coroutine frame allocation (its own operator new/delete pair) for a
// mismatch once post() is inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "load_client/tcp_answer_candidate.hpp"
#include "whep_client/http_client.hpp"
#include "whep_client/offer_builder.hpp"

namespace bench::load_client {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tools::whep_client::HttpRequest;
using tools::whep_client::HttpResponse;

namespace {

constexpr size_t MaxErrorBody = 300;
// With --tcp-stop-reading-after: a small receive buffer, so the stall reaches the server's send
// queue within a second instead of filling an autotuned buffer of several MB first.
constexpr int StalledReceiveBuffer = 64 * 1024;
constexpr auto MaxTick = 500ms;
constexpr auto FpsSettle = 1000ms;  // after the first keyframe: the GOP replay is over by then

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

Viewer::Viewer(asio::io_context& io, ThreadShared& thread, const RunShared& run, size_t index,
               Clock::time_point start_at)
    : io_(io), thread_(thread), run_(run), start_at_(start_at), timer_(io) {
  result_.index = index;
}

Viewer::~Viewer() = default;

asio::awaitable<void> Viewer::run() {
  boost::system::error_code ec;
  timer_.expires_at(start_at_);
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_await acquire_http();
  const bool posted = co_await post();
  --thread_.http_in_flight;
  if (posted && co_await open_link()) {
    ViewerSessionConfig config = run_.session;
    config.transport.local_ice = identity_.ice;
    config.transport.tie_breaker = identity_.tie_breaker;
    config.rtcp_ssrc = identity_.rtcp_ssrc;
    session_ = std::make_unique<ViewerSession>(std::move(config), *answer_, Clock::now());
    session_->count_frames_from(run_.count_start, FpsSettle);
    receiving_ = true;
    asio::co_spawn(io_, receive_loop(), asio::detached);
    co_await tick_loop();
  }
  // A viewer that stopped reading is measured up to then.
  const auto stopped = stopped_reading_at_.value_or(Clock::now());
  stopping_ = true;
  // DELETE first (draft-ietf-wish-whep 4.3 ends the session there), then close_notify.
  if (location_) {
    co_await acquire_http();
    co_await delete_session();
    --thread_.http_in_flight;
  }
  if (session_ && !stopped_reading_at_) {
    session_->close();
    flush();
  }
  if (link_) link_->close();
  // The receive coroutine holds `this`; wait for it to see the closed socket.
  while (receiving_) {
    timer_.expires_after(1ms);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  finish(stopped);
}

asio::awaitable<void> Viewer::acquire_http() {
  boost::system::error_code ec;
  while (thread_.http_in_flight >= thread_.http_limit) {
    timer_.expires_after(2ms);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  ++thread_.http_in_flight;
}

asio::awaitable<bool> Viewer::post() {
  identity_ = tools::whep_client::LocalIdentity::generate();
  tools::whep_client::OfferParams params;
  params.session_id = identity_.session_id;
  params.ice = identity_.ice;
  params.fingerprint = run_.fingerprint;
  params.audio = run_.audio;
  params.transport_cc = run_.transport_cc;
  HttpRequest req;
  req.method = HttpRequest::Method::Post;
  req.url = run_.url;
  req.body = tools::whep_client::build_offer(params);
  req.content_type = "application/sdp";
  req.timeout = run_.http_timeout;
  post_at_ = Clock::now();
  result_.started_s = std::chrono::duration<double>(post_at_ - run_.run_start).count();
  HttpResponse res = co_await tools::whep_client::http_exchange(std::move(req));
  result_.post_status = res.status;
  if (res.status != 201) {
    result_.error = res.status == 0 ? "POST: " + res.error
                                    : "POST returned " + std::to_string(res.status) + ": " +
                                          res.body.substr(0, MaxErrorBody);
    co_return false;
  }
  auto loc = tools::whep_client::resolve_location(run_.url, res.location);
  if (loc.url) location_ = std::move(loc.url);
  auto answer = tools::whep_client::parse_answer(res.body);
  if (!answer) {
    result_.error = "answer: " + answer.error;
    co_return false;
  }
  answer_ = std::move(answer.answer);
  if (run_.tcp) {
    tcp_candidate_ = find_tcp_passive_candidate(res.body);
    if (!tcp_candidate_) {
      result_.error =
          "answer has no passive ICE-TCP candidate (a=candidate:... tcp ... tcptype "
          "passive)";
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> Viewer::open_link() {
  if (!run_.tcp) {
    auto udp = std::make_unique<UdpLink>(io_, thread_.udp);
    const bool opened = udp->open(answer_->candidate.address, run_.gro);
    if (!opened) result_.error = udp->error();
    link_ = std::move(udp);
    co_return opened;
  }
  auto tcp = std::make_unique<TcpLink>(io_);
  tcp_ = tcp.get();
  link_ = std::move(tcp);
  TcpLinkOptions options;
  if (run_.tcp_stop_reading_after) options.receive_buffer = StalledReceiveBuffer;
  const bool connected = co_await tcp_->connect(*tcp_candidate_, options);
  if (!connected) result_.error = tcp_->error();
  co_return connected;
}

asio::awaitable<void> Viewer::receive_loop() {
  boost::system::error_code ec;
  while (!stopping_ && !stopped_reading_at_ && link_->is_open()) {
    co_await link_->wait_readable(ec);
    if (ec || stopping_ || stopped_reading_at_) break;
    const bool open = link_->read_ready(*session_);
    const auto now = Clock::now();
    if (!open) {
      if (result_.error.empty()) result_.error = link_->error();
      link_failed_ = true;
      rearm(now);  // wakes the tick loop, which ends the viewer
      break;
    }
    if (stop_reading_due(now)) {
      stop_reading(now);
      break;
    }
    flush();
    if (const auto next = session_->next_timeout(now); next < timer_at_) rearm(next);
  }
  receiving_ = false;
}

bool Viewer::stop_reading_due(Clock::time_point now) const noexcept {
  if (!run_.tcp_stop_reading_after || stopped_reading_at_) return false;
  const auto media = session_->connected_at();
  return media &&
         now >= *media + std::chrono::duration_cast<Clock::duration>(*run_.tcp_stop_reading_after);
}

// The socket stays open and unread: the server's sends pile up in our small receive buffer,
// then in its own send queue, which is what the server must notice.
void Viewer::stop_reading(Clock::time_point now) {
  stopped_reading_at_ = now;
  result_.stopped_reading_at_s = std::chrono::duration<double>(now - run_.run_start).count();
  link_->cancel();
}

asio::awaitable<void> Viewer::tick_loop() {
  boost::system::error_code ec;
  while (!stopping_ && !link_failed_) {
    const auto now = Clock::now();
    if (stop_reading_due(now)) stop_reading(now);
    if (stopped_reading_at_) {  // idle to the end of the run: no ticks, nothing sent
      if (now >= run_.end) co_return;
      rearm(run_.end);
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    session_->on_timer(now);
    flush();
    if (session_->state() == ViewerState::Failed) {
      result_.error = session_->failure_reason();
      co_return;
    }
    if (now >= run_.end) co_return;
    rearm(std::min({session_->next_timeout(now), now + MaxTick, run_.end}));
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Moving the expiry cancels a pending wait: the tick loop wakes, ticks and re-arms.
void Viewer::rearm(Clock::time_point at) {
  timer_at_ = at;
  timer_.expires_at(at);
}

asio::awaitable<void> Viewer::delete_session() {
  HttpRequest req;
  req.method = HttpRequest::Method::Delete;
  req.url = *location_;
  req.timeout = run_.http_timeout;
  HttpResponse res = co_await tools::whep_client::http_exchange(std::move(req));
  result_.delete_status = res.status;
  if (res.status == 0 && result_.error.empty()) result_.error = "DELETE: " + res.error;
}

void Viewer::flush() {
  if (!session_ || !link_ || !link_->is_open() || stopped_reading_at_) return;
  link_->send_queued(*session_);
}

void Viewer::finish(Clock::time_point stopped) {
  result_.tcp = run_.tcp;
  if (tcp_) {
    const TcpLinkCounters c = tcp_->counters();
    result_.tcp_bytes_received = c.bytes_received;
    result_.tcp_bytes_sent = c.bytes_sent;
    result_.tcp_send_dropped = c.send_dropped;
  }
  if (!session_) return;
  if (auto at = session_->connected_at()) result_.time_to_connected_ms = ms_between(post_at_, *at);
  const auto keyframe = session_->first_keyframe_at();
  if (keyframe) result_.time_to_first_keyframe_ms = ms_between(post_at_, *keyframe);
  result_.counters = session_->counters();
  if (const auto since = session_->frames_counted_since()) {
    const auto from = *since;
    result_.fps_seconds = std::max(0.0, std::chrono::duration<double>(stopped - from).count());
    if (result_.fps_seconds > 0) {
      result_.fps = static_cast<double>(result_.counters.whole_frames) / result_.fps_seconds;
      result_.kbit =
          static_cast<double>(result_.counters.window_bytes) * 8 / 1000 / result_.fps_seconds;
    }
  }
  result_.max_freeze_ms = session_->max_freeze_ms(stopped);
  if (result_.error.empty() && !result_.time_to_connected_ms) result_.error = "no SRTP media";
}

}  // namespace bench::load_client
