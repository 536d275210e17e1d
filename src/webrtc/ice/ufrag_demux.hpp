#pragma once
// Routes datagrams from one shared UDP socket to peer sessions. A STUN binding request names
// its session by the first part of USERNAME (our local ufrag); once that session's agent has
// accepted the check, the caller binds the source address, and every later packet from it
// (DTLS, SRTP, RTCP, consent checks) finds the session by address.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "webrtc/ice/transport_address.hpp"

namespace webrtc::ice {

// The local ufrag a STUN binding request is addressed to ("<local>:<remote>" in USERNAME,
// RFC 8445 7.2.2); nullopt for anything else. The view points into `packet`.
std::optional<std::string_view> binding_request_local_ufrag(
    std::span<const uint8_t> packet) noexcept;

template <typename SessionId, typename Hash = std::hash<SessionId>>
class UfragDemux {
 public:
  struct Limits {
    size_t max_sessions = 4096;
    size_t max_addresses_per_session = 4;  // oldest binding is dropped beyond this
  };

  UfragDemux() : UfragDemux(Limits{}) {}
  explicit UfragDemux(Limits limits) : limits_(limits) {}

  // False when the ufrag or the id is already registered, the ufrag is empty or the table full.
  bool add_session(std::string_view local_ufrag, const SessionId& id) {
    if (local_ufrag.empty() || sessions_.size() >= limits_.max_sessions || sessions_.contains(id) ||
        by_ufrag_.find(local_ufrag) != by_ufrag_.end()) {
      return false;
    }
    by_ufrag_.emplace(std::string(local_ufrag), id);
    sessions_.emplace(id, Entry{std::string(local_ufrag), {}});
    return true;
  }

  // Forgets the session, its ufrag and all addresses bound to it.
  bool remove_session(const SessionId& id) {
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    for (const auto& address : it->second.addresses)
      by_address_.erase(address);
    by_ufrag_.erase(it->second.ufrag);
    sessions_.erase(it);
    return true;
  }

  // STUN binding requests go by ufrag (so a new session can claim an address, and a request
  // for an unknown ufrag is dropped even from a bound address); everything else by address.
  std::optional<SessionId> lookup(std::span<const uint8_t> packet,
                                  const TransportAddress& from) const noexcept {
    if (const auto ufrag = binding_request_local_ufrag(packet)) return find_by_ufrag(*ufrag);
    return find_by_address(from);
  }

  std::optional<SessionId> find_by_ufrag(std::string_view ufrag) const noexcept {
    const auto it = by_ufrag_.find(ufrag);
    if (it == by_ufrag_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<SessionId> find_by_address(const TransportAddress& from) const noexcept {
    const auto it = by_address_.find(from);
    if (it == by_address_.end()) return std::nullopt;
    return it->second;
  }

  // Call after the session's agent accepted a check from `from`. An address bound to another
  // session moves (the newer authenticated check wins). False for an unknown session.
  bool bind_address(const TransportAddress& from, const SessionId& id) {
    const auto session = sessions_.find(id);
    if (session == sessions_.end() || limits_.max_addresses_per_session == 0) return false;
    const auto bound = by_address_.find(from);
    if (bound != by_address_.end()) {
      if (bound->second == id) return true;
      forget(sessions_.find(bound->second), from);
      bound->second = id;
    } else {
      by_address_.emplace(from, id);
    }
    auto& addresses = session->second.addresses;
    if (addresses.size() >= limits_.max_addresses_per_session) {
      by_address_.erase(addresses.front());
      addresses.erase(addresses.begin());
    }
    addresses.push_back(from);
    return true;
  }

  size_t session_count() const noexcept { return sessions_.size(); }
  size_t address_count() const noexcept { return by_address_.size(); }

 private:
  struct Entry {
    std::string ufrag;
    std::vector<TransportAddress> addresses;  // oldest first
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  void forget(typename std::unordered_map<SessionId, Entry, Hash>::iterator session,
              const TransportAddress& address) {
    if (session == sessions_.end()) return;
    auto& list = session->second.addresses;
    list.erase(std::remove(list.begin(), list.end(), address), list.end());
  }

  Limits limits_;
  std::unordered_map<std::string, SessionId, StringHash, std::equal_to<>> by_ufrag_;
  std::unordered_map<TransportAddress, SessionId, TransportAddressHash> by_address_;
  std::unordered_map<SessionId, Entry, Hash> sessions_;
};

}  // namespace webrtc::ice
