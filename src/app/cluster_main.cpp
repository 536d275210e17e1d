#include "app/cluster_main.hpp"

#include <nlohmann/json.hpp>

#include "app/api_response.hpp"
#include "app/logging.hpp"
#include "app/node_json.hpp"
#include "app/staff_gate.hpp"
#include "app/wall_clock.hpp"
#include "cluster/signed_envelope.hpp"

namespace app {

ClusterMain::ClusterMain(boost::asio::io_context& loop, const Config& config,
                         const NodeCredentials& credentials, NodeCounters& counters,
                         std::function<cluster::Heartbeat()> local_report)
    : loop_(loop),
      config_(config),
      credentials_(credentials),
      counters_(counters),
      local_report_(std::move(local_report)),
      timer_(loop),
      membership_(cluster::Membership::Options{config.heartbeat_interval, 3}),
      placement_(cluster::Placement::Options{config.load_ceiling}) {
  std::string error;
  signer_ = cluster::SignedEnvelope::make_signer(config.cluster_secret, error);
  if (!signer_) throw ConfigError("airclass.clusterSecret: " + error);
}

void ClusterMain::add_routes(http::Router& router) {
  router.add(http::Verb::post, "/api/cluster/heartbeat",
             [this](const http::RequestContext& c) { return heartbeat(c); });
  router.add(http::Verb::get, "/api/cluster/nodes",
             [this](const http::RequestContext& c) { return nodes(c); });
}

void ClusterMain::start() {
  tick();
}

void ClusterMain::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  timer_.cancel();
}

void ClusterMain::tick() {
  const auto now = cluster::Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    if (auto err = membership_.set_local(local_report_(), config_.main_serves_viewers, now);
        !err.empty()) {
      logger("cluster")->warn("main node's own entry refused: {}", err);
    }
    for (const auto& change : membership_.tick(now)) {
      logger("cluster")->warn("node {} {}", change.node_id, cluster::to_string(change.kind));
    }
  }
  // Often, so a dead node is noticed within a tick of its third missed heartbeat.
  timer_.expires_after(std::chrono::milliseconds(100));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

http::Response ClusterMain::heartbeat(const http::RequestContext& ctx) {
  const auto& req = ctx.request;
  using Env = cluster::SignedEnvelope;
  // The signature check and the parse take only the signer's lock (its replay cache): token
  // requests placing students wait on the membership's lock, which a heartbeat holds only to
  // record what it says.
  auth::MessageSigner::Verdict verdict;
  {
    std::lock_guard signer_lock(signer_mutex_);
    verdict = Env::verify(*signer_, req.body(), req[Env::TimestampHeader], req[Env::NonceHeader],
                          req[Env::SignatureHeader], unix_millis());
  }
  if (verdict != auth::MessageSigner::Verdict::Ok) {
    logger("cluster")->warn("heartbeat from {} refused: {}", ctx.client_description(),
                            auth::to_string(verdict));
    return json_error(req, http::Status::unauthorized,
                      "heartbeat refused: " + std::string(auth::to_string(verdict)));
  }
  std::string error;
  const auto hb = cluster::Heartbeat::parse(req.body(), error);
  if (!hb) return json_error(req, http::Status::bad_request, "bad heartbeat: " + error);
  const auto update = [&] {
    std::lock_guard lock(mutex_);
    return membership_.on_heartbeat(*hb, cluster::Clock::now());
  }();
  using Kind = cluster::Membership::Update::Kind;
  if (update.kind == Kind::Refused) {
    return json_error(req, http::Status::conflict, "heartbeat refused: " + update.reason);
  }
  if (update.kind != Kind::Refreshed || update.address_changed || update.restarted) {
    logger("cluster")->info("node {} {} (WHEP {}, capacity {}{})", hb->node_id,
                            cluster::to_string(update.kind), hb->webrtc_url, hb->capacity,
                            update.restarted ? ", restarted" : "");
  }
  // The sub pulls streams from us over RTMP with this: a read token for every path.
  nlohmann::json body = {{"ok", true}, {"main_node", config_.node_id}};
  if (credentials_.signer) {
    const auto issued = credentials_.signer->issue(
        auth::Grant::make(auth::UserType::Node, hb->node_id, std::string(auth::AnyPath)),
        unix_seconds());
    if (issued.ok()) body["node_token"] = issued.token;
  }
  return json_response(req, http::Status::ok, body);
}

http::Response ClusterMain::nodes(const http::RequestContext& ctx) {
  if (auto refusal = refuse_unless_staff(ctx, credentials_, counters_)) return std::move(*refusal);
  const auto& req = ctx.request;
  const auto now = cluster::Clock::now();
  auto list = nlohmann::json::array();
  std::lock_guard lock(mutex_);
  for (const auto& n : membership_.nodes())
    list.push_back(node_json(n, now));
  return json_response(req, http::Status::ok, {{"mode", "main"}, {"nodes", list}});
}

std::optional<PlacedNode> ClusterMain::place(std::string_view user_id, std::string_view avoid) {
  std::lock_guard lock(mutex_);
  auto nodes = membership_.nodes();
  if (!avoid.empty()) {
    placement_.forget(user_id);
    std::erase_if(nodes, [avoid](const auto& n) { return n.heartbeat.node_id == avoid; });
  }
  const auto id = placement_.assign(user_id, nodes, cluster::Clock::now());
  if (!id) return std::nullopt;
  for (const auto& n : nodes) {
    if (n.heartbeat.node_id == *id) return PlacedNode{*id, n.heartbeat.webrtc_url, n.local};
  }
  return std::nullopt;
}

}  // namespace app
