#pragma once
// The I/O shell of one load viewer on its thread's io_context: POST the offer (WHEP,
// draft-ietf-wish-whep 4.2), one UDP socket connected to the answer's candidate, a receive
// coroutine draining the socket on readiness, a timer driving ViewerSession, DELETE at the end.
// All of a viewer runs on one thread, so nothing is locked.
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load_client/viewer_result.hpp"
#include "load_client/viewer_session.hpp"
#include "whep_client/local_identity.hpp"
#include "whep_client/whep_url.hpp"

namespace bench::load_client {

using Clock = std::chrono::steady_clock;

// Per thread: the receive buffers shared by its viewers (a batch is handled before the next
// read) and the cap on concurrent HTTP exchanges (the server admits 64 connections per address).
// A buffer holds a whole coalesced read: with UDP_GRO the kernel hands up to 64 KB of equal
// datagrams as one, with their size in a control message.
struct ThreadShared {
  static constexpr size_t BufferSize = 65536;
  static constexpr size_t Batch = 16;  // reads per recvmmsg(2)
  static constexpr size_t ControlSize = CMSG_SPACE(sizeof(int));
  ThreadShared();
  ThreadShared(const ThreadShared&) = delete;
  ThreadShared& operator=(const ThreadShared&) = delete;
  void reset_control() noexcept;  // the kernel shrinks msg_controllen on every read

  std::vector<uint8_t> buffers;  // Batch x BufferSize
  std::array<iovec, Batch> iov{};
  std::array<mmsghdr, Batch> msgs{};
  struct alignas(cmsghdr) Control {
    std::array<uint8_t, ControlSize> bytes{};
  };
  std::array<Control, Batch> control{};
  size_t http_in_flight = 0;
  size_t http_limit = 16;
};

// Per run, read-only once the threads start.
struct RunShared {
  tools::whep_client::HttpUrl url;
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_context;
  std::string fingerprint;  // ours, for the offer
  bool audio = true;
  bool gro = true;              // UDP_GRO on every viewer's socket
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
  bool open_socket();
  boost::asio::awaitable<void> receive_loop();
  void handle_read(mmsghdr& msg, uint8_t* data, Clock::time_point now);
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
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_{};
  bool stopping_ = false;
  bool receiving_ = false;
  Clock::time_point post_at_{};
  tools::whep_client::LocalIdentity identity_;
  std::optional<tools::whep_client::HttpUrl> location_;
  std::optional<tools::whep_client::AnswerInfo> answer_;
  std::unique_ptr<ViewerSession> session_;
  ViewerResult result_;
};

}  // namespace bench::load_client
