#include "webrtc/ice/tcp_candidate.hpp"

#include "base/crypto.hpp"

namespace webrtc::ice {

std::string tcp_passive_candidate_attribute(const TransportAddress& address,
                                            uint32_t other_preference) {
  // Same derivation as IceCandidate::host, with "tcp" in the key: candidates of one type, base
  // and transport share a foundation (RFC 8445 5.1.1.3), others must not.
  const std::string key = "host tcp " + address.ip_string();
  const uint32_t foundation =
      base::crc32({reinterpret_cast<const uint8_t*>(key.data()), key.size()});
  return "candidate:" + std::to_string(foundation) + " 1 tcp " +
         std::to_string(tcp_host_candidate_priority(TcpType::Passive, other_preference)) + " " +
         address.ip_string() + " " + std::to_string(address.port()) + " typ host tcptype passive";
}

}  // namespace webrtc::ice
