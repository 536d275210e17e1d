#pragma once
// One node: the event loops, the stream registry, RTMP ingest, and WebRTC egress (WHEP over
// HTTP plus one UDP worker per loop), wired from the config.
#include <boost/asio/signal_set.hpp>

#include <memory>
#include <vector>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/rtmp_listener.hpp"
#include "app/webrtc_worker.hpp"
#include "app/whep_service.hpp"
#include "http/http_server.hpp"
#include "media/stream_registry.hpp"

namespace app {

class Server {
 public:
  explicit Server(Config config);  // throws std::runtime_error when a port cannot be bound
  ~Server();
  void run();  // until SIGINT/SIGTERM or stop()
  void stop();
  media::StreamRegistry& registry() { return registry_; }

 private:
  void setup_webrtc();

  Config config_;
  IoPool pool_;
  media::StreamRegistry registry_;
  std::unique_ptr<RtmpListener> rtmp_;
  std::unique_ptr<WhepService> whep_;
  std::vector<std::unique_ptr<WebRtcWorker>> workers_;
  http::Router webrtc_router_;
  std::unique_ptr<http::HttpServer> webrtc_http_;
  boost::asio::signal_set signals_;
};

}  // namespace app
