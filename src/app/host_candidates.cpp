#include "app/host_candidates.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>

#include <algorithm>
#include <memory>

namespace app {

std::vector<std::string> interface_addresses() {
  std::vector<std::string> v4, v6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> guard(list, freeifaddrs);
  for (auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || !(a->ifa_flags & IFF_UP)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text)) v4.emplace_back(text);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
        continue;
      }
      if (inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text)) v6.emplace_back(text);
    }
  }
  for (auto& a : v6)
    v4.push_back(std::move(a));
  v4.erase(std::unique(v4.begin(), v4.end()), v4.end());
  return v4;
}

std::vector<std::string> resolve_hosts(const std::vector<std::string>& hosts,
                                       std::vector<std::string>& errors) {
  std::vector<std::string> out;
  for (const auto& host : hosts) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) {
      errors.push_back("cannot resolve webrtcAdditionalHosts entry '" + host + "'");
      continue;
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    for (auto* r = res; r; r = r->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* src = r->ai_family == AF_INET
                            ? static_cast<const void*>(
                                  &reinterpret_cast<const sockaddr_in*>(r->ai_addr)->sin_addr)
                            : static_cast<const void*>(
                                  &reinterpret_cast<const sockaddr_in6*>(r->ai_addr)->sin6_addr);
      if (inet_ntop(r->ai_family, src, text, sizeof text) &&
          std::find(out.begin(), out.end(), text) == out.end()) {
        out.emplace_back(text);
      }
    }
  }
  return out;
}

}  // namespace app
