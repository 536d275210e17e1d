// libFuzzer target: what the cluster reads back from Redis. Any bytes as a sealed record, a
// node or origin body and a counter either decode or are refused with a reason (no exception,
// no crash), and a record this secret sealed always opens again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/cluster_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto signer = [] {
    std::string error;
    return std::move(*auth::MessageSigner::create(std::string(40, 'k'), error));
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr int64_t now = 1'700'000'000'000;
  std::string error;
  (void)cluster::open_record(signer, input, now, 20'000, error);
  (void)cluster::decode_node(input, "sub-1", error);
  (void)cluster::decode_origin(input, "live/stream", error);
  (void)cluster::decode_count(input);
  cluster::RawSnapshot raw;
  raw.nodes.emplace_back("sub-1", std::string(input));
  raw.origins.emplace_back(std::string(input.substr(0, 300)), std::string(input));
  raw.assigned.push_back({std::string(input.substr(0, 70)), std::string(input), std::nullopt});
  (void)cluster::decode_snapshot(raw, signer, now, 20'000);
  if (input.size() <= cluster::Heartbeat::MaxBodySize) {
    const auto sealed = cluster::seal_record(signer, input, now, "nonce-0123456789");
    const auto opened = cluster::open_record(signer, sealed, now, 20'000, error);
    if (!sealed.empty() && (!opened || *opened != input)) __builtin_trap();
  }
  return 0;
}
