#include "app/webrtc_worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include "app/logging.hpp"
#include "app/steady_clock.hpp"

namespace app {
namespace {

constexpr auto kTick = std::chrono::milliseconds(20);
constexpr int kStatusEveryTicks = 50;  // once a second
constexpr size_t kMaxForwardedAddresses = 4096;
constexpr int kWantedSendBuffer = 8 << 20;
constexpr int kWantedReceiveBuffer = 4 << 20;
// A paced keyframe replay is served at least this often (its rate is a few Mbit/s per viewer:
// a packet every millisecond or so).
constexpr auto kMaxPaceWait = std::chrono::milliseconds(5);

template <typename Endpoint>
webrtc::TransportAddress to_transport(const Endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v4()) return webrtc::TransportAddress::ipv4(addr.to_v4().to_bytes(), ep.port());
  return webrtc::TransportAddress::ipv6(addr.to_v6().to_bytes(), ep.port()).unmapped();
}

// An ICE-TCP connection must name its session within this (a browser sends its first check at
// once); one whose queue stays over its high-water mark this long has stopped reading.
constexpr auto kTcpClaimTimeout = std::chrono::seconds(5);
constexpr auto kTcpStallLimit = std::chrono::seconds(3);
// Per loop: connections in all (as many as sessions), and not yet claimed in all and per IP,
// so a flood of idle connections from one address cannot lock the others out.
constexpr size_t kMaxTcpConnections = 4096;
constexpr size_t kMaxUnclaimedTcp = 256;
constexpr size_t kMaxUnclaimedTcpPerIp = 16;

// A ufrag from the network, for a log line: ICE characters only (RFC 8839 ice-char), bounded.
std::string printable_ufrag(std::string_view ufrag) {
  if (ufrag.size() > 64) return "(" + std::to_string(ufrag.size()) + " bytes)";
  for (char c : ufrag) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return "(not ICE)";
  }
  return std::string(ufrag);
}

const char* state_name(webrtc::PeerState s) {
  switch (s) {
    case webrtc::PeerState::New:
      return "new";
    case webrtc::PeerState::Connecting:
      return "connecting";
    case webrtc::PeerState::Connected:
      return "connected";
    case webrtc::PeerState::Closed:
      return "closed";
  }
  return "?";
}

}  // namespace

// Everything sent while one is open (nested scopes join the outer one) is batched and flushed
// when the outermost closes: one fan-out, one tick, one received datagram's answers.
class WebRtcWorker::BatchScope {
 public:
  explicit BatchScope(WebRtcWorker& w) : w_(w) { ++w_.batch_depth_; }
  ~BatchScope() {
    if (--w_.batch_depth_ == 0) w_.batch_->flush();
  }
  BatchScope(const BatchScope&) = delete;
  BatchScope& operator=(const BatchScope&) = delete;

 private:
  WebRtcWorker& w_;
};

struct WebRtcWorker::Viewer {
  uint64_t key = 0;
  std::string id;
  std::string path;
  std::string user;
  std::string user_type;
  std::string rendition;
  std::shared_ptr<WebRtcFeed> feed;
  std::shared_ptr<WebRtcFeed> audio_feed;
  std::unique_ptr<webrtc::PeerSession> session;
  std::unique_ptr<AdaptiveVideo> adaptive;  // quality=auto
  bool logged_connected = false;
  bool pacing = false;  // in pacing_
};

WebRtcWorker::WebRtcWorker(boost::asio::io_context& loop,
                           const boost::asio::ip::udp::endpoint& endpoint, Claim claim,
                           Closed closed)
    : loop_(loop),
      socket_(loop),
      timer_(loop),
      pace_timer_(loop),
      claim_(std::move(claim)),
      closed_(std::move(closed)) {
  boost::system::error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6()) socket_.set_option(boost::asio::ip::v6_only(false), ec);
  int one = 1;
  if (!ec && ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one)) {
    ec.assign(errno, boost::system::system_category());
  }
  if (!ec) size_buffers();
  if (!ec) socket_.bind(endpoint, ec);
  if (!ec) socket_.non_blocking(true, ec);
  v6_socket_ = endpoint.address().is_v6();
  if (ec) {
    throw std::runtime_error("cannot bind WebRTC UDP port " + std::to_string(endpoint.port()) +
                             ": " + ec.message());
  }
  batch_ = std::make_unique<UdpBatchSender>(socket_.native_handle(), v6_socket_);
}

