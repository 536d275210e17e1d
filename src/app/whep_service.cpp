#include "app/whep_service.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/post.hpp>

#include "app/logging.hpp"
#include "app/secret_check.hpp"
#include "app/staff_gate.hpp"
#include "app/wall_clock.hpp"
#include "base/crypto.hpp"
#include "http/rate_limiter.hpp"
#include "webrtc/ice/ice_candidate.hpp"
#include "webrtc/ice/tcp_candidate.hpp"
#include "webrtc/sdp/answer_builder.hpp"
#include "webrtc/sdp/offer_parser.hpp"

namespace app {
namespace {

uint32_t random_u32() {
  uint32_t v = 0;
  base::random_bytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  return v;
}

std::string fingerprint_hex(const webrtc::dtls::Fingerprint& f) {
  const auto sdp = f.to_sdp();  // "sha-256 AB:CD:..."
  const auto space = sdp.find(' ');
  return space == std::string::npos ? sdp : sdp.substr(space + 1);
}

constexpr std::string_view RenditionHeader = "X-AIRClass-Rendition";
constexpr std::string_view TransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

std::optional<uint8_t> extension_id(const webrtc::sdp::SectionPlan& section, std::string_view uri) {
  for (const auto& e : section.extmaps) {
    if (e.uri == uri) return static_cast<uint8_t>(e.id);
  }
  return std::nullopt;
}

bool has_extension(const webrtc::sdp::SectionPlan& section, std::string_view uri) {
  return extension_id(section, uri).has_value();
}

bool has_feedback(const webrtc::sdp::SectionPlan& section, std::string_view fb) {
  return std::find(section.rtcp_fb.begin(), section.rtcp_fb.end(), fb) != section.rtcp_fb.end();
}

// What libx264 makes of every rendition (level 4.0 covers 1080p30); the answer names it before
// the rendition's first picture exists.
constexpr webrtc::sdp::H264ProfileLevelId RenditionProfile{
    webrtc::sdp::H264Profile::ConstrainedBaseline, 0x42, 0xe0, 0x28};

webrtc::sdp::AnswerParams answer_params(const webrtc::ice::IceCredentials& local_ice,
                                        std::string fingerprint,
                                        const std::vector<std::string>& candidates,
                                        const media::VideoConfig* passthrough, bool audio,
                                        bool av_sync) {
  webrtc::sdp::AnswerParams params;
  params.session_id = (uint64_t{random_u32()} << 31) | random_u32();
  params.ice_ufrag = local_ice.ufrag;
  params.ice_pwd = local_ice.pwd;
  params.fingerprint_sha256 = std::move(fingerprint);
  params.candidates = candidates;
  if (const auto* v = passthrough) {
    if (auto p = webrtc::sdp::H264ProfileLevelId::from_sps(v->profile_idc, v->constraint_flags,
                                                           v->level_idc)) {
      params.stream_profile = *p;
    }
  }
  params.audio_available = audio;
  params.audio_rtx_ssrc = random_u32();
  params.video_rtx_ssrc = random_u32();  // the SSRCs are the feeds', set once they are taken
  params.cname = base::random_string(16);
  params.stream_id = "airclass";
  if (!av_sync) params.audio_stream_id = "airclass-audio";
  params.video_track_id = "video";
  params.audio_track_id = "audio";
  // Every packet carries the transport-wide sequence number and the browser's feedback drives
  // the viewer's bandwidth estimate; REMB stands in for a receiver without transport-cc.
  params.transport_cc = true;
  params.goog_remb = true;
  params.header_extensions = {std::string(TransportCcUri)};
  return params;
}

// The section whose transport the viewer uses: its video, or its audio when the stream has no
// video; nullptr when the offer has nothing we can send.
const webrtc::sdp::SectionPlan* transport_section(const webrtc::sdp::AnswerPlan& plan,
                                                  bool stream_has_video) {
  const auto* video = plan.video();
  const auto* audio = plan.audio();
  if (video && (video->h264 || video->vp8)) return video;
  if (audio && audio->opus && !stream_has_video) return audio;
  return nullptr;
}

std::string no_media_reason(const webrtc::sdp::AnswerPlan& plan,
                            const std::shared_ptr<const media::VideoConfig>& video) {
  std::string reason = video ? "offer has no usable H.264 or VP8 video section"
                             : "offer has no usable Opus audio section";
  for (const auto& s : plan.sections) {
    if (!s.reject_reason.empty()) reason += "; " + s.reject_reason;
  }
  return reason;
}

std::optional<webrtc::dtls::Fingerprint> remote_fingerprint(
    const webrtc::sdp::MediaSection* section) {
  if (section == nullptr) return std::nullopt;
  for (const auto& f : section->fingerprints) {
    if (auto fp = webrtc::dtls::Fingerprint::parse(f.algorithm + " " + f.value)) return fp;
  }
  return std::nullopt;
}

webrtc::TrackSenderConfig audio_sender(const webrtc::sdp::OpusChoice& opus,
                                       const webrtc::sdp::AnswerParams& params) {
  webrtc::TrackSenderConfig a;
  a.payload_type = opus.pt;
  a.ssrc = params.audio_ssrc;
  a.initial_seq = static_cast<uint16_t>(random_u32());
  // NACKs for the audio SSRC reach this sender; with RTX negotiated it answers on its own SSRC.
  a.rtx_payload_type = opus.rtx_pt;
  a.rtx_ssrc = params.audio_rtx_ssrc;
  a.initial_rtx_seq = static_cast<uint16_t>(random_u32());
  return a;
}

webrtc::PeerSessionConfig peer_config(const webrtc::sdp::AnswerParams& params,
                                      const webrtc::sdp::AnswerPlan& plan,
                                      const webrtc::ice::IceCredentials& local_ice,
                                      const webrtc::sdp::MediaSection& remote,
                                      const webrtc::dtls::Fingerprint& remote_fp,
                                      std::shared_ptr<const webrtc::dtls::DtlsContext> dtls) {
  const auto* video = plan.video();
  const auto* audio = plan.audio();
  const bool video_ok = video && video->payload_type();
  webrtc::PeerSessionConfig pc;
  pc.local_ice = local_ice;
  pc.remote_ice = {remote.ice_ufrag, remote.ice_pwd};
  pc.dtls_context = std::move(dtls);
  pc.remote_fingerprint = remote_fp;
  pc.cname = params.cname;
  pc.video.payload_type = video_ok ? *video->payload_type() : 96;  // audio-only: never used
  pc.video.ssrc = params.video_ssrc;
  if (video_ok) pc.video.rtx_payload_type = video->rtx_pt();
  pc.video.rtx_ssrc = params.video_rtx_ssrc;
  pc.video.initial_seq = static_cast<uint16_t>(random_u32());
  pc.video.initial_rtx_seq = static_cast<uint16_t>(random_u32());
  if (audio && audio->opus) pc.audio = audio_sender(*audio->opus, params);
  // One transport (BUNDLE): the video section's id numbers the extension for both tracks.
  if (video_ok) {
    pc.transport_cc_extension = extension_id(*video, TransportCcUri);
    pc.remb = has_feedback(*video, "goog-remb");
  }
  return pc;
}

void log_accepted(const PendingViewer& viewer, const std::string& from) {
  const auto& pc = viewer.config;
  logger("webrtc")->info("viewer {} of {} from {}: offer accepted ({}, PT {}{}{}{})", viewer.id,
                         viewer.path, from, viewer.rendition, pc.video.payload_type,
                         pc.video.rtx_payload_type ? ", RTX" : "",
                         pc.audio ? ", Opus" : ", no audio",
                         pc.audio && pc.audio->rtx_payload_type ? " with RTX" : "");
}

}  // namespace

WhepService::WhepService(const Config& config, media::StreamRegistry& registry,
                         std::shared_ptr<const webrtc::dtls::DtlsContext> dtls,
                         std::vector<std::string> candidate_ips, const NodeCredentials& credentials,
                         NodeCounters& counters)
    : config_(config),
      registry_(registry),
      dtls_(std::move(dtls)),
      credentials_(credentials),
      policy_(*credentials.policy),
      counters_(counters) {
  uint16_t preference = 65535;
  for (const auto& ip : candidate_ips) {
    auto addr = webrtc::TransportAddress::from_ip_string(ip, config.webrtc_udp_address.port);
    if (!addr) continue;
    candidates_.push_back(webrtc::ice::IceCandidate::host(*addr, preference).to_attribute());
    if (preference > 0) --preference;
  }
  // ICE over TCP for networks that block UDP: priorities below every UDP candidate, so a
  // browser that can use UDP does.
  uint32_t tcp_preference = webrtc::ice::MaxTcpOtherPreference;
  for (const auto& ip : config.webrtc_tcp_address ? candidate_ips : std::vector<std::string>{}) {
    auto addr = webrtc::TransportAddress::from_ip_string(ip, config.webrtc_tcp_address->port);
    if (!addr) continue;
    candidates_.push_back(webrtc::ice::tcp_passive_candidate_attribute(*addr, tcp_preference));
    if (tcp_preference > 0) --tcp_preference;
  }
}

void WhepService::add_routes(http::Router& router) {
  router.add(http::Verb::post, "/{path...}/whep",
             [this](const http::RequestContext& c) { return post_offer(c); });
  router.add(http::Verb::delete_, "/whep/session/{id}/{key}",
             [this](const http::RequestContext& c) { return delete_session(c); });
  router.add(http::Verb::delete_, "/whep/session/{id}",
             [this](const http::RequestContext& c) { return delete_session(c); });
}

void WhepService::attach(std::vector<WebRtcWorker*> workers) {
  workers_ = std::move(workers);
  auto deliver = [workers = workers_](const WebRtcFeed* f,
                                      const webrtc::PacketizedFramePtr& frame) {
    for (auto* w : workers) {
      boost::asio::post(w->loop(), [w, f, frame] { w->on_frame(f, frame); });
    }
  };
  // The feed stays alive until every worker has dropped it, so its address is not reused
  // while a frame or a lookup for it may still be queued.
  auto forget = [workers = workers_](const std::shared_ptr<WebRtcFeed>& feed) {
    for (auto* w : workers) {
      boost::asio::post(w->loop(), [w, feed] { w->forget_feed(feed.get()); });
    }
  };
  // Each path's pass-through feed works on one worker loop, the paths spread over them.
  auto runner = [workers = workers_, next = std::make_shared<std::atomic<size_t>>(0)] {
    auto* w = workers[next->fetch_add(1) % workers.size()];
    return WebRtcFeed::Runner(
        [w](std::function<void()> work) { boost::asio::post(w->loop(), std::move(work)); });
  };
  feeds_ = std::make_unique<RenditionFeeds>(config_, std::move(deliver), std::move(forget),
                                            std::move(runner), &registry_);
}

// One POST's state between its steps.
struct WhepService::Offer {
  std::string path;
  std::shared_ptr<media::Stream> stream;
  std::optional<auth::TokenClaims> claims;
  webrtc::sdp::ParseResult parsed;
  std::shared_ptr<const media::VideoConfig> video;  // the source's: what the stream is
  bool audio = false;
  QualityChoice quality;
  std::optional<webrtc::ice::IceCredentials> ice;
  webrtc::sdp::AnswerParams params;
  webrtc::sdp::AnswerPlan plan;
  RenditionFeeds::Lease feeds;
  std::vector<HeldRendition> leases;  // what was acquired for it
  std::vector<QualityChoice> ladder;  // quality=auto: what it adapts over, best first
  size_t ladder_start = 0;            // the rung it starts on
  std::shared_ptr<webrtc::abr::LinkShare> link_share;  // its classmates behind the same link
  std::vector<LadderRung> rungs;                       // ... and their feeds
  uint32_t source_bps = 0;
  std::shared_ptr<PendingViewer> viewer;
};

http::Response WhepService::post_offer(const http::RequestContext& ctx) {
  const auto& req = ctx.request;
  Offer o;
  o.path = ctx.params.at("path");
  if (auto refusal = authorize(ctx, o)) return std::move(*refusal);
  o.stream = registry_.find(o.path);
  if (auto refusal = check_admission(ctx, o.path, o.stream)) return std::move(*refusal);
  o.parsed = webrtc::sdp::parse_offer(req.body());
  if (!o.parsed) {
    return http::make_error(req, http::Status::bad_request, "bad offer: " + o.parsed.error);
  }
  if (auto refusal = choose(ctx, o)) return std::move(*refusal);
  if (auto refusal = take_feeds(ctx, o)) return std::move(*refusal);
  // From here on the viewer holds its rendition: give it back unless it becomes a session.
  auto refuse = [&](http::Response res) {
    for (const auto& held : o.leases)
      feeds_->release(o.path, held);
    return res;
  };
  if (auto refusal = make_viewer(ctx, o)) return refuse(std::move(*refusal));
  const auto answer = webrtc::sdp::build_answer(*o.parsed.offer, o.params, o.plan);
  const auto key = base::random_string(24);  // 143 bits: unguessable
  if (auto refusal = add_pending(ctx, o.viewer, o.leases, key)) return refuse(std::move(*refusal));
  NodeCounters::bump(counters_.whep_sessions);
  log_accepted(*o.viewer, ctx.client_description());
  auto res = http::make_response(req, http::Status::created, "application/sdp", answer);
  res.set(boost::beast::http::field::location, "/whep/session/" + o.viewer->id + "/" + key);
  // The rendition this viewer gets, "auto" and the token's cap resolved: the page shows it.
  res.set(RenditionHeader, o.quality.key());
  return res;
}

// The viewer's token; a forged one is a guess, through the failed-authentication limiter.
std::optional<http::Response> WhepService::authorize(const http::RequestContext& ctx, Offer& o) {
  const auto jwt = ctx.query.find("jwt");
  auth::AccessResult access;
  const auto checked =
      check_secret(*credentials_.failed_auth, ctx.remote_address, auth::Secret::Bearer, [&] {
        access = policy_.check_whep(
            o.path, jwt == ctx.query.end() ? std::string_view{} : jwt->second,
            ctx.request[boost::beast::http::field::authorization], unix_seconds());
        return token_match(access.token_error);
      });
  if (checked.throttled()) {
    counters_.refuse(Entry::Whep, Refusal::RateLimited);
    return throttled_response(ctx.request, auth::Secret::Bearer, checked.retry_after);
  }
  if (access.ok()) {
    o.claims = access.claims;
    return std::nullopt;
  }
  const bool forbidden = access.decision == auth::Decision::Forbidden;
  counters_.refuse(Entry::Whep, forbidden ? Refusal::Forbidden : Refusal::Unauthorized);
  logger("webrtc")->warn("WHEP offer from {} for {} refused: {}", ctx.client_description(), o.path,
                         access.reason);
  auto res = http::make_error(
      ctx.request, forbidden ? http::Status::forbidden : http::Status::unauthorized, access.reason);
  // RFC 6750 3: how to authenticate, on every 401.
  if (!forbidden) res.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"airclass\"");
  return res;
}

