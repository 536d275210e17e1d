#pragma once
// One accepted RTMP connection on its own event loop: drives the sans-I/O rtmp::ServerConnection
// with socket bytes, and connects it to the media core as a publisher or as a player. Over RTMPS
// the TLS handshake comes first, under the same handshake deadline as RTMP's own.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/node_counters.hpp"
#include "auth/access_policy.hpp"
#include "auth/failed_auth_limiter.hpp"
#include "media/stream_registry.hpp"
#include "rtmp/flv_demuxer.hpp"
#include "rtmp/server_connection.hpp"
#include "tls/maybe_tls_stream.hpp"

namespace app {

class RtmpPlayReader;

class RtmpSession : public std::enable_shared_from_this<RtmpSession>,
                    public media::PublisherListener,
                    private rtmp::ServerConnection::Listener {
 public:
  RtmpSession(boost::asio::ip::tcp::socket socket, media::StreamRegistry& registry,
              const Config& config, const auth::AccessPolicy& policy,
              auth::FailedAuthLimiter& failed_auth, NodeCounters& counters, uint64_t id,
              tls::ContextPtr tls = nullptr);
  ~RtmpSession() override;

  // Keeps the listener's connection slot until this session is destroyed.
  void hold(std::shared_ptr<void> slot) { slot_ = std::move(slot); }
  void start();

  // media::PublisherListener: called from the new publisher's thread.
  void on_replaced() override;
  // Called on this session's loop by its play reader when frames are queued.
  void drain_play_queue();

 private:
  std::string on_publish(const rtmp::StreamKey& key) override;
  std::string on_play(const rtmp::StreamKey& key) override;
  void on_media(const rtmp::Message& message) override;
  void on_stream_closed() override;

  void read_some();
  void on_read(size_t n);
  void flush_output();
  void write_next();
  void arm_watchdog();
  bool check_deadlines();
  void attach_player();
  void wait_for_publisher();
  void close(const std::string& reason);
  void end_publish();
  void end_play();
  bool admitted(const rtmp::StreamKey& key, Entry entry, std::string& refusal);
  void send_frame(const media::Frame& frame);
  uint32_t play_timestamp(const media::Frame& frame);

  tls::MaybeTlsStream<boost::asio::ip::tcp::socket> socket_;  // RTMP or RTMPS
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer linger_;
  boost::asio::steady_timer publisher_poll_;  // a player waiting for a path's first publisher
  media::StreamRegistry& registry_;
  const Config& config_;
  const auth::AccessPolicy& policy_;
  auth::FailedAuthLimiter& failed_auth_;
  NodeCounters& counters_;
  const uint64_t id_;
  const std::string peer_;
  const bool peer_is_loopback_;
  rtmp::ServerConnection conn_;
  std::vector<uint8_t> read_buffer_;
  std::deque<std::vector<uint8_t>> write_queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;
  std::string fatal_;  // set by a listener callback; the connection closes after feed()
  std::chrono::steady_clock::time_point started_at_;
  std::chrono::steady_clock::time_point last_read_;
  std::string path_;
  std::shared_ptr<void> slot_;

  // Publishing.
  std::shared_ptr<media::Stream> stream_;
  uint64_t publisher_id_ = 0;
  std::optional<rtmp::FlvDemuxer> demuxer_;
  bool bframes_logged_ = false;
  std::shared_ptr<const media::VideoConfig> logged_video_;
  std::shared_ptr<const media::AudioConfig> logged_audio_;

  // Playing.
  std::shared_ptr<RtmpPlayReader> reader_;
  std::shared_ptr<media::Stream> stream_for_play_;
  std::shared_ptr<const media::VideoConfig> sent_video_config_;
  std::shared_ptr<const media::AudioConfig> sent_audio_config_;
  bool linger_armed_ = false;
  bool waiting_for_publisher_ = false;  // play accepted, nothing subscribed, no registry entry
  std::chrono::steady_clock::time_point play_accepted_at_;
  std::optional<std::chrono::steady_clock::time_point> no_publisher_since_;
  bool play_has_base_ = false;
  int64_t play_base_ms_ = 0;
  int64_t play_last_out_ms_ = 0;
};

}  // namespace app