WebRtcWorker::~WebRtcWorker() = default;

// Bursts (a GOP replay to a joining viewer, a frame to every viewer of the loop) must not
// overflow the kernel queue. The kernel caps SO_SNDBUF at net.core.wmem_max without a word;
// as root SO_SNDBUFFORCE passes the cap. What it really gave is read back and reported.
void WebRtcWorker::size_buffers() {
  const int fd = socket_.native_handle();
  auto set = [fd](int option, int force, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) != 0)
      ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
    int got = 0;
    socklen_t len = sizeof got;
    ::getsockopt(fd, SOL_SOCKET, option, &got, &len);
    return got / 2;  // the kernel doubles the value for its bookkeeping (socket(7))
  };
  send_buffer_bytes_ = set(SO_SNDBUF, SO_SNDBUFFORCE, kWantedSendBuffer);
  receive_buffer_bytes_ = set(SO_RCVBUF, SO_RCVBUFFORCE, kWantedReceiveBuffer);
}

void WebRtcWorker::set_udp_segmentation(bool on) {
  batch_ = std::make_unique<UdpBatchSender>(socket_.native_handle(), v6_socket_, nullptr, on);
}

void WebRtcWorker::start() {
  const auto level =
      send_buffer_bytes_ < kWantedSendBuffer / 2 ? spdlog::level::warn : spdlog::level::info;
  logger("webrtc")->log(level,
                        "media socket buffers: send {} KiB, receive {} KiB (asked {} and {} KiB{})",
                        send_buffer_bytes_ / 1024, receive_buffer_bytes_ / 1024,
                        kWantedSendBuffer / 1024, kWantedReceiveBuffer / 1024,
                        send_buffer_bytes_ < kWantedSendBuffer / 2
                            ? "; raise net.core.wmem_max or run with CAP_NET_ADMIN"
                            : "");
  {
    std::lock_guard lock(status_mutex_);
    totals_.send_buffer_bytes = static_cast<uint64_t>(send_buffer_bytes_);
  }
  receive();
  tick();
}

void WebRtcWorker::stop() {
  {
    BatchScope batch(*this);
    for (auto& [key, v] : viewers_)
      v->session->close("server shutting down");
  }
  for (auto& [address, c] : tcp_)
    c->close(TcpCloseKind::Closed, "server shutting down");
  tcp_.clear();
  boost::system::error_code ec;
  timer_.cancel();
  pace_timer_.cancel();
  pacing_.clear();
  socket_.close(ec);
}

void WebRtcWorker::receive() {
  socket_.async_receive_from(boost::asio::buffer(buffer_), from_,
                             [this](boost::system::error_code ec, size_t n) {
                               if (ec == boost::asio::error::operation_aborted) return;
                               if (!ec) on_datagram(n);
                               receive();
                             });
}

void WebRtcWorker::on_datagram(size_t size) {
  deliver(std::span<uint8_t>(buffer_.data(), size), to_transport(from_));
}

void WebRtcWorker::forward(int owner, std::span<const uint8_t> datagram,
                           const webrtc::TransportAddress& from) {
  if (owner < 0 || static_cast<size_t>(owner) >= peers_.size()) return;
  auto* peer = peers_[owner];
  if (peer == this) return;
  if (forward_to_.size() >= kMaxForwardedAddresses) forward_to_.clear();
  forward_to_[from] = owner;
  boost::asio::post(
      peer->loop(),
      [peer, from, bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())]() mutable {
        peer->deliver(bytes, from);
      });
}

void WebRtcWorker::deliver(std::span<uint8_t> datagram, const webrtc::TransportAddress& from) {
  BatchScope batch(*this);  // a PLI or a join replays a GOP; a NACK asks for many packets
  Viewer* viewer = nullptr;
  if (auto key = demux_.lookup(datagram, from)) {
    viewer = viewers_.at(*key).get();
  } else if (auto it = forward_to_.find(from);
             it != forward_to_.end() && !webrtc::ice::binding_request_local_ufrag(datagram)) {
    forward(it->second, datagram, from);
    return;
  } else {
    viewer = claim(datagram, from);
  }
  if (!viewer) return;  // garbage, unknown ufrag, or an unbound address: dropped
  receive_on(*viewer, datagram, from);
}