std::optional<http::Response> WhepService::choose(const http::RequestContext& ctx, Offer& o) {
  const auto& req = ctx.request;
  auto source = feeds_->source(o.path, o.stream);
  o.video = source->video_config();
  // AAC is transcoded, Opus passed through; the feed may not have seen audio yet (no cache).
  const auto status = o.stream->status();
  o.audio = source->has_audio() || status.audio_codec == "AAC" || status.audio_codec == "Opus";
  if (!o.video && !o.audio) {
    auto res = http::make_error(req, http::Status::service_unavailable,
                                "stream " + o.path + " has no media yet");
    res.set(boost::beast::http::field::retry_after, "1");
    return res;
  }
  const auto query = ctx.query.find("quality");
  const auto wanted = query == ctx.query.end() ? std::string_view{} : query->second;
  const SourceVideo src{status.width, status.height, status.video_kbps, status.bframes};
  auto chosen = choose_quality(wanted, o.claims->max_quality, config_, src);
  if (!chosen.choice) return http::make_error(req, http::Status::bad_request, chosen.error);
  // Audio only so far: nothing to encode.
  o.quality = o.video ? *chosen.choice : QualityChoice{std::string(SourceQuality)};
  o.source_bps = status.video_kbps * 1000;
  if (o.video && wants_adaptive(wanted, config_)) {
    o.ladder = adaptive_ladder(o.claims->max_quality, config_, src);
    if (!o.ladder.empty()) o.quality = o.ladder.front();  // starts at the top: a warm join
  }
  o.ice = webrtc::ice::IceCredentials::generate();
  if (!o.ice) return http::make_error(req, http::Status::internal_server_error, "no entropy");
  // An encoded rendition is Constrained Baseline whatever the source is, and its first picture
  // may not exist yet.
  o.params = answer_params(*o.ice, fingerprint_hex(dtls_->certificate().fingerprint()), candidates_,
                           o.quality.encoded ? nullptr : o.video.get(), o.audio, config_.av_sync);
  if (o.quality.encoded) o.params.stream_profile = RenditionProfile;
  o.params.vp8_available = o.video != nullptr;  // we can always encode one
  o.plan = webrtc::sdp::plan_answer(*o.parsed.offer, o.params);
  if (const auto* v = o.plan.video(); v && v->vp8) o.quality = as_vp8(o.quality, src);
  // Adapting needs an estimate: the browser's transport-wide feedback or, from a receiver that
  // only sends that, REMB (then no probes: its own estimate climbs). The VP8 encode is one rung.
  const auto* v = o.plan.video();
  const bool estimated = v && (has_extension(*v, TransportCcUri) || has_feedback(*v, "goog-remb"));
  if (!estimated || v->vp8) o.ladder.clear();
  if (!o.ladder.empty()) start_with_classmates(ctx, o);
  return std::nullopt;
}

