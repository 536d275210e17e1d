#pragma once
// The addresses a viewer can reach this node at: the machine's interfaces (as MediaMTX's
// webrtcIPsFromInterfaces) plus configured extra hosts (public IP or DNS name behind NAT or in
// Docker), resolved once at startup.
#include <string>
#include <vector>

namespace app {

// IPv4 addresses of every interface that is up (loopback included: browsers on this machine
// use it), then global IPv6 addresses; no link-local.
std::vector<std::string> interface_addresses();
// Resolves names; literal IPs pass through. Unresolvable names are reported in `errors`.
std::vector<std::string> resolve_hosts(const std::vector<std::string>& hosts,
                                       std::vector<std::string>& errors);

}  // namespace app