void WebRtcWorker::receive_on(Viewer& viewer, std::span<uint8_t> datagram,
                              const webrtc::TransportAddress& from) {
  auto& s = *viewer.session;
  s.on_datagram(datagram, from, std::chrono::steady_clock::now(), std::chrono::system_clock::now());
  if (auto selected = s.remote_address(); selected && !selected->is_tcp()) {
    if (!demux_.find_by_address(*selected)) demux_.bind_address(*selected, viewer.key);
  }
  after_input(viewer);
}

WebRtcWorker::Viewer* WebRtcWorker::claim(std::span<const uint8_t> datagram,
                                          const webrtc::TransportAddress& from) {
  const auto ufrag = webrtc::ice::binding_request_local_ufrag(datagram);
  if (!ufrag) return nullptr;
  auto route = claim_(*ufrag);
  if (!route.pending) {
    forward(route.owner, datagram, from);
    return nullptr;
  }
  return admit(std::move(route.pending), *ufrag);
}

WebRtcWorker::Viewer* WebRtcWorker::admit(std::shared_ptr<PendingViewer> pending,
                                          std::string_view ufrag) {
  auto v = std::make_unique<Viewer>();
  v->key = next_viewer_++;
  v->id = pending->id;
  v->path = pending->path;
  v->user = pending->user;
  v->user_type = pending->user_type;
  v->rendition = pending->rendition;
  v->feed = pending->feed;
  v->audio_feed = pending->audio_feed ? pending->audio_feed : pending->feed;
  if (!pending->ladder.empty()) {
    v->adaptive = std::make_unique<AdaptiveVideo>(std::move(pending->ladder), pending->ladder_start,
                                                  pending->link_share);
  }
  auto& video = streams_[v->feed.get()];
  auto& audio = streams_[v->audio_feed.get()];
  v->session = std::make_unique<webrtc::PeerSession>(
      std::move(pending->config), *this, video.history, audio.audio_history, pending->created);
  if (!demux_.add_session(ufrag, v->key)) {
    closed_(v->id);  // refused: give its seat back
    return nullptr;
  }
  video.viewers.push_back(v.get());
  audio.audio_viewers.push_back(v.get());
  auto* raw = v.get();
  viewers_.emplace(raw->key, std::move(v));
  return raw;
}

void WebRtcWorker::adopt_tcp(boost::asio::ip::tcp::socket socket,
                             std::vector<uint8_t> already_read) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // gone before we got to it
  const auto remote = to_transport(endpoint).over(webrtc::TransportAddress::Transport::Tcp);
  if (!tcp_admissible(remote)) return;  // the socket closes here
  auto connection = std::make_shared<IceTcpConnection>(std::move(socket), *this, remote,
                                                       std::chrono::steady_clock::now());
  // Same address and port as one that closed since the last sweep: that one ends first (its
  // viewer with it, its counts kept), as the sweep would have done.
  if (auto it = tcp_.find(remote); it != tcp_.end()) {
    auto stale = std::move(it->second);
    tcp_.erase(it);
    end_tcp(*stale);
  }
  tcp_[remote] = connection;
  connection->start(already_read);
}

// Within the per-loop limits; a refusal is counted and logged (the first ten, then every 100th).
bool WebRtcWorker::tcp_admissible(const webrtc::TransportAddress& remote) {
  size_t unclaimed = 0;
  size_t unclaimed_here = 0;
  for (const auto& [address, c] : tcp_) {
    if (c->viewer != 0 || c->closed()) continue;
    ++unclaimed;
    if (std::ranges::equal(address.ip_bytes(), remote.ip_bytes())) ++unclaimed_here;
  }
  const char* refusal = tcp_.size() >= kMaxTcpConnections ? "too many ICE-TCP connections"
                        : unclaimed >= kMaxUnclaimedTcp
                            ? "too many ICE-TCP connections without a session"
                        : unclaimed_here >= kMaxUnclaimedTcpPerIp
                            ? "too many ICE-TCP connections without a session from its address"
                            : nullptr;
  if (auto it = tcp_.find(remote); !refusal && it != tcp_.end() && !it->second->closed()) {
    refusal = "its address already has an open ICE-TCP connection";
  }
  if (!refusal) return true;
  const auto n = ++closed_totals_.tcp_closed[static_cast<size_t>(TcpCloseKind::Refused)];
  if (n <= 10 || n % 100 == 0)
    logger("webrtc")->warn("ICE-TCP connection from {} refused ({} so far): {}", remote.to_string(),
                           n, refusal);
  return false;
}