// Adaptive viewers from one address most likely share one link (see LinkShare): a newcomer
// starts on the rung its classmates play, not at the top (the answer keeps the top's profile,
// as for any later switch).
void WhepService::start_with_classmates(const http::RequestContext& ctx, Offer& o) {
  o.link_share = link_shares_.get(http::RateLimiter::client_key(ctx.remote_address) + " " + o.path);
  const auto rung = o.link_share->median_rung();
  if (!rung || *rung == 0) return;
  o.ladder_start = std::min(*rung, o.ladder.size() - 1);
  o.quality = o.ladder[o.ladder_start];
}

std::optional<http::Response> WhepService::take_feeds(const http::RequestContext& ctx, Offer& o) {
  try {
    const bool adaptive = !o.ladder.empty();
    o.feeds = feeds_->acquire(o.path, o.stream, o.quality, adaptive);
    o.leases.push_back(o.feeds.held);
    take_ladder(o);
  } catch (const std::exception& e) {
    for (const auto& held : o.leases)
      feeds_->release(o.path, held);
    o.leases.clear();
    logger("webrtc")->error("{}: {}", o.path, e.what());
    return http::make_error(ctx.request, http::Status::internal_server_error, e.what());
  }
  o.params.video_ssrc = o.feeds.video->video_ssrc();
  o.params.audio_ssrc = o.feeds.audio->audio_ssrc();
  return std::nullopt;
}

