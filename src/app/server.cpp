#include "app/server.hpp"

#include <boost/asio/post.hpp>

#include "app/host_candidates.hpp"
#include "app/logging.hpp"
#include "app/wall_clock.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_context.hpp"

namespace app {
namespace {

media::StreamRegistry::Options registry_options(const Config& c) {
  media::StreamRegistry::Options o;
  o.publisher_takeover = c.publisher_takeover;
  o.limits.gop_cache_max_bytes = c.gop_cache_max_bytes;
  return o;
}

boost::asio::ip::address listen_ip(const ListenAddress& a) {
  if (a.host.empty()) return boost::asio::ip::address_v6::any();  // dual stack
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(a.host, ec);
  if (ec) throw std::runtime_error("'" + a.to_string() + "' is not an IP address to listen on");
  return ip;
}

}  // namespace

Server::Server(Config config)
    : config_(std::move(config)),
      credentials_(make_node_credentials(config_)),
      pool_(config_.io_threads),
      registry_(registry_options(config_)),
      signals_(pool_.main(), SIGINT, SIGTERM),
      reload_signals_(pool_.main(), SIGHUP) {
  setup_tls();
  // Both HTTP listeners may sit behind the same reverse proxy (docs/reverse-proxy.md).
  for (auto* router : {&api_router_, &webrtc_router_}) {
    router->set_trusted_proxies(http::TrustedProxies::parse(config_.trusted_proxies).value(),
                                [](std::string_view what) { logger("app")->warn("{}", what); });
  }
  if (config_.rtmp) {
    rtmp_ = std::make_unique<RtmpListener>(pool_, registry_, config_, *credentials_.policy,
                                           *credentials_.failed_auth, counters_, rtmps_tls_);
  }
  if (config_.webrtc) setup_webrtc();
  setup_api();
  setup_cluster();
}

void Server::setup_cluster() {
  started_ms_ = unix_millis();
  if (config_.mode != NodeMode::Standalone && !config_.redis_address.empty()) {
    setup_cluster_on_redis();
  } else if (config_.mode == NodeMode::Main) {
    cluster_main_ = std::make_unique<ClusterMain>(pool_.main(), config_, credentials_, counters_,
                                                  [this] { return local_heartbeat(); });
    cluster_main_->add_routes(api_router_);
    token_api_->set_placer([this](std::string_view user, std::string_view, std::string_view avoid) {
      auto node = cluster_main_->place(user, avoid);
      return PlaceResult{std::move(node), {}};
    });
  } else if (config_.mode == NodeMode::Sub) {
    cluster_sub_ = std::make_unique<ClusterSub>(
        pool_, config_, registry_, [this] { return local_heartbeat(); },
        [this](const std::string& path) { return whep_ ? whep_->viewer_count(path) : 0; });
    if (whep_) {
      whep_->set_missing_stream_hook(
          [this](const std::string& path) { return cluster_sub_->ensure_relay(path); });
    }
  }
}

// Main and sub nodes alike keep the cluster in Redis (ClusterOnRedis); mains also place.
void Server::setup_cluster_on_redis() {
  cluster_redis_ = std::make_unique<ClusterOnRedis>(
      pool_, config_, credentials_, counters_, registry_, [this] { return local_heartbeat(); },
      [this](const std::string& path) { return whep_ ? whep_->viewer_count(path) : 0; });
  cluster_redis_->add_routes(api_router_);
  status_api_->set_cluster_status([this] { return cluster_redis_->status(); });
  if (config_.mode == NodeMode::Main) {
    token_api_->set_placer(
        [this](std::string_view user, std::string_view path, std::string_view avoid) {
          return cluster_redis_->place(user, path, avoid);
        });
  }
  if (whep_) {
    whep_->set_missing_stream_hook(
        [this](const std::string& path) { return cluster_redis_->ensure_relay(path); });
  }
}

cluster::Heartbeat Server::local_heartbeat() {
  cluster::Heartbeat h;
  h.node_id = config_.node_id;
  h.role = config_.mode == NodeMode::Main ? "main" : "sub";
  h.api_url = (api_tls_ ? "https://" : "http://") + advertised_host_ + ":" +
              std::to_string(config_.api_address.port);
  h.webrtc_url = config_.webrtc_public_url.empty()
                     ? (webrtc_tls_ ? "https://" : "http://") + advertised_host_ + ":" +
                           std::to_string(config_.webrtc_address.port)
                     : config_.webrtc_public_url;
  h.capacity = std::max<int64_t>(1, static_cast<int64_t>(config_.max_viewers));
  if (whep_) {
    h.viewers = static_cast<int64_t>(whep_->viewer_count());
    h.egress_bps = static_cast<int64_t>(whep_->totals().egress_bps);
  }
  h.cpu = cpu_.sample();
  h.version = AIRCLASS_VERSION;
  h.started_ms = started_ms_;
  return h;
}

void Server::setup_api() {
  token_api_ = std::make_unique<TokenApi>(config_, credentials_, counters_);
  status_api_ = std::make_unique<StatusApi>(config_, credentials_, counters_, registry_,
                                            whep_.get(), [this] { return local_heartbeat(); });
  token_api_->add_routes(api_router_);
  status_api_->add_routes(api_router_);
  web_ = std::make_unique<http::StaticFiles>(config_.web_root.empty() ? AIRCLASS_WEB_ROOT
                                                                      : config_.web_root);
  api_router_.set_fallback([this](const http::RequestContext& ctx) {
    if (!web_->ready()) {
      return http::make_error(
          ctx.request, http::Status::not_found,
          "the web app is not built here: run `make` (or set airclass.webRoot)");
    }
    return web_->serve(ctx);
  });
  const boost::asio::ip::tcp::endpoint ep(listen_ip(config_.api_address), config_.api_address.port);
  api_http_ = std::make_unique<http::HttpServer>(
      pool_.main(), [this]() -> boost::asio::io_context& { return pool_.next(); }, ep, api_router_,
      http::ServerLimits{}, "API", api_tls_);
  status_api_->set_http_shed([this] {
    return api_http_->shed_connections() + (webrtc_http_ ? webrtc_http_->shed_connections() : 0);
  });
}

Server::~Server() = default;

void Server::setup_webrtc() {
  auto certificate = webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now());
  auto dtls = webrtc::dtls::DtlsContext::create(std::move(certificate));
  std::vector<std::string> ips;
  if (config_.webrtc_ips_from_interfaces) ips = interface_addresses();
  std::vector<std::string> errors;
  for (auto& ip : resolve_hosts(config_.webrtc_additional_hosts, errors)) {
    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.insert(ips.begin(), ip);
  }
  for (const auto& e : errors)
    logger("webrtc")->warn("{}", e);
  if (ips.empty()) throw std::runtime_error("no address to offer as a WebRTC ICE candidate");
  advertised_host_ =
      ips.front().find(':') == std::string::npos ? ips.front() : "[" + ips.front() + "]";
  std::string list;
  for (const auto& ip : ips)
    list += (list.empty() ? "" : ", ") + ip;
  logger("webrtc")->info("ICE host candidates: {} port {}", list, config_.webrtc_udp_address.port);