void WebRtcWorker::on_tcp_frame(IceTcpConnection& connection, std::span<uint8_t> frame) {
  BatchScope batch(*this);
  Viewer* viewer = nullptr;
  if (connection.viewer != 0) {
    const auto it = viewers_.find(connection.viewer);
    if (it == viewers_.end()) {
      connection.close(TcpCloseKind::Closed, "its session ended");
      return;
    }
    viewer = it->second.get();
  } else {
    viewer = claim_tcp(connection, frame);
    if (!viewer) return;
  }
  receive_on(*viewer, frame, connection.remote());
}

// The first frame of a connection: an ICE check naming a session here, one still pending (it
// is claimed here), or one living on another loop (the connection moves there).
WebRtcWorker::Viewer* WebRtcWorker::claim_tcp(IceTcpConnection& connection,
                                              std::span<uint8_t> frame) {
  const auto ufrag = webrtc::ice::binding_request_local_ufrag(frame);
  if (!ufrag) {
    connection.close(TcpCloseKind::Malformed, "first frame is not an ICE connectivity check");
    return nullptr;
  }
  Viewer* viewer = nullptr;
  if (auto key = demux_.find_by_ufrag(*ufrag)) {
    viewer = viewers_.at(*key).get();
  } else if (auto route = claim_(*ufrag); route.pending) {
    viewer = admit(std::move(route.pending), *ufrag);
  } else if (route.owner >= 0 && static_cast<size_t>(route.owner) < peers_.size() &&
             peers_[route.owner] != this) {
    auto* peer = peers_[route.owner];
    auto handoff = connection.release(frame);
    if (handoff.fd < 0) {
      connection.close(TcpCloseKind::Closed, "could not hand the connection to its session's loop");
      return nullptr;
    }
    boost::asio::post(peer->loop(), [peer, h = std::move(handoff)]() mutable {
      boost::asio::ip::tcp::socket socket(peer->loop());
      boost::system::error_code ec;
      socket.assign(h.protocol, h.fd, ec);
      if (ec) {
        ::close(h.fd);
        return;
      }
      peer->adopt_tcp(std::move(socket), std::move(h.bytes));
    });
    return nullptr;
  }
  if (!viewer) {
    connection.close(TcpCloseKind::Malformed,
                     "no session for ICE ufrag " + printable_ufrag(*ufrag));
    return nullptr;
  }
  connection.viewer = viewer->key;
  return viewer;
}

// Every tick: connections that closed are forgotten (their viewer with them when it was playing
// over that connection), those that never named a session or stopped reading are closed.
void WebRtcWorker::sweep_tcp(std::chrono::steady_clock::time_point now) {
  for (auto it = tcp_.begin(); it != tcp_.end();) {
    auto& c = *it->second;
    if (!c.closed()) {
      if (c.viewer == 0 && now - c.accepted() > kTcpClaimTimeout) {
        c.close(TcpCloseKind::Unclaimed, "no ICE check for a session within 5 s");
      } else if (c.stalled_for(now) > kTcpStallLimit) {
        c.close(
            TcpCloseKind::Stalled,
            "stopped reading: " + std::to_string(c.bytes_queued() / 1024) + " KiB queued for 3 s");
      }
    }
    if (!c.closed()) {
      ++it;
      continue;
    }
    auto connection = std::move(it->second);  // alive until end_tcp is done with it
    it = tcp_.erase(it);
    end_tcp(*connection);
  }
}