// An adaptive viewer holds every rung of its ladder: each encoder runs (and has its GOP) before
// the viewer needs it, so a switch waits for one IDR only.
void WhepService::take_ladder(Offer& o) {
  for (const auto& choice : o.ladder) {
    LadderRung rung{choice, nullptr, ladder_bitrate(choice, {0, 0, o.source_bps / 1000, false})};
    if (choice == o.quality) {
      rung.feed = o.feeds.video;
    } else {
      auto lease = feeds_->acquire(o.path, o.stream, choice, true);
      rung.feed = lease.video;
      o.leases.push_back(std::move(lease.held));
    }
    o.rungs.push_back(std::move(rung));
  }
}

std::optional<http::Response> WhepService::make_viewer(const http::RequestContext& ctx, Offer& o) {
  const auto& req = ctx.request;
  const auto* chosen = transport_section(o.plan, o.video != nullptr);
  if (chosen == nullptr)
    return http::make_error(req, http::Status::bad_request, no_media_reason(o.plan, o.video));
  const auto* section = o.parsed.offer->find_mid(chosen->mid);
  const auto remote_fp = remote_fingerprint(section);
  if (!section || !remote_fp) {
    return http::make_error(req, http::Status::bad_request, "offer has no usable DTLS fingerprint");
  }
  auto viewer = std::make_shared<PendingViewer>();
  viewer->id = base::random_string(20);
  viewer->path = o.path;
  viewer->user = o.claims->sub;
  viewer->user_type = std::string(auth::to_string(o.claims->user_type));
  viewer->rendition = o.quality.key();
  viewer->feed = o.feeds.video;
  viewer->audio_feed = o.feeds.audio;
  viewer->created = std::chrono::steady_clock::now();
  viewer->config = peer_config(o.params, o.plan, *o.ice, *section, *remote_fp, dtls_);
  if (!o.rungs.empty()) {
    viewer->ladder = std::move(o.rungs);
    viewer->ladder_start = o.ladder_start;
    // The estimate starts well above the starting rung: the viewer stays there unless feedback
    // shows the link cannot carry it (about half a second on a narrow link), and climbs only by
    // probes. At 1.25 x the join's burst and the slow additive climb took a 20 Mbit/s viewer
    // down and back up.
    viewer->config.bandwidth.start_bps = viewer->ladder[o.ladder_start].bitrate_bps * 2;
    viewer->link_share = o.link_share;
  }
  viewer->address = http::RateLimiter::client_key(ctx.remote_address);
  o.viewer = std::move(viewer);
  return std::nullopt;
}

