#pragma once
// The WebRTC egress of one event loop: its own UDP socket on the shared media port
// (SO_REUSEPORT: the kernel keeps each viewer's 4-tuple on one socket, hence one loop), the
// ICE-TCP connections handed to it, the viewer sessions living here, and per stream the packet
// history they start from and repair with. Nothing here is touched from another thread except
// through post().
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/adaptive_video.hpp"
#include "app/ice_tcp_connection.hpp"
#include "app/udp_batch_sender.hpp"
#include "app/webrtc_feed.hpp"
#include "metrics/egress_latency.hpp"
#include "webrtc/ice/ufrag_demux.hpp"
#include "webrtc/packet_history.hpp"
#include "webrtc/peer_session.hpp"

namespace app {

// A viewer created by a WHEP POST and not yet claimed by the worker whose socket its first
// STUN check reaches.
struct PendingViewer {
  std::string id;  // WHEP resource id
  std::string path;
  std::string user;                        // the token's sub
  std::string user_type;                   // student, teacher, monitor, node
  std::string address;                     // the client's IP (without port), for per-address limits
  std::string rendition;                   // "source" or a rung of the ladder
  std::shared_ptr<WebRtcFeed> feed;        // its video: the source's or a rendition's
  std::shared_ptr<WebRtcFeed> audio_feed;  // its audio: the path's pass-through feed
  // quality=auto: the rungs it moves over (feeds leased for it), best first, and where it
  // starts; empty: a fixed rendition.
  std::vector<LadderRung> ladder;
  size_t ladder_start = 0;
  std::shared_ptr<webrtc::abr::LinkShare> link_share;  // the other adaptive viewers of its address
  webrtc::PeerSessionConfig config;
  std::chrono::steady_clock::time_point created;
};

struct ViewerStatus {
  std::string id;
  std::string path;
  std::string user;
  std::string user_type;
  std::string rendition;
  std::string remote;
  std::string state;
  std::string transport;  // "udp", or "tcp" when its selected path is an ICE-TCP connection
  webrtc::PeerStats stats;
  std::optional<AdaptiveStatus> adaptive;  // quality=auto viewers
};

// Counts over every viewer a loop has served, closed ones included: monotonic, for /metrics.
struct EgressTotals {
  uint64_t viewers_closed = 0;
  uint64_t handshakes_failed = 0;  // closed before DTLS-SRTP was up
  uint64_t packets = 0;            // RTP sent, video + audio, retransmissions included
  uint64_t bytes = 0;
  uint64_t nacks = 0;  // sequence numbers viewers asked for again
  uint64_t retransmitted = 0;
  uint64_t plis = 0;
  uint64_t firs = 0;
  uint64_t srtp_auth_failures = 0;
  uint64_t send_errors = 0;
  uint64_t send_buffer_waits = 0;  // a full socket buffer waited on instead of dropping
  uint64_t nacks_unanswered = 0;   // over a viewer's repair budget or one NACK's send limit
  uint64_t paced_replays = 0;      // keyframe requests answered by a paced replay
  uint64_t switches_down = 0;      // rendition switches of adaptive viewers
  uint64_t switches_up = 0;
  uint64_t probes = 0;               // probes of adaptive viewers' links
  uint64_t egress_bps = 0;           // over the last status period (a gauge, not a count)
  uint64_t send_buffer_bytes = 0;    // the media socket's effective SO_SNDBUF (a gauge)
  uint64_t tcp_connections = 0;      // ICE-TCP connections open now (a gauge)
  uint64_t tcp_dropped_packets = 0;  // datagrams dropped because a TCP viewer's queue was full
  std::array<uint64_t, TcpCloseKindCount> tcp_closed{};  // by TcpCloseKind

  static EgressTotals of(const webrtc::PeerStats& stats);
  EgressTotals& operator+=(const EgressTotals& other);
};

// Where a viewer's session lives: pending (claim it here) or on another worker's loop.
struct ViewerRoute {
  std::shared_ptr<PendingViewer> pending;
  int owner = -1;
};

class WebRtcWorker : public webrtc::DatagramSink, public IceTcpFrameHandler {
 public:
  using Claim = std::function<ViewerRoute(std::string_view ufrag)>;
  using Closed = std::function<void(const std::string& id)>;

  WebRtcWorker(boost::asio::io_context& loop, const boost::asio::ip::udp::endpoint& endpoint,
               Claim claim, Closed closed);
  ~WebRtcWorker() override;

  // All workers, this one included, so datagrams that the kernel hashed to this socket for a
  // session living on another loop can be handed over (a browser checking from several
  // addresses may reach several sockets).
  void set_peers(std::vector<WebRtcWorker*> peers) { peers_ = std::move(peers); }
  // Where each frame's ingest-to-sent time goes; null: not measured.
  void set_egress_latency(metrics::EgressLatency* latency) { egress_latency_ = latency; }
  // UDP_SEGMENT offload (on by default; it turns itself off if the kernel refuses it). Call
  // before start().
  void set_udp_segmentation(bool on);
  void start();
  void stop();
  boost::asio::io_context& loop() { return loop_; }

