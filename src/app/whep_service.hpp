#pragma once
// WHEP (draft-ietf-wish-whep) on the WebRTC HTTP port: POST an SDP offer to /<path>/whep, get
// 201 with the answer and a Location to DELETE. Creates the viewer session, which the WebRTC
// worker whose socket receives the viewer's first STUN check then claims.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/config.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "app/quality_choice.hpp"
#include "app/rendition_feeds.hpp"
#include "app/webrtc_worker.hpp"
#include "auth/access_policy.hpp"
#include "http/router.hpp"
#include "media/stream_registry.hpp"
#include "webrtc/abr/link_share.hpp"
#include "webrtc/dtls/dtls_context.hpp"

namespace app {

class WhepService {
 public:
  WhepService(const Config& config, media::StreamRegistry& registry,
              std::shared_ptr<const webrtc::dtls::DtlsContext> dtls,
              std::vector<std::string> candidate_ips, const NodeCredentials& credentials,
              NodeCounters& counters);

  // Workers are attached after construction (they call back into claim/on_closed).
  void attach(std::vector<WebRtcWorker*> workers);
  void add_routes(http::Router& router);

  // The pending viewer with this ufrag (now owned by `worker`), or where it already lives.
  ViewerRoute claim(std::string_view ufrag, size_t worker);
  void on_closed(const std::string& id);
  std::vector<ViewerStatus> viewers() const;
  // The audio transcoder of a path's WebRTC feed (input codec, rate, channels, output bitrate,
  // decode errors); empty when nobody watched the path yet or its audio is passed through.
  std::optional<media::TranscoderStatus> audio_status(const std::string& path) const;
  // The path's encoded renditions (running ones) and the node's encoder totals.
  std::vector<RenditionStatus> renditions(const std::string& path) const;
  EncoderTotals encoder_totals() const;
  size_t viewer_count() const;
  size_t viewer_count(const std::string& path) const;
  // A sub node pulls streams on demand: asked when a viewer wants a path nobody publishes here;
  // true means a pull is starting, and the viewer is told to retry (503, Retry-After: 1).
  void set_missing_stream_hook(std::function<bool(const std::string& path)> hook) {
    missing_stream_ = std::move(hook);
  }
  EgressTotals totals() const;  // summed over the workers

  // Offers whose viewer has not sent its first ICE check yet hold no viewer seat: they expire
  // after PendingTimeout (a browser checks within a second of the answer) on a timer of their
  // own, and a token subject, a client address and the node may hold only so many at once
  // (loopback clients only the node's bound: the machine's own tools, as for RTMP play).
  static constexpr std::chrono::seconds PendingTimeout{5};
  static constexpr size_t MaxPendingPerSubject = 4;
  static constexpr size_t MaxPendingPerAddress = 100;  // a class of 30 behind one NAT, and more
  void start_sweeping(boost::asio::io_context& loop);

 private:
  using HeldRendition = RenditionFeeds::Held;
  struct Session {
    std::string ufrag;
    int worker = -1;  // -1 while pending
    std::string path;
    std::vector<HeldRendition> leases;  // what it acquired from the feeds
    // The last part of its resource URL (/whep/session/<id>/<key>): whoever holds the Location
    // may end it; the id alone, which staff listings show, may not.
    std::string key;
  };
  struct Offer;  // one POST's state between its steps
  http::Response post_offer(const http::RequestContext& ctx);
  // The quality this viewer gets (a VP8 encode when its browser has no H.264) and the answer's
  // plan; a refusal when it asked for a quality the stream does not offer.
  std::optional<http::Response> authorize(const http::RequestContext& ctx, Offer& offer);
  std::optional<http::Response> choose(const http::RequestContext& ctx, Offer& offer);
  void start_with_classmates(const http::RequestContext& ctx, Offer& offer);
  // The feeds that carry it (starting the encoder); a refusal when the encoder cannot start.
  std::optional<http::Response> take_feeds(const http::RequestContext& ctx, Offer& offer);
  void take_ladder(Offer& offer);
  std::optional<http::Response> make_viewer(const http::RequestContext& ctx, Offer& offer);
  // Content type, a live stream and a free seat: the refusal to send, or nothing.
  std::optional<http::Response> check_admission(const http::RequestContext& ctx,
                                                const std::string& path,
                                                const std::shared_ptr<media::Stream>& stream) const;
  // Registers the viewer, or refuses it (429/503) when its subject, address or the node holds
  // too many pending offers.
  std::optional<http::Response> add_pending(const http::RequestContext& ctx,
                                            const std::shared_ptr<PendingViewer>& viewer,
                                            std::vector<HeldRendition> leases,
                                            const std::string& key);
  void sweep();
  // Viewers that reached a worker (connecting or connected): what maxViewers bounds.
  size_t seated_count() const;
  http::Response delete_session(const http::RequestContext& ctx);
  void forget_session_locked(std::map<std::string, Session>::iterator it);
  void expire_pending_locked(std::chrono::steady_clock::time_point now);
  // Every removal from pending_ goes through here, so the per-key counts stay true.
  void erase_pending_locked(
      std::map<std::string, std::shared_ptr<PendingViewer>, std::less<>>::iterator it);

  const Config& config_;
  media::StreamRegistry& registry_;
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_;
  std::vector<std::string> candidates_;
  const NodeCredentials& credentials_;
  const auth::AccessPolicy& policy_;
  NodeCounters& counters_;
  std::function<bool(const std::string&)> missing_stream_;
  std::vector<WebRtcWorker*> workers_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<PendingViewer>, std::less<>> pending_;  // by ufrag
  // Pending offers per token subject and per address: a POST checks its caps without scanning.
  std::map<std::string, size_t, std::less<>> pending_by_user_;
  std::map<std::string, size_t, std::less<>> pending_by_address_;
  std::map<std::string, Session> sessions_;         // by id
  std::map<std::string, int, std::less<>> owners_;  // claimed ufrag -> worker
  webrtc::abr::LinkShares link_shares_;
  std::unique_ptr<RenditionFeeds> feeds_;  // made at attach(): it posts to the workers
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
};

}  // namespace app