std::optional<http::Response> WhepService::check_admission(
    const http::RequestContext& ctx, const std::string& path,
    const std::shared_ptr<media::Stream>& stream) const {
  const auto& req = ctx.request;
  const auto type = req[boost::beast::http::field::content_type];
  if (type.substr(0, 15) != "application/sdp") {
    return http::make_error(req, http::Status::unsupported_media_type,
                            "WHEP offers must be Content-Type: application/sdp");
  }
  if (!stream || !stream->has_publisher()) {
    if (missing_stream_ && missing_stream_(path)) {
      auto res = http::make_error(req, http::Status::service_unavailable,
                                  "stream " + path + " is starting on this node; retry");
      res.set(boost::beast::http::field::retry_after, "1");
      // Usually up within ~100 ms: let the connection ask again before answering 503.
      res.set(http::RetryInternallyHeader, "50");
      return res;
    }
    return http::make_error(req, http::Status::not_found,
                            "no stream is being published on " + path);
  }
  if (seated_count() >= config_.max_viewers) {
    auto res = http::make_error(req, http::Status::service_unavailable,
                                "server full: " + std::to_string(config_.max_viewers) + " viewers");
    res.set(boost::beast::http::field::retry_after, "5");
    return res;
  }
  return std::nullopt;
}

std::optional<http::Response> WhepService::add_pending(const http::RequestContext& ctx,
                                                       const std::shared_ptr<PendingViewer>& viewer,
                                                       std::vector<HeldRendition> leases,
                                                       const std::string& key) {
  std::lock_guard lock(mutex_);
  // Expiry runs on the sweep timer (every second), not here: a POST costs O(log n) under the
  // lock, however many offers are pending.
  const auto count = [](const auto& counts, const std::string& key) {
    const auto it = counts.find(key);
    return it == counts.end() ? size_t{0} : it->second;
  };
  const size_t same_subject = count(pending_by_user_, viewer->user);
  const size_t same_address = count(pending_by_address_, viewer->address);
  // Separate from the viewer seats: a flood of offers that never connect cannot fill the node.
  const size_t node_cap = std::max<size_t>(2 * config_.max_viewers, 1000);  // memory bound
  // The machine's own clients (load tests, a local monitor) are trusted as RTMP play from
  // loopback is; the node's bound still holds for them.
  const bool local = ctx.remote_is_loopback;
  const char* refusal = !local && same_subject >= MaxPendingPerSubject   ? "this token"
                        : !local && same_address >= MaxPendingPerAddress ? "this address"
                        : pending_.size() >= node_cap                    ? "this node"
                                                                         : nullptr;
  if (refusal) {
    NodeCounters::bump(counters_.whep_pending_refused);
    const bool node = refusal == std::string_view("this node");
    auto res = http::make_error(
        ctx.request, node ? http::Status::service_unavailable : http::Status::too_many_requests,
        std::string("too many WHEP sessions still connecting for ") + refusal + "; retry");
    res.set(boost::beast::http::field::retry_after, std::to_string(PendingTimeout.count()));
    return res;
  }
  pending_[viewer->config.local_ice.ufrag] = viewer;
  ++pending_by_user_[viewer->user];
  ++pending_by_address_[viewer->address];
  sessions_[viewer->id] = {viewer->config.local_ice.ufrag, -1, viewer->path, std::move(leases),
                           key};
  return std::nullopt;
}