void WebRtcWorker::end_tcp(IceTcpConnection& c) {
  closed_totals_.tcp_dropped_packets += c.dropped_packets();
  if (c.released()) return;  // moved to another loop, which carries on
  const auto n = ++closed_totals_.tcp_closed[static_cast<size_t>(c.close_kind())];
  // Garbage comes in floods: the first ten of a kind, then every 100th.
  if (c.close_kind() == TcpCloseKind::Closed || n <= 10 || n % 100 == 0) {
    logger("webrtc")->info("ICE-TCP connection from {} closed: {}", c.remote().to_string(),
                           c.close_reason());
  }
  const auto it = viewers_.find(c.viewer);
  if (c.viewer == 0 || it == viewers_.end()) return;
  auto& v = *it->second;
  if (v.session->remote_address() != c.remote()) return;  // it plays over another path
  v.session->close("its ICE-TCP connection closed: " + c.close_reason());
  remove(v);
}

void WebRtcWorker::after_input(Viewer& v) {
  auto& s = *v.session;
  if (s.ready() && !v.logged_connected) {
    v.logged_connected = true;
    const auto st = s.stats();
    logger("webrtc")->info("viewer {} of {} connected from {} in {} ms", v.id, v.path,
                           s.remote_address() ? s.remote_address()->to_string() : "?",
                           st.connect_time ? st.connect_time->count() : -1);
  }
  if (v.adaptive && s.take_estimate_update()) adapt(v, std::chrono::steady_clock::now());
  if (s.take_keyframe_request()) {
    const auto& history = *streams_[v.feed.get()].history;
    s.replay_video(history.since_keyframe(), history.bitrate_bps(),
                   std::chrono::steady_clock::now());
  }
  if (s.closed()) {
    remove(v);
    return;
  }
  schedule_pacing(v);  // a replay, or second copies of what a NACK asked for
}

// What the viewer's estimate now allows: a probe to start, or a switch to begin (completed at
// the new rung's next keyframe: at once on request down, the rung's own GOP keyframe up).
void WebRtcWorker::adapt(Viewer& v, std::chrono::steady_clock::time_point now) {
  auto& s = *v.session;
  auto& a = *v.adaptive;
  if (auto probe = s.take_probe_result()) {
    a.on_probe_result(*probe, now);
    logger("webrtc")->debug("viewer {}: probe {} measured {} kbit/s", v.id, probe->cluster,
                            probe->bps / 1000);
  }
  const auto bandwidth = s.bandwidth();
  if (!bandwidth) return;
  const auto decision = a.on_estimate(*bandwidth, now);
  if (decision.probe &&
      s.start_probe(decision.probe->cluster, decision.probe->target_bps,
                    a.rung(a.current()).bitrate_bps, decision.probe->duration, now)) {
    logger("webrtc")->debug("viewer {}: probe {} at {} kbit/s on {} (estimate {} kbit/s)", v.id,
                            decision.probe->cluster, decision.probe->target_bps / 1000, v.rendition,
                            bandwidth->estimate_bps / 1000);
  }
  if (decision.switch_to) {
    begin_switch(v, *decision.switch_to, now);
  } else if (a.wants_keyframe(now)) {
    a.rung(*a.pending()).feed->request_keyframe();  // an up switch whose keyframe is late
  }
  schedule_pacing(v);
}

void WebRtcWorker::begin_switch(Viewer& v, size_t rung, std::chrono::steady_clock::time_point now) {
  auto& a = *v.adaptive;
  if (auto* waiting = a.switching_feed()) std::erase(streams_[waiting].switching, &v);
  const auto& target = a.rung(rung);
  a.switch_pending(rung, now);
  if (target.feed.get() == v.feed.get()) {
    a.switch_cancelled();  // back where it is: nothing to do
    return;
  }
  streams_[target.feed.get()].switching.push_back(&v);
  if (a.wants_keyframe(now)) target.feed->request_keyframe();
  const auto b = v.session->bandwidth().value_or(webrtc::SendSideBandwidthStats{});
  logger("webrtc")->info(
      "viewer {} of {}: switching {} -> {} (estimate {} kbit/s, acked {} kbit/s, loss {:.1f} %, "
      "last 150 ms {} kbit/s with {:.1f} % lost)",
      v.id, v.path, v.rendition, target.choice.key(), b.estimate_bps / 1000,
      b.acked_bps.value_or(0) / 1000, 100 * b.loss_fraction, b.recent ? b.recent->bps / 1000 : 0,
      b.recent ? 100 * b.recent->loss : 0.0);
}

