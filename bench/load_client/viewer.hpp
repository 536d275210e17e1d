#pragma once
// The I/O shell of one load viewer on its thread's io_context: POST the offer (WHEP,
// draft-ietf-wish-whep 4.2), one link to the answer's candidate (a connected UDP socket, or with
// --tcp a TCP connection to its passive ICE-TCP candidate), a receive coroutine draining the
// link on readiness, a timer driving ViewerSession, DELETE at the end.
// All of a viewer runs on one thread, so nothing is locked.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load_client/tcp_link.hpp"
#include "load_client/udp_link.hpp"
#include "load_client/viewer_link.hpp"
#include "load_client/viewer_result.hpp"
#include "load_client/viewer_session.hpp"
#include "whep_client/local_identity.hpp"
#include "whep_client/whep_url.hpp"

namespace bench::load_client {

using Clock = std::chrono::steady_clock;

// Per thread: the UDP receive buffers shared by its viewers and the cap on concurrent HTTP
// exchanges (the server admits 64 connections per address).
struct ThreadShared {
  UdpReadBatch udp;
  size_t http_in_flight = 0;
  size_t http_limit = 16;
};

// Per run, read-only once the threads start.
struct RunShared {
  tools::whep_client::HttpUrl url;
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_context;
  std::string fingerprint;  // ours, for the offer
  bool audio = true;
  bool gro = true;   // UDP_GRO on every viewer's socket
  bool tcp = false;  // ICE-TCP to the answer's passive candidate instead of UDP
  // With tcp: stop reading the socket (keeping it open, sending nothing more) this long after
  // the first SRTP packet, so a test can watch the server drop a stalled TCP viewer.
  std::optional<std::chrono::duration<double>> tcp_stop_reading_after;
  bool transport_cc = false;    // offer transport-wide congestion control (session says so too)
  ViewerSessionConfig session;  // local_ice, tie_breaker and rtcp_ssrc are set per viewer
  std::chrono::milliseconds http_timeout{10'000};
  Clock::time_point run_start{};
  Clock::time_point window_start{};  // the last viewer's start
  Clock::time_point count_start{};   // window_start + --settle: fps, kbit, freezes count from here
  Clock::time_point end{};
};

class Viewer {
 public:
  Viewer(boost::asio::io_context& io, ThreadShared& thread, const RunShared& run, size_t index,
         Clock::time_point start_at);
  ~Viewer();

  boost::asio::awaitable<void> run();
  const ViewerResult& result() const noexcept { return result_; }

 private:
  boost::asio::awaitable<bool> post();
  boost::asio::awaitable<bool> open_link();
  boost::asio::awaitable<void> receive_loop();
  bool stop_reading_due(Clock::time_point now) const noexcept;
  void stop_reading(Clock::time_point now);
  boost::asio::awaitable<void> tick_loop();
  boost::asio::awaitable<void> delete_session();
  boost::asio::awaitable<void> acquire_http();
  void rearm(Clock::time_point at);
  void flush();
  void finish(Clock::time_point stopped);

  boost::asio::io_context& io_;
  ThreadShared& thread_;
  const RunShared& run_;
  Clock::time_point start_at_;
  std::unique_ptr<ViewerLink> link_;
  TcpLink* tcp_ = nullptr;  // link_ when it is TCP
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_{};
  bool stopping_ = false;
  bool receiving_ = false;
  bool link_failed_ = false;  // the link ended (TCP closed by the server, read error)
  std::optional<Clock::time_point> stopped_reading_at_;
  Clock::time_point post_at_{};
  tools::whep_client::LocalIdentity identity_;
  std::optional<tools::whep_client::HttpUrl> location_;
  std::optional<tools::whep_client::AnswerInfo> answer_;
  std::optional<webrtc::ice::TransportAddress> tcp_candidate_;
  std::unique_ptr<ViewerSession> session_;
  ViewerResult result_;
};

}  // namespace bench::load_client
