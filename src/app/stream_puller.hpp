#pragma once
// The streams this node pulls from another node over RTMP (one app::RtmpRelay per path), started
// when a viewer asks for a path nobody publishes here and dropped when nobody has watched it for
// relayIdleTimeout. A sub node of the in-memory cluster pulls everything from the main node; on
// Redis each path comes from its origin, and a pull whose origin moved is restarted there.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/io_pool.hpp"
#include "app/rtmp_relay.hpp"
#include "media/stream_registry.hpp"

namespace app {

struct PullSource {
  std::string host;
  uint16_t port = 1935;
  bool tls = false;  // rtmps: the origin's certificate is checked against airclass.clusterCA
  bool operator==(const PullSource&) const = default;
};

// "rtmp://host[:port]" or "rtmps://host[:port]" (port 1935 or 1936, rtmpsAddress's default, when
// absent; IPv6 without brackets); empty when malformed.
std::optional<PullSource> parse_pull_source(std::string_view rtmp_url);

class StreamPuller {
 public:
  // `query` gives the play URL's query before every connection ("jwt=<read token>").
  StreamPuller(IoPool& pool, media::StreamRegistry& registry, const Config& config,
               std::function<std::string()> query);
  ~StreamPuller();

  // Pulls `path` from `source`; a pull of it from elsewhere is replaced. True when a pull is
  // (now) running, so a viewer should retry in a moment.
  bool ensure(const std::string& path, const PullSource& source);
  // Drops pulls nobody watched for relayIdleTimeout (`keep` is never dropped), and moves pulls
  // whose source changed (`source_of` empty: leave it as it is).
  void maintain(const std::function<size_t(const std::string&)>& viewers_on,
                const std::string& keep,
                const std::function<std::optional<PullSource>(const std::string&)>& source_of);
  void stop();
  size_t size() const;

 private:
  std::shared_ptr<RtmpRelay> make_relay(const std::string& path, const PullSource& source);

  IoPool& pool_;
  media::StreamRegistry& registry_;
  const Config& config_;
  std::function<std::string()> query_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  struct Pull {
    std::shared_ptr<RtmpRelay> relay;
    PullSource source;
    std::chrono::steady_clock::time_point last_watched;
  };
  std::map<std::string, Pull> pulls_;
  uint64_t next_relay_id_ = 1;
};

}  // namespace app