void WebRtcWorker::finish_switches(StreamState& stream,
                                   const webrtc::PacketizedFramePtr& keyframe) {
  const auto now = std::chrono::steady_clock::now();
  auto moving = std::move(stream.switching);
  stream.switching.clear();
  for (auto* v : moving) {
    auto& a = *v->adaptive;
    const size_t from = a.current();
    const auto rung = a.switch_done();
    std::erase(streams_[v->feed.get()].viewers, v);
    v->feed = a.rung(rung).feed;
    v->rendition = a.rung(rung).choice.key();
    stream.viewers.push_back(v);
    v->session->switch_video(stream.history);
    // Down: the link is full and its queue short (a 50 ms tbf queue held a quarter of a 360p
    // IDR on a 1.5 Mbit/s link; the rest was lost and asked for again, the picture frozen
    // meanwhile). Spread out at a rate near the link's it arrives as soon, whole.
    if (rung > from || a.shares_link())
      send_keyframe_paced(*v, keyframe, now);
    else
      v->session->send_video(keyframe, now);
  }
}

void WebRtcWorker::on_frame(const WebRtcFeed* feed, const webrtc::PacketizedFramePtr& frame) {
  auto& stream = streams_[feed];
  const bool audio = frame->kind == webrtc::TrackKind::Audio;
  (audio ? stream.audio_history : stream.history)->append(frame);
  const bool measured = egress_latency_ &&
                        !(audio ? stream.audio_viewers : stream.viewers).empty() &&
                        frame->arrival_ns > 0;
  const int64_t start_ns = measured ? steady_nanos() : 0;
  {
    BatchScope batch(*this);
    const auto now = std::chrono::steady_clock::now();
    if (audio) {
      for (auto* v : stream.audio_viewers)
        v->session->send_audio(frame, now);
    } else {
      for (auto* v : stream.viewers) {
        if (!v->adaptive) {
          v->session->send_video(frame, now);
        } else if (!v->adaptive->holding_current()) {
          send_adaptive(*v, frame, now);
        }
      }
      if (frame->keyframe && !stream.switching.empty()) finish_switches(stream, frame);
    }
  }
  if (measured) {
    using metrics::FrameKind;
    const auto kind = audio             ? FrameKind::Audio
                      : frame->keyframe ? FrameKind::Keyframe
                                        : FrameKind::Delta;
    egress_latency_->record(kind, frame->arrival_ns, start_ns, steady_nanos());
  }
}

// Viewers sharing one link (a classroom's access point) would all put the rung's keyframe into
// its queue at once: N times a keyframe overflowed the test bed's 100 ms queue every GOP and
// took every viewer down a rung. Spread out at 2.5 times the rung (Chromium's pacing factor,
// at least the replay floor of 2 Mbit/s) they fit; a viewer alone keeps the instant keyframe.
void WebRtcWorker::send_adaptive(Viewer& v, const webrtc::PacketizedFramePtr& frame,
                                 std::chrono::steady_clock::time_point now) {
  if (!frame->keyframe || !v.adaptive->shares_link()) {
    v.session->send_video(frame, now);
    return;
  }
  send_keyframe_paced(v, frame, now);
}

void WebRtcWorker::send_keyframe_paced(Viewer& v, const webrtc::PacketizedFramePtr& keyframe,
                                       std::chrono::steady_clock::time_point now) {
  constexpr double kPaceFactor = 2.5;
  const auto rung_bps = v.adaptive->rung(v.adaptive->current()).bitrate_bps;
  v.session->send_video_paced(keyframe, static_cast<uint64_t>(kPaceFactor * rung_bps), now);
  schedule_pacing(v);
}

