#include "app/cluster_redis.hpp"

#include "app/api_response.hpp"
#include "app/logging.hpp"
#include "app/node_json.hpp"
#include "app/staff_gate.hpp"
#include "app/wall_clock.hpp"
#include "auth/token_claims.hpp"
#include "cluster/signed_envelope.hpp"
#include "http/http_client.hpp"

namespace app {
namespace {

constexpr std::chrono::milliseconds kTick{250};
constexpr std::string_view kRelayPublisher = "relay from ";  // app::RtmpRelay's publisher

RedisStore::Options store_options(const Config& c) {
  const auto url = http::parse_http_url("http://" + c.redis_address);
  if (!url) throw ConfigError("airclass.redisAddress must be host:port: " + c.redis_address);
  RedisStore::Options o;
  o.host = url->host;
  o.port = url->port;
  o.password = c.redis_password;
  o.prefix = c.redis_prefix;
  o.timeout = c.redis_timeout;
  return o;
}

cluster::ClusterDirectory::Options directory_options(const Config& c, std::string store_name) {
  cluster::ClusterDirectory::Options o;
  o.node_id = c.node_id;
  o.store_name = std::move(store_name);
  o.heartbeat_interval = c.heartbeat_interval;
  // Three refreshes of the reader plus one command timeout: a hung Redis counts as down.
  o.stale_after = std::chrono::milliseconds(1500) + c.redis_timeout * 2;
  o.placement_ttl = c.token_ttl;
  o.load_ceiling = c.load_ceiling;
  o.mains_serve_viewers = c.main_serves_viewers;
  return o;
}

}  // namespace

ClusterOnRedis::ClusterOnRedis(IoPool& pool, const Config& config,
                               const NodeCredentials& credentials, NodeCounters& counters,
                               media::StreamRegistry& registry,
                               std::function<cluster::Heartbeat()> report,
                               std::function<size_t(const std::string&)> viewers_on)
    : config_(config),
      credentials_(credentials),
      counters_(counters),
      registry_(registry),
      report_(std::move(report)),
      viewers_on_(std::move(viewers_on)),
      timer_(pool.main()),
      puller_(pool, registry, config, [this] { return pull_query(); }) {
  std::string error;
  auto signer = cluster::SignedEnvelope::make_signer(config.cluster_secret, error);
  if (!signer) throw ConfigError("airclass.clusterSecret: " + error);
  store_ = std::make_unique<RedisStore>(
      store_options(config), [this](const auto& read) { on_read(read); },
      [this](const std::string& node_id, int64_t current) {
        std::lock_guard lock(mutex_);
        directory_->on_counted(node_id, current);
      });
  directory_.emplace(directory_options(config, store_->name()), *store_, std::move(*signer));
}

// On the store's thread.
void ClusterOnRedis::on_read(const cluster::ClusterStore::Read& read) {
  std::lock_guard lock(mutex_);
  const auto line = directory_->on_read(read, cluster::Clock::now(), unix_millis());
  if (line) logger("cluster")->warn("{}", *line);
  if (directory_->rejected().size() != rejected_logged_) {
    rejected_logged_ = directory_->rejected().size();
    for (const auto& r : directory_->rejected())
      logger("cluster")->warn("refused a record in Redis: {}", r);
  }
}

ClusterOnRedis::~ClusterOnRedis() {
  stop();
}

void ClusterOnRedis::add_routes(http::Router& router) {
  router.add(http::Verb::get, "/api/cluster/nodes",
             [this](const http::RequestContext& c) { return nodes(c); });
}

void ClusterOnRedis::start() {
  logger("cluster")->info("{} node {} on {} (keys {}*)", to_string(config_.mode), config_.node_id,
                          store_->name(), config_.redis_prefix);
  store_->start();
  tick();
}

void ClusterOnRedis::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    // Gone at once rather than after three heartbeats: our streams' origins.
    directory_->set_local_origins({}, "", cluster::Clock::now(), unix_millis());
  }
  timer_.cancel();
  puller_.stop();
  store_->stop();  // sends what is queued (the dropped origins), within redisTimeout
}