  whep_ = std::make_unique<WhepService>(config_, registry_, dtls, ips, credentials_, counters_);
  const boost::asio::ip::udp::endpoint udp(listen_ip(config_.webrtc_udp_address),
                                           config_.webrtc_udp_address.port);
  std::vector<WebRtcWorker*> raw;
  for (size_t i = 0; i < pool_.size(); ++i) {
    workers_.push_back(std::make_unique<WebRtcWorker>(
        pool_.at(i), udp, [this, i](std::string_view ufrag) { return whep_->claim(ufrag, i); },
        [this](const std::string& id) { whep_->on_closed(id); }));
    workers_.back()->set_udp_segmentation(config_.udp_segmentation);
    raw.push_back(workers_.back().get());
  }
  for (auto* w : raw) {
    w->set_peers(raw);
    w->set_egress_latency(&counters_.egress_latency);
  }
  whep_->attach(raw);
  if (const auto& tcp = config_.webrtc_tcp_address) {
    ice_tcp_ = std::make_unique<IceTcpListener>(
        pool_.main(), boost::asio::ip::tcp::endpoint(listen_ip(*tcp), tcp->port), raw);
  }
  whep_->add_routes(webrtc_router_);
  whep_->start_sweeping(pool_.main());
  const boost::asio::ip::tcp::endpoint http_ep(listen_ip(config_.webrtc_address),
                                               config_.webrtc_address.port);
  webrtc_http_ = std::make_unique<http::HttpServer>(
      pool_.main(), [this]() -> boost::asio::io_context& { return pool_.next(); }, http_ep,
      webrtc_router_, http::ServerLimits{}, "WHEP", webrtc_tls_);
}

