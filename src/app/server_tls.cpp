// The node's certificates: loaded at start (a bad file stops the start with its reason),
// reloaded on SIGHUP (certbot's deploy hook: `systemctl reload airclass` or `kill -HUP`).
#include "app/config_tls.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"
#include "http/http_client.hpp"

namespace app {
namespace {

std::shared_ptr<tls::TlsContextStore> load_store(const char* name, const std::string& cert,
                                                 const std::string& key) {
  try {
    return std::make_shared<tls::TlsContextStore>(name, cert, key);
  } catch (const tls::TlsError& e) {
    throw ConfigError(std::string(name) + " TLS: " + e.what());
  }
}

}  // namespace

void Server::setup_tls() {
  if (config_.api_encryption)
    api_tls_ = load_store("API", api_cert_file(config_), api_key_file(config_));
  if (config_.webrtc && config_.webrtc_encryption) {
    webrtc_tls_ = load_store("WHEP", config_.webrtc_server_cert, config_.webrtc_server_key);
  }
  if (config_.rtmp && config_.rtmp_encryption != RtmpEncryption::No)
    rtmps_tls_ = load_store("RTMPS", config_.rtmp_server_cert, config_.rtmp_server_key);
  if (!config_.cluster_ca.empty()) {
    try {
      http::set_cluster_tls(tls::make_client_context(config_.cluster_ca));
    } catch (const tls::TlsError& e) {
      throw ConfigError(std::string("airclass.clusterCA: ") + e.what());
    }
  }
  for (const auto* store : {api_tls_.get(), webrtc_tls_.get(), rtmps_tls_.get()}) {
    if (store) {
      logger("tls")->info("{} over TLS with {} (SHA-256 {})", store->name(), store->cert_file(),
                          store->fingerprint());
    }
  }
}

void Server::wait_for_reload() {
  reload_signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reload_tls();
    wait_for_reload();
  });
}

// Each store swaps in a whole new context; connections already open keep theirs, so nothing
// is dropped. A store whose files fail keeps its old certificate.
void Server::reload_tls() {
  bool any = false;
  for (auto* s : {api_tls_.get(), webrtc_tls_.get(), rtmps_tls_.get()}) {
    if (!s) continue;
    any = true;
    const auto error = s->reload();
    if (error.empty()) {
      logger("tls")->info("SIGHUP: {} certificate reloaded from {} (SHA-256 {})", s->name(),
                          s->cert_file(), s->fingerprint());
    } else {
      logger("tls")->error("SIGHUP: {} certificate not reloaded, the old one stays: {}", s->name(),
                           error);
    }
  }
  if (!any) logger("tls")->info("SIGHUP: no TLS listener, nothing to reload");
}

}  // namespace app