void WhepService::start_sweeping(boost::asio::io_context& loop) {
  if (!sweep_timer_) sweep_timer_ = std::make_unique<boost::asio::steady_timer>(loop);
  sweep_timer_->expires_after(std::chrono::seconds(1));
  sweep_timer_->async_wait([this, &loop](boost::system::error_code ec) {
    if (ec) return;
    sweep();
    start_sweeping(loop);
  });
}

void WhepService::sweep() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    expire_pending_locked(now);
  }
  if (feeds_) feeds_->sweep(now);
}

// The session's own resource URL (its key) ends it, as does a staff member of its class (a
// teacher or monitor token for its path, the passcode, the admin key); the id alone does not.
http::Response WhepService::delete_session(const http::RequestContext& ctx) {
  const auto id = ctx.params.at("id");
  const auto given = ctx.params.find("key");
  std::string path, key;
  {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) {
      return http::make_error(ctx.request, http::Status::not_found, "no such WHEP session");
    }
    path = it->second.path;
    key = it->second.key;
  }
  if (given != ctx.params.end()) {
    const auto o = check_secret(
        *credentials_.failed_auth, ctx.remote_address, auth::Secret::WhepSessionKey, [&] {
          const auto bytes = [](std::string_view v) {
            return std::span(reinterpret_cast<const uint8_t*>(v.data()), v.size());
          };
          return base::constant_time_equal(bytes(given->second), bytes(key));
        });
    if (!o.passed()) {
      counters_.refuse(Entry::Whep, Refusal::Forbidden);
      return http::make_error(ctx.request, http::Status::forbidden,
                              o.throttled() ? "too many wrong WHEP session keys from this address"
                                            : "wrong key for this WHEP session");
    }
  } else {
    auto access = staff_access(ctx, credentials_, counters_);
    if (access.refusal) return std::move(*access.refusal);
    if (!access.covers(path)) {
      counters_.refuse(Entry::Whep, Refusal::Forbidden);
      return http::make_error(ctx.request, http::Status::forbidden,
                              "this token may end only sessions of its own class");
    }
  }
  int worker = -1;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) {
      return http::make_error(ctx.request, http::Status::not_found, "no such WHEP session");
    }
    worker = it->second.worker;
    if (worker < 0) {
      if (auto p = pending_.find(it->second.ufrag); p != pending_.end()) erase_pending_locked(p);
      forget_session_locked(it);
    }
  }
  if (worker >= 0 && static_cast<size_t>(worker) < workers_.size()) {
    auto* w = workers_[worker];
    boost::asio::post(w->loop(), [w, id] { w->close_viewer(id, "viewer left (WHEP DELETE)"); });
  }
  return http::make_response(ctx.request, http::Status::ok, "", "");
}

