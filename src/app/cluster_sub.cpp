#include "app/cluster_sub.hpp"

#include <nlohmann/json.hpp>

#include "app/logging.hpp"
#include "app/wall_clock.hpp"
#include "cluster/signed_envelope.hpp"

namespace app {
namespace {

// mainRtmpUrl, or the main's API host on port 1935 when unset.
PullSource rtmp_target(const Config& c, const http::HttpUrl& main) {
  if (c.main_rtmp_url.empty()) return {main.host, 1935};
  const auto source = parse_pull_source(c.main_rtmp_url);
  if (!source) throw ConfigError("airclass.mainRtmpUrl must be rtmp(s)://host[:port]");
  return *source;
}

}  // namespace

ClusterSub::ClusterSub(IoPool& pool, const Config& config, media::StreamRegistry& registry,
                       std::function<cluster::Heartbeat()> report,
                       std::function<size_t(const std::string&)> viewers_on)
    : pool_(pool),
      config_(config),
      registry_(registry),
      report_(std::move(report)),
      viewers_on_(std::move(viewers_on)),
      timer_(pool.main()),
      puller_(pool, registry, config, [this] {
        const auto t = node_token();
        return t.empty() ? std::string() : "jwt=" + t;
      }) {
  std::string error;
  signer_ = cluster::SignedEnvelope::make_signer(config.cluster_secret, error);
  if (!signer_) throw ConfigError("airclass.clusterSecret: " + error);
  auto main = http::parse_http_url(config.main_url);
  if (!main)
    throw ConfigError("airclass.mainUrl must be http(s)://host[:port]: " + config.main_url);
  main_ = *main;
  source_ = rtmp_target(config, main_);
}

ClusterSub::~ClusterSub() = default;

void ClusterSub::start() {
  logger("cluster")->info("sub node {}: heartbeats to {} every {} ms, streams from rtmp://{}:{}",
                          config_.node_id, config_.main_url, config_.heartbeat_interval.count(),
                          source_.host, source_.port);
  if (config_.relay_always) ensure_relay(config_.default_path);
  beat();
}

void ClusterSub::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  timer_.cancel();
  puller_.stop();
}

void ClusterSub::beat() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
  }
  puller_.maintain(viewers_on_, config_.relay_always ? config_.default_path : std::string(), {});
  const auto body = report_().to_json();
  const auto signed_headers = cluster::SignedEnvelope::sign(*signer_, body, unix_millis());
  http::ClientRequest req;
  req.verb = http::Verb::post;
  req.url = main_;
  req.target = "/api/cluster/heartbeat";
  req.body = body;
  req.content_type = "application/json";
  req.timeout = std::min(config_.heartbeat_interval, std::chrono::milliseconds(3000));
  req.headers = {{std::string(cluster::SignedEnvelope::TimestampHeader), signed_headers.timestamp},
                 {std::string(cluster::SignedEnvelope::NonceHeader), signed_headers.nonce},
                 {std::string(cluster::SignedEnvelope::SignatureHeader), signed_headers.signature}};
  http::async_request(pool_.main(), std::move(req),
                      [this](http::ClientResponse r) { on_answer(r); });
  timer_.expires_after(config_.heartbeat_interval);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) beat();
  });
}

void ClusterSub::on_answer(const http::ClientResponse& r) {
  std::string error;
  std::string token;
  if (r.status == 200) {
    const auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (json.is_object() && json.contains("node_token") && json["node_token"].is_string()) {
      token = json["node_token"].get<std::string>();
    }
  } else {
    error = r.status
                ? "main node answered " + std::to_string(r.status) + ": " + r.body.substr(0, 200)
                : r.error;
  }
  std::lock_guard lock(mutex_);
  const bool was = registered_;
  registered_ = error.empty();
  if (!token.empty()) node_token_ = token;
  if (registered_ != was || (!error.empty() && error != last_error_)) {
    if (registered_)
      logger("cluster")->info("registered with the main node {}", config_.main_url);
    else
      logger("cluster")->warn("heartbeat to {} failed: {}", config_.main_url, error);
  }
  last_error_ = error;
}

std::string ClusterSub::node_token() const {
  std::lock_guard lock(mutex_);
  return node_token_;
}

bool ClusterSub::ensure_relay(const std::string& path) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
  }
  return puller_.ensure(path, source_);
}

ClusterSub::Status ClusterSub::status() const {
  std::lock_guard lock(mutex_);
  return {registered_, last_error_, puller_.size()};
}

}  // namespace app
