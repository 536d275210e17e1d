#pragma once
// The values the cluster keeps in Redis, sealed with the cluster secret. Redis is shared
// infrastructure and its values are input like any request: a node record or a stream origin
// counts only if its HMAC (auth::MessageSigner, as for heartbeats) is good, it is fresh, and its
// fields are in range. There is no replay cache here: every main reads the same record every
// refresh, so freshness (a bounded age) is what stops an old record from coming back.
//
// Wire form: "v1 <unix ms> <nonce> <64 hex signature>\n<body>", the body a JSON object.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/message_signer.hpp"
#include "cluster/heartbeat.hpp"

namespace cluster {

inline constexpr size_t MaxRecordSize = Heartbeat::MaxBodySize + 256;
inline constexpr size_t MaxPathSize = 256;

// Seals `body` with a fresh nonce; empty if signing failed (no randomness, body too large).
std::string seal_record(const auth::MessageSigner& signer, std::string_view body, int64_t now_ms);
std::string seal_record(const auth::MessageSigner& signer, std::string_view body, int64_t now_ms,
                        std::string_view nonce);

// The body of a sealed value whose signature is good and whose timestamp lies within
// [now_ms - max_age_ms, now_ms + max_age_ms] (clocks of nodes differ a little); empty optional
// and the reason in `error` otherwise.
std::optional<std::string> open_record(const auth::MessageSigner& signer, std::string_view value,
                                       int64_t now_ms, int64_t max_age_ms, std::string& error);

// Where a stream is published: the node that took the phone's RTMP and the base URL other nodes
// pull it from.
struct Origin {
  std::string path;
  std::string node_id;
  std::string rtmp_url;  // rtmp(s)://host[:port]
  std::string to_json() const;
  bool operator==(const Origin&) const = default;
};

// A stream path in auth::normalize_path's normal form (never "*"), at most MaxPathSize.
bool valid_stream_path(std::string_view path);

// Strict decoders of a record's body: every field present, typed and in range, and the id or
// path the key names (a record copied under another key is refused).
std::optional<Heartbeat> decode_node(std::string_view body, std::string_view key_id,
                                     std::string& error);
std::optional<Origin> decode_origin(std::string_view body, std::string_view key_path,
                                    std::string& error);

// What one read of Redis returned: the ids and paths its indexes list, each with its value, or
// none when the key had expired.
struct RawSnapshot {
  std::vector<std::pair<std::string, std::optional<std::string>>> nodes;
  std::vector<std::pair<std::string, std::optional<std::string>>> origins;
  // Students placed on a node lately by any main (ClusterStore::count_assignment): the counter
  // texts of this minute's bucket and the last one's (none: no such key).
  struct RawCount {
    std::string node_id;
    std::optional<std::string> current, previous;
  };
  std::vector<RawCount> assigned;
};

// Students placed on a node lately: this minute's bucket, and it plus the last minute's.
struct RecentCount {
  int64_t current = 0;
  int64_t total = 0;
  bool operator==(const RecentCount&) const = default;
};

inline constexpr int64_t MaxAssignedCount = Heartbeat::MaxViewers;

struct Snapshot {
  std::vector<Heartbeat> nodes;                 // verified, by node id
  std::map<std::string, Origin> origins;        // verified, by path
  std::map<std::string, RecentCount> assigned;  // by node id
  std::vector<std::string> rejected;            // "node:x: bad signature", one per refused value
};

// A counter's text: 1..10 decimal digits, at most MaxAssignedCount.
std::optional<int64_t> decode_count(std::string_view text) noexcept;

// Opens and decodes every value; an expired key is skipped, a bad one is listed in `rejected`.
// At most max_entries of each kind are looked at.
Snapshot decode_snapshot(const RawSnapshot& raw, const auth::MessageSigner& signer, int64_t now_ms,
                         int64_t max_age_ms, size_t max_entries = 1024);

}  // namespace cluster
