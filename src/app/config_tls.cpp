#include "app/config_tls.hpp"

#include "tls/tls_context.hpp"

namespace app {
namespace {

void check_pair(const std::string& cert, const std::string& key, const std::string& why) {
  try {
    tls::make_server_context(cert, key);
  } catch (const tls::TlsError& e) {
    throw ConfigError(why + ": " + e.what());
  }
}

}  // namespace

std::string api_cert_file(const Config& c) {
  return c.api_server_cert.empty() ? c.webrtc_server_cert : c.api_server_cert;
}

std::string api_key_file(const Config& c) {
  return c.api_server_key.empty() ? c.webrtc_server_key : c.api_server_key;
}

void check_tls(Config& c) {
  if (c.webrtc && c.webrtc_encryption) {
    check_pair(c.webrtc_server_cert, c.webrtc_server_key,
               "webrtcEncryption (webrtcServerCert, webrtcServerKey)");
  }
  if (c.api_encryption) {
    check_pair(api_cert_file(c), api_key_file(c),
               "airclass.apiEncryption (airclass.apiServerCert, airclass.apiServerKey)");
  }
  if (c.rtmp && c.rtmp_encryption != RtmpEncryption::No) {
    check_pair(c.rtmp_server_cert, c.rtmp_server_key,
               "rtmpEncryption (rtmpServerCert, rtmpServerKey)");
    if (c.rtmp_encryption == RtmpEncryption::Optional && c.rtmps_address.port != 0 &&
        c.rtmps_address.port == c.rtmp_address.port) {
      throw ConfigError("rtmpEncryption optional needs rtmpsAddress (" +
                        c.rtmps_address.to_string() + ") on another port than rtmpAddress");
    }
  }
  if (!c.cluster_ca.empty()) {
    try {
      tls::make_client_context(c.cluster_ca);
    } catch (const tls::TlsError& e) {
      throw ConfigError(std::string("airclass.clusterCA: ") + e.what());
    }
  }
  // An HTTPS page may not call http:// (mixed content): the WHEP calls would be blocked.
  if (c.api_encryption && c.webrtc && !c.webrtc_encryption && c.webrtc_public_url.empty()) {
    c.warnings.push_back(
        "airclass.apiEncryption is on but webrtcEncryption is off: browsers block the pages' "
        "http:// WHEP requests from an https:// page (mixed content)");
  }
}

}  // namespace app