void WebRtcWorker::send_datagram(std::span<const uint8_t> bytes,
                                 const webrtc::TransportAddress& to) {
  if (to.is_tcp()) {  // a full queue drops, counted per connection: the same as a lost packet
    if (const auto it = tcp_.find(to); it != tcp_.end())
      it->second->send(bytes, std::chrono::steady_clock::now());
    return;
  }
  // A full socket buffer drops, counted: the viewer recovers through NACK.
  if (batch_depth_ > 0)
    batch_->add(bytes, to);
  else
    batch_->send_now(bytes, to);
}

// Viewers with paced sends pending (a keyframe replay, second copies of retransmissions) are
// served by their own timer, finer than the tick.
void WebRtcWorker::schedule_pacing(Viewer& v) {
  const auto due = v.session->next_pace_due();
  if (!due) return;
  if (!v.pacing) {
    v.pacing = true;
    pacing_.push_back(&v);
  }
  arm_pacing(*due);
}

void WebRtcWorker::arm_pacing(std::chrono::steady_clock::time_point due) {
  const auto at = std::min(due, std::chrono::steady_clock::now() + kMaxPaceWait);
  if (pace_armed_ && pace_timer_.expiry() <= at) return;
  pace_armed_ = true;
  pace_timer_.expires_at(at);
  pace_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // replaced by an earlier deadline, or stopping
    pace_armed_ = false;
    pace();
  });
}

void WebRtcWorker::pace() {
  BatchScope batch(*this);
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> next;
  std::erase_if(pacing_, [&](Viewer* v) {
    v->session->pace(now);
    const auto due = v->session->next_pace_due();
    if (due && (!next || *due < *next)) next = due;
    v->pacing = due.has_value();
    return !v->pacing;
  });
  if (next) arm_pacing(*next);
}

