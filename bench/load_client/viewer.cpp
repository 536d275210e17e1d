#include "load_client/viewer.hpp"

// GCC 12 takes Asio's coroutine frame allocation (its own operator new/delete pair) for a
// mismatch once post() is inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <cerrno>

#include <algorithm>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "load_client/coalesced_read.hpp"
#include "whep_client/candidate_socket.hpp"
#include "whep_client/http_client.hpp"
#include "whep_client/offer_builder.hpp"

namespace bench::load_client {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tools::whep_client::HttpRequest;
using tools::whep_client::HttpResponse;

namespace {

constexpr size_t MaxErrorBody = 300;
constexpr size_t MaxRounds = 4;  // recvmmsg calls per readiness: one busy socket cannot starve
constexpr auto MaxTick = 500ms;
constexpr auto FpsSettle = 1000ms;  // after the first keyframe: the GOP replay is over by then

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

ThreadShared::ThreadShared() : buffers(Batch * BufferSize) {
  for (size_t i = 0; i < Batch; ++i) {
    iov[i] = iovec{buffers.data() + i * BufferSize, BufferSize};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  reset_control();
}

void ThreadShared::reset_control() noexcept {
  for (size_t i = 0; i < Batch; ++i) {
    msgs[i].msg_hdr.msg_control = control[i].bytes.data();
    msgs[i].msg_hdr.msg_controllen = ControlSize;
  }
}

Viewer::Viewer(asio::io_context& io, ThreadShared& thread, const RunShared& run, size_t index,
               Clock::time_point start_at)
    : io_(io), thread_(thread), run_(run), start_at_(start_at), socket_(io), timer_(io) {
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
  if (posted && open_socket()) {
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
  const auto stopped = Clock::now();
  stopping_ = true;
  // DELETE first (draft-ietf-wish-whep 4.3 ends the session there), then close_notify.
  if (location_) {
    co_await acquire_http();
    co_await delete_session();
    --thread_.http_in_flight;
  }
  if (session_) {
    session_->close();
    flush();
  }
  socket_.close(ec);
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
  co_return true;
}

bool Viewer::open_socket() {
  namespace wc = tools::whep_client;
  const auto error = wc::open_candidate_socket(
      socket_, answer_->candidate.address, {.receive_buffer = 1024 * 1024, .non_blocking = true});
  if (!error) {
    // UDP_GRO: the server's segmented sends arrive as one read instead of one per packet, so
    // loopback charges the sender (the server) one receive per viewer-frame, closer to a NIC
    // where the receivers' kernel work is not the server's at all. A kernel without it: per packet.
    if (run_.gro) enable_udp_gro(socket_.native_handle());
    return true;
  }
  result_.error = (error->stage == wc::CandidateSocketError::Stage::Address ? "candidate address: "
                                                                            : "UDP socket: ") +
                  error->code.message();
  return false;
}

asio::awaitable<void> Viewer::receive_loop() {
  boost::system::error_code ec;
  auto& t = thread_;
  while (!stopping_ && socket_.is_open()) {
    co_await socket_.async_wait(asio::ip::udp::socket::wait_read,
                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopping_) break;
    // recvmmsg(2) saves a system call per datagram: the client's main cost at 300 viewers.
    for (size_t round = 0; round < MaxRounds; ++round) {
      t.reset_control();
      const int n = ::recvmmsg(socket_.native_handle(), t.msgs.data(), ThreadShared::Batch,
                               MSG_DONTWAIT, nullptr);
      if (n < 0 && errno == ECONNREFUSED) continue;  // ICMP unreachable: keep reading
      if (n <= 0) break;
      const auto now = Clock::now();
      for (int i = 0; i < n; ++i) {
        handle_read(t.msgs[i], static_cast<uint8_t*>(t.iov[i].iov_base), now);
      }
      if (static_cast<size_t>(n) < ThreadShared::Batch) break;
    }
    flush();
    const auto now = Clock::now();
    if (const auto next = session_->next_timeout(now); next < timer_at_) rearm(next);
  }
  receiving_ = false;
}

void Viewer::handle_read(mmsghdr& msg, uint8_t* data, Clock::time_point now) {
  for_each_datagram(std::span(data, msg.msg_len), gro_segment_size(msg.msg_hdr),
                    [&](std::span<uint8_t> d) { session_->handle_datagram(d, now); });
}

asio::awaitable<void> Viewer::tick_loop() {
  boost::system::error_code ec;
  while (!stopping_) {
    const auto now = Clock::now();
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
  if (!session_ || !socket_.is_open()) return;
  session_->drain([this](std::span<const uint8_t> d) {
    boost::system::error_code ec;
    socket_.send(asio::buffer(d.data(), d.size()), 0, ec);  // UDP: a lost send is a lost packet
  });
}

void Viewer::finish(Clock::time_point stopped) {
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
