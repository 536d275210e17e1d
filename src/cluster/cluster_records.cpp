#include "cluster/cluster_records.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>

#include "auth/token_claims.hpp"
#include "base/crypto.hpp"
#include "cluster/signed_envelope.hpp"

namespace cluster {
namespace {

constexpr std::string_view kVersion = "v1 ";

std::span<const uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Splits off the text up to the next space; empty when there is none.
std::string_view take_word(std::string_view& rest) {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return {};
  const auto word = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return word;
}

std::optional<nlohmann::json> parse_object(std::string_view body, std::string& error) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  return json;
}

std::optional<std::string> get_string(const nlohmann::json& obj, const char* name, size_t max,
                                      std::string& error) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().size() > max) {
    error = std::string(name) + " missing, not a string or longer than " + std::to_string(max);
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

std::string seal_record(const auth::MessageSigner& signer, std::string_view body, int64_t now_ms) {
  const auto nonce = auth::MessageSigner::make_nonce();
  return nonce.empty() ? std::string() : seal_record(signer, body, now_ms, nonce);
}

std::string seal_record(const auth::MessageSigner& signer, std::string_view body, int64_t now_ms,
                        std::string_view nonce) {
  const auto signature = signer.sign(body, now_ms, nonce);
  if (signature.empty()) return {};
  std::string out(kVersion);
  out += std::to_string(now_ms) + " " + std::string(nonce) + " " + signature + "\n";
  out += body;
  return out;
}

std::optional<std::string> open_record(const auth::MessageSigner& signer, std::string_view value,
                                       int64_t now_ms, int64_t max_age_ms, std::string& error) {
  if (value.size() > MaxRecordSize) {
    error = "value of " + std::to_string(value.size()) + " bytes (at most " +
            std::to_string(MaxRecordSize) + ")";
    return std::nullopt;
  }
  const auto newline = value.find('\n');
  if (!value.starts_with(kVersion) || newline == std::string_view::npos) {
    error = "not a sealed record (expected \"v1 <ms> <nonce> <signature>\\n<body>\")";
    return std::nullopt;
  }
  auto header = value.substr(kVersion.size(), newline - kVersion.size());
  const auto body = value.substr(newline + 1);
  const auto ts_text = take_word(header);
  const auto nonce = take_word(header);
  const auto signature = header;
  const auto ts = SignedEnvelope::parse_timestamp(ts_text);
  if (!ts || nonce.empty()) {
    error = "malformed record header";
    return std::nullopt;
  }
  // sign() refuses a malformed nonce or body with an empty string, which never equals a
  // signature; the comparison takes the same time wherever the two differ.
  const auto expected = signer.sign(body, *ts, nonce);
  if (expected.empty() || !base::constant_time_equal(bytes_of(expected), bytes_of(signature))) {
    error = "bad signature (another clusterSecret, or altered)";
    return std::nullopt;
  }
  if (*ts < now_ms - max_age_ms || *ts > now_ms + max_age_ms) {
    error = "stale: written " + std::to_string(now_ms - *ts) + " ms ago";
    return std::nullopt;
  }
  return std::string(body);
}

bool valid_stream_path(std::string_view path) {
  if (path.empty() || path.size() > MaxPathSize) return false;
  const auto normalized = auth::normalize_path(path);
  return normalized && *normalized == path && path != auth::AnyPath;
}

std::string Origin::to_json() const {
  return nlohmann::json{{"path", path}, {"node_id", node_id}, {"rtmp_url", rtmp_url}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<Heartbeat> decode_node(std::string_view body, std::string_view key_id,
                                     std::string& error) {
  auto hb = Heartbeat::parse(body, error);
  if (!hb) return std::nullopt;
  if (hb->node_id != key_id) {
    error = "record of node '" + hb->node_id.substr(0, 64) + "' under another node's key";
    return std::nullopt;
  }
  return hb;
}

std::optional<Origin> decode_origin(std::string_view body, std::string_view key_path,
                                    std::string& error) {
  const auto json = parse_object(body, error);
  if (!json) return std::nullopt;
  Origin o;
  auto path = get_string(*json, "path", MaxPathSize, error);
  auto node = get_string(*json, "node_id", Heartbeat::MaxNodeIdSize, error);
  auto url = get_string(*json, "rtmp_url", Heartbeat::MaxUrlSize, error);
  if (!path || !node || !url) return std::nullopt;
  if (*path != key_path || !valid_stream_path(*path)) {
    error = "path does not match its key or is not a stream path";
    return std::nullopt;
  }
  if (!valid_node_id(*node) || !valid_rtmp_base_url(*url)) {
    error = "node_id or rtmp_url malformed";
    return std::nullopt;
  }
  return Origin{std::move(*path), std::move(*node), std::move(*url)};
}

std::optional<int64_t> decode_count(std::string_view text) noexcept {
  if (text.empty() || text.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > MaxAssignedCount) return std::nullopt;
  return value;
}

Snapshot decode_snapshot(const RawSnapshot& raw, const auth::MessageSigner& signer, int64_t now_ms,
                         int64_t max_age_ms, size_t max_entries) {
  Snapshot out;
  const auto open = [&](std::string_view kind, const std::string& key,
                        const std::optional<std::string>& value) -> std::optional<std::string> {
    if (!value) return std::nullopt;  // expired since the index listed it
    std::string error;
    auto body = open_record(signer, *value, now_ms, max_age_ms, error);
    if (!body) out.rejected.push_back(std::string(kind) + ":" + key.substr(0, 256) + ": " + error);
    return body;
  };
  for (size_t i = 0; i < raw.nodes.size() && i < max_entries; ++i) {
    const auto& [id, value] = raw.nodes[i];
    const auto body = open("node", id, value);
    if (!body) continue;
    std::string error;
    if (auto hb = decode_node(*body, id, error))
      out.nodes.push_back(std::move(*hb));
    else
      out.rejected.push_back("node:" + id.substr(0, 64) + ": " + error);
  }
  std::sort(out.nodes.begin(), out.nodes.end(),
            [](const Heartbeat& a, const Heartbeat& b) { return a.node_id < b.node_id; });
  out.nodes.erase(std::unique(out.nodes.begin(), out.nodes.end(),
                              [](const auto& a, const auto& b) { return a.node_id == b.node_id; }),
                  out.nodes.end());
  for (size_t i = 0; i < raw.origins.size() && i < max_entries; ++i) {
    const auto& [path, value] = raw.origins[i];
    const auto body = open("origin", path, value);
    if (!body) continue;
    std::string error;
    if (auto origin = decode_origin(*body, path, error))
      out.origins.insert_or_assign(origin->path, std::move(*origin));
    else
      out.rejected.push_back("origin:" + path.substr(0, 256) + ": " + error);
  }
  for (size_t i = 0; i < raw.assigned.size() && i < max_entries; ++i) {
    const auto& r = raw.assigned[i];
    const auto current = r.current ? decode_count(*r.current) : 0;
    const auto previous = r.previous ? decode_count(*r.previous) : 0;
    if (!current || !previous || !valid_node_id(r.node_id)) {
      out.rejected.push_back("assigned:" + r.node_id.substr(0, 64) + ": not a count of 0.." +
                             std::to_string(MaxAssignedCount));
      continue;
    }
    if (*current + *previous == 0) continue;
    out.assigned[r.node_id] = {*current, std::min(MaxAssignedCount, *current + *previous)};
  }
  return out;
}

}  // namespace cluster