void WebRtcWorker::tick() {
  const auto now = std::chrono::steady_clock::now();
  const auto wall = std::chrono::system_clock::now();
  BatchScope batch(*this);  // every viewer's reports and retransmitted handshake flights
  std::vector<Viewer*> all;
  all.reserve(viewers_.size());
  for (auto& [key, v] : viewers_)
    all.push_back(v.get());
  for (auto* v : all) {
    v->session->on_timer(now, wall);
    after_input(*v);
  }
  sweep_tcp(now);
  if (++ticks_ % kStatusEveryTicks == 0) publish_status();
  timer_.expires_after(kTick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void WebRtcWorker::close_viewer(const std::string& id, const std::string& reason) {
  BatchScope batch(*this);
  for (auto& [key, v] : viewers_) {
    if (v->id != id) continue;
    v->session->close(reason);
    remove(*v);
    return;
  }
}

void WebRtcWorker::forget_feed(const WebRtcFeed* feed) {
  auto it = streams_.find(feed);
  if (it == streams_.end()) return;
  // Viewers of a stopped encoder cannot exist (it stops when none is left); kept if one does.
  if (it->second.viewers.empty() && it->second.audio_viewers.empty() &&
      it->second.switching.empty()) {
    streams_.erase(it);
  }
}

EgressTotals EgressTotals::of(const webrtc::PeerStats& st) {
  EgressTotals t;
  t.handshakes_failed = st.connect_time ? 0 : 1;
  t.packets = st.video.packets + st.audio.packets;
  t.bytes = st.video.bytes + st.audio.bytes;
  t.nacks = st.video.nacked + st.audio.nacked;
  t.retransmitted = st.video.retransmitted + st.audio.retransmitted;
  t.plis = st.plis;
  t.firs = st.firs;
  t.srtp_auth_failures = st.srtp_auth_failures;
  t.nacks_unanswered = st.video_nack.over_budget + st.video_nack.over_nack_limit +
                       st.audio_nack.over_budget + st.audio_nack.over_nack_limit;
  t.paced_replays = st.paced_replays;
  t.probes = st.probes;
  return t;
}

EgressTotals& EgressTotals::operator+=(const EgressTotals& o) {
  viewers_closed += o.viewers_closed;
  handshakes_failed += o.handshakes_failed;
  packets += o.packets;
  bytes += o.bytes;
  nacks += o.nacks;
  retransmitted += o.retransmitted;
  plis += o.plis;
  firs += o.firs;
  srtp_auth_failures += o.srtp_auth_failures;
  send_errors += o.send_errors;
  send_buffer_waits += o.send_buffer_waits;
  send_buffer_bytes = std::max(send_buffer_bytes, o.send_buffer_bytes);
  nacks_unanswered += o.nacks_unanswered;
  paced_replays += o.paced_replays;
  switches_down += o.switches_down;
  switches_up += o.switches_up;
  probes += o.probes;
  egress_bps += o.egress_bps;
  tcp_connections += o.tcp_connections;
  tcp_dropped_packets += o.tcp_dropped_packets;
  for (size_t i = 0; i < tcp_closed.size(); ++i)
    tcp_closed[i] += o.tcp_closed[i];
  return *this;
}

void WebRtcWorker::remove(Viewer& v) {
  const auto st = v.session->stats();
  auto closed = EgressTotals::of(st);
  closed.viewers_closed = 1;
  if (v.adaptive) {
    const auto a = v.adaptive->status();
    closed.switches_down = a.switches_down;
    closed.switches_up = a.switches_up;
  }
  closed_totals_ += closed;
  logger("webrtc")->info(
      "viewer {} of {} closed: {}; sent {} packets in {} frames, {} NACKed, {} retransmitted, "
      "{} PLIs, loss {}/256, rtt {} ms",
      v.id, v.path, v.session->close_reason(), st.video.packets, st.video.frames, st.video.nacked,
      st.video.retransmitted, st.plis, st.fraction_lost, st.rtt ? st.rtt->count() / 1000.0 : -1.0);
  std::erase(streams_[v.feed.get()].viewers, &v);
  std::erase(streams_[v.audio_feed.get()].audio_viewers, &v);
  if (v.adaptive) {
    if (auto* waiting = v.adaptive->switching_feed()) std::erase(streams_[waiting].switching, &v);
  }
  if (v.pacing) std::erase(pacing_, &v);
  for (auto& [address, c] : tcp_) {  // closed here, forgotten by the next sweep
    if (c->viewer == v.key) c->close(TcpCloseKind::Closed, "its session ended");
  }
  demux_.remove_session(v.key);
  closed_(v.id);
  viewers_.erase(v.key);  // destroys v
}

void WebRtcWorker::publish_status() {
  std::vector<ViewerStatus> out;
  out.reserve(viewers_.size());
  EgressTotals totals = closed_totals_;
  for (auto& [key, v] : viewers_) {
    const auto& s = *v->session;
    const auto remote = s.remote_address();
    out.push_back({v->id, v->path, v->user, v->user_type, v->rendition,
                   remote ? remote->to_string() : "", state_name(s.state()),
                   remote && remote->is_tcp() ? "tcp" : "udp", s.stats(),
                   v->adaptive ? std::optional(v->adaptive->status()) : std::nullopt});
    auto live = EgressTotals::of(out.back().stats);
    if (v->adaptive) {
      live.switches_down = out.back().adaptive->switches_down;
      live.switches_up = out.back().adaptive->switches_up;
    }
    live.handshakes_failed = 0;  // still trying
    totals += live;
  }
  for (const auto& [address, c] : tcp_) {
    totals.tcp_connections += c->closed() ? 0 : 1;
    totals.tcp_dropped_packets += c->dropped_packets();
  }
  const auto& sent = batch_->counters();
  totals.send_errors = sent.would_block + sent.errors;
  totals.send_buffer_waits = sent.waited;
  totals.send_buffer_bytes = static_cast<uint64_t>(send_buffer_bytes_);
  if (sent.gso_refused > 0 && !logged_gso_refused_) {
    logged_gso_refused_ = true;
    logger("webrtc")->warn(
        "the kernel refused UDP segmentation offload on the media socket: packets now go one by "
        "one (set udpSegmentation: no to skip the attempt)");
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(status_mutex_);
  if (last_status_ != std::chrono::steady_clock::time_point{} && totals.bytes >= totals_.bytes) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - last_status_);
    if (us.count() > 0) totals.egress_bps = (totals.bytes - totals_.bytes) * 8'000'000 / us.count();
  }
  last_status_ = now;
  status_ = std::move(out);
  totals_ = totals;
}

EgressTotals WebRtcWorker::totals() const {
  std::lock_guard lock(status_mutex_);
  return totals_;
}

std::vector<ViewerStatus> WebRtcWorker::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

}  // namespace app