ViewerRoute WhepService::claim(std::string_view ufrag, size_t worker) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(ufrag);
  if (it == pending_.end()) {
    auto owner = owners_.find(ufrag);
    return {nullptr, owner == owners_.end() ? -1 : owner->second};
  }
  auto viewer = it->second;
  erase_pending_locked(it);
  if (auto s = sessions_.find(viewer->id); s != sessions_.end()) {
    s->second.worker = static_cast<int>(worker);
    owners_[s->second.ufrag] = static_cast<int>(worker);
  }
  return {viewer, static_cast<int>(worker)};
}

void WhepService::on_closed(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (auto s = sessions_.find(id); s != sessions_.end()) {
    owners_.erase(s->second.ufrag);
    forget_session_locked(s);
  }
}

void WhepService::erase_pending_locked(
    std::map<std::string, std::shared_ptr<PendingViewer>, std::less<>>::iterator it) {
  const auto drop = [](auto& counts, const std::string& key) {
    if (auto c = counts.find(key); c != counts.end() && --c->second == 0) counts.erase(c);
  };
  drop(pending_by_user_, it->second->user);
  drop(pending_by_address_, it->second->address);
  pending_.erase(it);
}

void WhepService::expire_pending_locked(std::chrono::steady_clock::time_point now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second->created > PendingTimeout) {
      logger("webrtc")->info("viewer {} of {} never connected (no ICE check in {} s)",
                             it->second->id, it->second->path, PendingTimeout.count());
      if (auto s = sessions_.find(it->second->id); s != sessions_.end()) forget_session_locked(s);
      erase_pending_locked(it++);
      NodeCounters::bump(counters_.whep_never_connected);
    } else {
      ++it;
    }
  }
}

void WhepService::forget_session_locked(std::map<std::string, Session>::iterator it) {
  for (const auto& held : it->second.leases)
    feeds_->release(it->second.path, held);
  sessions_.erase(it);
}

std::optional<media::TranscoderStatus> WhepService::audio_status(const std::string& path) const {
  return feeds_ ? feeds_->audio_status(path) : std::nullopt;
}

std::vector<RenditionStatus> WhepService::renditions(const std::string& path) const {
  return feeds_ ? feeds_->status(path) : std::vector<RenditionStatus>{};
}

EncoderTotals WhepService::encoder_totals() const {
  return feeds_ ? feeds_->totals() : EncoderTotals{};
}

size_t WhepService::viewer_count(const std::string& path) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [id, s] : sessions_)
    n += s.path == path ? 1 : 0;
  return n;
}

size_t WhepService::seated_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size() - pending_.size();
}

size_t WhepService::viewer_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<ViewerStatus> WhepService::viewers() const {
  std::vector<ViewerStatus> out;
  for (auto* w : workers_) {
    auto part = w->status();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

EgressTotals WhepService::totals() const {
  EgressTotals sum;
  for (auto* w : workers_)
    sum += w->totals();
  return sum;
}

}  // namespace app