  // Posted to this loop by a feed for every packetized frame of its stream.
  void on_frame(const WebRtcFeed* feed, const webrtc::PacketizedFramePtr& frame);
  // The feed's encoder stopped: drop its history (posted once no viewer uses it).
  void forget_feed(const WebRtcFeed* feed);
  // An accepted ICE-TCP connection (posted to this loop; the socket lives on it).
  void adopt_tcp(boost::asio::ip::tcp::socket socket, std::vector<uint8_t> already_read);
  // DELETE of the WHEP resource (posted to this loop).
  void close_viewer(const std::string& id, const std::string& reason);
  // A snapshot, refreshed once a second on this loop.
  std::vector<ViewerStatus> status() const;
  EgressTotals totals() const;

 private:
  struct Viewer;
  class BatchScope;
  struct StreamState {
    std::shared_ptr<webrtc::PacketHistory> history = std::make_shared<webrtc::PacketHistory>();
    std::shared_ptr<webrtc::PacketHistory> audio_history =
        std::make_shared<webrtc::PacketHistory>();
    std::vector<Viewer*> viewers;        // watching this feed's video
    std::vector<Viewer*> audio_viewers;  // hearing this feed's audio
    std::vector<Viewer*> switching;      // moving to this feed's video at its next keyframe
  };

  void send_datagram(std::span<const uint8_t> bytes, const webrtc::TransportAddress& to) override;
  void on_tcp_frame(IceTcpConnection& connection, std::span<uint8_t> frame) override;
  void receive();
  void on_datagram(size_t size);
  void deliver(std::span<uint8_t> datagram, const webrtc::TransportAddress& from);
  void receive_on(Viewer& viewer, std::span<uint8_t> datagram,
                  const webrtc::TransportAddress& from);
  void forward(int owner, std::span<const uint8_t> datagram, const webrtc::TransportAddress& from);
  Viewer* claim(std::span<const uint8_t> datagram, const webrtc::TransportAddress& from);
  Viewer* admit(std::shared_ptr<PendingViewer> pending, std::string_view ufrag);
  Viewer* claim_tcp(IceTcpConnection& connection, std::span<uint8_t> frame);
  bool tcp_admissible(const webrtc::TransportAddress& remote);
  void sweep_tcp(std::chrono::steady_clock::time_point now);
  void end_tcp(IceTcpConnection& connection);
  void after_input(Viewer& viewer);
  void adapt(Viewer& viewer, std::chrono::steady_clock::time_point now);
  void send_keyframe_paced(Viewer& viewer, const webrtc::PacketizedFramePtr& keyframe,
                           std::chrono::steady_clock::time_point now);
  void send_adaptive(Viewer& viewer, const webrtc::PacketizedFramePtr& frame,
                     std::chrono::steady_clock::time_point now);
  void begin_switch(Viewer& viewer, size_t rung, std::chrono::steady_clock::time_point now);
  void finish_switches(StreamState& stream, const webrtc::PacketizedFramePtr& keyframe);
  void tick();
  void size_buffers();
  void schedule_pacing(Viewer& viewer);
  void arm_pacing(std::chrono::steady_clock::time_point due);
  void pace();
  void remove(Viewer& viewer);
  void publish_status();

  boost::asio::io_context& loop_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer pace_timer_;
  bool pace_armed_ = false;
  std::vector<Viewer*> pacing_;  // viewers with paced sends pending (Viewer::pacing)
  int send_buffer_bytes_ = 0;
  int receive_buffer_bytes_ = 0;
  Claim claim_;
  Closed closed_;
  std::array<uint8_t, 2048> buffer_{};
  boost::asio::ip::udp::endpoint from_;
  webrtc::ice::UfragDemux<uint64_t> demux_;
  uint64_t next_viewer_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Viewer>> viewers_;
  std::unordered_map<const WebRtcFeed*, StreamState> streams_;
  std::vector<WebRtcWorker*> peers_;
  metrics::EgressLatency* egress_latency_ = nullptr;
  // ICE-TCP connections by remote address (Transport::Tcp), claimed or not yet.
  std::unordered_map<webrtc::TransportAddress, std::shared_ptr<IceTcpConnection>> tcp_;
  // Remote addresses whose sessions live on another worker (bounded; refilled by STUN).
  std::unordered_map<webrtc::TransportAddress, int> forward_to_;
  bool v6_socket_ = false;
  bool logged_gso_refused_ = false;
  // Sends while a BatchScope is open go out together through sendmmsg.
  std::unique_ptr<UdpBatchSender> batch_;
  int batch_depth_ = 0;
  int ticks_ = 0;
  EgressTotals closed_totals_;
  std::chrono::steady_clock::time_point last_status_{};
  mutable std::mutex status_mutex_;
  std::vector<ViewerStatus> status_;
  EgressTotals totals_;
};

}  // namespace app
