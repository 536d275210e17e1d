#pragma once
// The main node's side of the cluster: it takes signed heartbeats from sub nodes
// (POST /api/cluster/heartbeat), keeps their membership, lists them (GET /api/cluster/nodes) and
// places each student on a node for the token API. Handlers run on several loops; one mutex
// guards membership and placement (a few microseconds per token request), another the
// heartbeats' replay cache, so a heartbeat's signature check and parse never hold up a token.
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/node_counters.hpp"
#include "app/node_credentials.hpp"
#include "auth/message_signer.hpp"
#include "cluster/heartbeat.hpp"
#include "cluster/membership.hpp"
#include "cluster/placement.hpp"
#include "http/router.hpp"

namespace app {

struct PlacedNode {
  std::string node_id;
  std::string webrtc_url;  // the node's public WHEP base
  bool local = false;      // the main node itself
};

// A placement, or why there is none (the token API answers 503 with it).
struct PlaceResult {
  std::optional<PlacedNode> node;
  std::string refusal;
};

class ClusterMain {
 public:
  // `local_report` gives the main node's own load as a heartbeat (for listing, and for placing
  // students on it when mainServesViewers).
  ClusterMain(boost::asio::io_context& loop, const Config& config,
              const NodeCredentials& credentials, NodeCounters& counters,
              std::function<cluster::Heartbeat()> local_report);
  void add_routes(http::Router& router);
  void start();
  void stop();

  // The node for a student; `avoid` is a node the student's page just failed to reach (it is
  // skipped at once, before heartbeats would show it dead). Empty when no node has room.
  std::optional<PlacedNode> place(std::string_view user_id, std::string_view avoid);

 private:
  http::Response heartbeat(const http::RequestContext& ctx);
  http::Response nodes(const http::RequestContext& ctx);
  void tick();

  boost::asio::io_context& loop_;
  const Config& config_;
  const NodeCredentials& credentials_;
  NodeCounters& counters_;
  std::function<cluster::Heartbeat()> local_report_;
  boost::asio::steady_timer timer_;
  std::mutex mutex_;         // membership_, placement_, stopped_
  std::mutex signer_mutex_;  // signer_ (its replay cache)
  std::optional<auth::MessageSigner> signer_;
  cluster::Membership membership_;
  cluster::Placement placement_;
  bool stopped_ = false;
};

}  // namespace app