void ClusterOnRedis::tick() {
  const auto self = report_();
  const auto paths = local_origins();
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    const auto now = cluster::Clock::now();
    directory_->report(self, now, unix_millis());
    directory_->set_local_origins(paths, own_rtmp_url(self), now, unix_millis());
  }
  const auto keep = config_.relay_always ? config_.default_path : std::string();
  if (!keep.empty() && config_.mode == NodeMode::Sub) ensure_relay(keep);  // no-op once pulling
  puller_.maintain(viewers_on_, keep, [this](const std::string& p) { return source_of(p); });
  timer_.expires_after(kTick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

// Paths a publisher (a phone, ffmpeg) is on here; a pull from another node is not an origin.
std::vector<std::string> ClusterOnRedis::local_origins() const {
  std::vector<std::string> out;
  if (!config_.rtmp) return out;
  for (const auto& s : registry_.list()) {
    if (s.active && !s.publisher_address.starts_with(kRelayPublisher)) out.push_back(s.path);
  }
  return out;
}

// rtmp://<the host other nodes reach this one at>:<rtmpAddress port>, or rtmps:// on the
// rtmpsAddress port when this node takes RTMPS (pulls then cross the network encrypted).
std::string ClusterOnRedis::own_rtmp_url(const cluster::Heartbeat& self) const {
  const auto api = http::parse_http_url(self.api_url);
  std::string host = api ? api->host : "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  if (config_.rtmp_encryption != RtmpEncryption::No)
    return "rtmps://" + host + ":" + std::to_string(config_.rtmps_address.port);
  return "rtmp://" + host + ":" + std::to_string(config_.rtmp_address.port);
}

// A read token for every path, minted per connection attempt (validate() made sure this node
// holds the signing key).
std::string ClusterOnRedis::pull_query() const {
  if (!credentials_.signer) return {};
  const auto issued = credentials_.signer->issue(
      auth::Grant::make(auth::UserType::Node, config_.node_id, std::string(auth::AnyPath)),
      unix_seconds());
  return issued.ok() ? "jwt=" + issued.token : std::string();
}

std::optional<PullSource> ClusterOnRedis::source_of(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto origin = directory_->origin(path);
  if (!origin || origin->node_id == config_.node_id) return std::nullopt;
  return parse_pull_source(origin->rtmp_url);
}

bool ClusterOnRedis::ensure_relay(const std::string& path) {
  const auto source = source_of(path);
  if (!source) return false;  // published nowhere we know of: the viewer gets 404
  return puller_.ensure(path, *source);
}

PlaceResult ClusterOnRedis::place(std::string_view user_id, std::string_view path,
                                  std::string_view avoid) {
  std::lock_guard lock(mutex_);
  const auto placed = directory_->place(user_id, path, avoid, cluster::Clock::now());
  if (!placed.node) return {std::nullopt, placed.refusal};
  return {PlacedNode{placed.node->node_id, placed.node->webrtc_url, placed.local}, {}};
}

nlohmann::json ClusterOnRedis::status() const {
  std::lock_guard lock(mutex_);
  const auto now = cluster::Clock::now();
  nlohmann::json j = {{"redis", cluster::to_string(directory_->state(now))}};
  if (const auto why = directory_->unavailable_reason(now); !why.empty()) j["reason"] = why;
  return j;
}

http::Response ClusterOnRedis::nodes(const http::RequestContext& ctx) {
  if (auto refusal = refuse_unless_staff(ctx, credentials_, counters_)) return std::move(*refusal);
  const auto now = cluster::Clock::now();
  auto list = nlohmann::json::array();
  std::vector<cluster::NodeState> nodes;
  {
    std::lock_guard lock(mutex_);
    nodes = directory_->nodes();
  }
  for (auto& n : nodes) {
    n.last_seen = now;  // a record in Redis is at most three heartbeats old
    list.push_back(node_json(n, now));
  }
  auto body = status();
  body["mode"] = to_string(config_.mode);
  body["nodes"] = std::move(list);
  return json_response(ctx.request, http::Status::ok, body);
}

}  // namespace app