void Server::run() {
  logger("app")->info("airclass {} {} node, {} event loops", AIRCLASS_VERSION,
                      to_string(config_.mode), pool_.size());
  // Shown once: nothing stores them, and a restart makes new ones.
  for (const auto& line : credentials_.generated)
    logger("app")->warn("generated {}", line);
  if (rtmp_) rtmp_->start();
  api_http_->start();
  if (cluster_main_) cluster_main_->start();
  if (cluster_sub_) cluster_sub_->start();
  if (cluster_redis_) cluster_redis_->start();
  logger("app")->info("API on {} (POST /api/token, GET /health, /api/streams, /metrics)",
                      config_.api_address.to_string());
  if (!config_.trusted_proxies.empty()) {
    std::string list;
    for (const auto& p : config_.trusted_proxies)
      list += (list.empty() ? "" : ", ") + p;
    logger("app")->info("X-Forwarded-For names the client on requests from {}", list);
  }
  if (web_->ready()) {
    logger("app")->info("classroom pages on {}://<host>:{}/ (student), /teacher, /monitor, /admin",
                        api_tls_ ? "https" : "http", config_.api_address.port);
  } else {
    logger("app")->warn("no web app found (airclass.webRoot); the API works, the pages do not");
  }
  if (webrtc_http_) {
    webrtc_http_->start();
    for (auto& w : workers_) {
      boost::asio::post(w->loop(), [w = w.get()] { w->start(); });
    }
    if (ice_tcp_) ice_tcp_->start();
    logger("webrtc")->info(
        "WHEP on {} (POST /<path>/whep), media on UDP {}{}", config_.webrtc_address.to_string(),
        config_.webrtc_udp_address.to_string(),
        config_.webrtc_tcp_address ? " and ICE-TCP " + config_.webrtc_tcp_address->to_string()
                                   : std::string(" (ICE over TCP off)"));
  }
  wait_for_reload();
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    logger("app")->info("signal {} received, shutting down", signal);
    stop();
  });
  pool_.run();
  logger("app")->info("stopped");
}

void Server::stop() {
  boost::system::error_code ignored;
  reload_signals_.cancel(ignored);
  if (rtmp_) rtmp_->stop();
  if (webrtc_http_) webrtc_http_->stop();
  if (ice_tcp_) ice_tcp_->stop();
  if (api_http_) api_http_->stop();
  if (cluster_main_) cluster_main_->stop();
  if (cluster_sub_) cluster_sub_->stop();
  if (cluster_redis_) cluster_redis_->stop();
  for (auto& w : workers_) {
    boost::asio::post(w->loop(), [w = w.get()] { w->stop(); });
  }
  // Let the loops run the posted stops (close_notify to viewers) before they return.
  boost::asio::post(pool_.main(), [this] { pool_.stop(); });
}

}  // namespace app
