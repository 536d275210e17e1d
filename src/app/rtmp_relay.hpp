#pragma once
// A sub node's pull of one stream from the main node: plays rtmp://host:port/<app_path>?<query>
// (or rtmps://, the upstream's certificate checked against the cluster's CA and its name)
// with the sans-I/O rtmp::ClientConnection and republishes it into the local registry, so local
// readers (WebRTC viewers, the GOP cache) see a publisher exactly like a local RTMP publish.
// When upstream ends or fails it unpublishes and reconnects with exponential backoff, forever,
// until stop(). Frames are pushed as soon as their RTMP message completes: no added buffering.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "media/stream_registry.hpp"
#include "rtmp/client_connection.hpp"
#include "rtmp/flv_demuxer.hpp"
#include "tls/maybe_tls_stream.hpp"

namespace app {

struct RelayOptions {
  std::string upstream_host;
  uint16_t upstream_port = 1935;
  std::string app_path = "live/stream";  // played upstream and published locally
  // Called before every connection attempt: the play URL's query, e.g. "jwt=<fresh read token>".
  // Empty function or empty result: no query.
  std::function<std::string()> query;
  std::chrono::milliseconds reconnect_min{250};
  std::chrono::milliseconds reconnect_max{5000};
  // From the TCP connect until upstream says NetStream.Play.Start.
  std::chrono::milliseconds connect_timeout{5000};
  // No byte from upstream for this long: reconnect. A live but silent upstream (still screen,
  // no audio) is kept talking by our pings, sent after a quarter of this.
  std::chrono::milliseconds read_timeout{30000};
  uint64_t session_id = 0;  // shown as the local publisher's session id
  // Set: RTMPS, verifying upstream_host against this client context (http::cluster_tls()).
  tls::ContextPtr tls;
};

class RtmpRelay : public std::enable_shared_from_this<RtmpRelay>,
                  public media::PublisherListener,
                  private rtmp::ClientConnection::Listener {
 public:
  RtmpRelay(boost::asio::io_context& loop, media::StreamRegistry& registry, RelayOptions options,
            const Config& config);
  ~RtmpRelay() override;
  RtmpRelay(const RtmpRelay&) = delete;
  RtmpRelay& operator=(const RtmpRelay&) = delete;

  // Both idempotent and callable from any thread (they post to the loop). stop() closes the
  // connection, ends the local publish and cancels reconnects; start() may follow again.
  void start();
  void stop();

  struct Status {
    bool running = false;     // between start() and stop()
    bool connected = false;   // TCP connection up
    bool publishing = false;  // local publish active (upstream is sending media)
    uint64_t frames = 0;      // pushed into the local stream since construction
    uint64_t reconnects = 0;  // connection attempts after the first
    std::string last_error;   // why the last connection ended or was refused
  };
  Status status() const;  // thread-safe snapshot

  // media::PublisherListener: another publisher took the local path (called on its thread).
  void on_replaced() override;

 private:
  void on_play_start() override;
  void on_play_stop(std::string_view code, std::string_view description) override;
  void on_media(const rtmp::Message& message) override;
  void on_error(std::string_view code, std::string_view description) override;
  void on_status(std::string_view code, std::string_view description) override;

  void do_start();
  void do_stop();
  void connect();
  void handshake();
  void on_connected();
  void read_some();
  void on_read(size_t n);
  void flush_output();
  void write_next();
  void arm_tick();
  void on_tick();
  void fail(const std::string& reason);
  void close_connection();
  void schedule_reconnect();
  bool ensure_publishing();
  void end_publish();
  template <typename F>
  void update_status(F&& change);

  boost::asio::io_context& loop_;
  media::StreamRegistry& registry_;
  const RelayOptions options_;
  const uint32_t max_message_size_;
  const std::string upstream_;  // "host:port" for logs and the publisher info
  boost::asio::ip::tcp::resolver resolver_;
  // One per connection attempt, shared with its pending handlers: a TLS stream cannot be
  // reused for the next attempt, nor destroyed under its own operations.
  using Stream = tls::MaybeTlsStream<boost::asio::ip::tcp::socket>;
  std::shared_ptr<Stream> socket_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer backoff_;

  // Loop-only state.
  bool running_ = false;
  uint64_t generation_ = 0;  // bumped per attempt and per close: stale handlers return
  unsigned failures_ = 0;    // consecutive attempts without media: the backoff exponent
  std::unique_ptr<rtmp::ClientConnection> conn_;
  std::vector<uint8_t> read_buffer_;
  std::deque<std::shared_ptr<std::vector<uint8_t>>> write_queue_;
  bool writing_ = false;
  bool playing_ = false;
  bool refused_ = false;  // upstream said no (token, path): worth a warning
  std::string fatal_;     // set in a ClientConnection callback; acted on after feed()
  std::chrono::steady_clock::time_point attempt_started_;
  std::chrono::steady_clock::time_point last_read_;
  std::chrono::steady_clock::time_point last_ping_;
  uint32_t pings_ = 0;
  std::shared_ptr<media::Stream> stream_;
  uint64_t publisher_id_ = 0;
  std::optional<rtmp::FlvDemuxer> demuxer_;

  mutable std::mutex status_mutex_;
  Status status_;
};

}  // namespace app
