#include "app/stream_puller.hpp"

#include "app/logging.hpp"
#include "http/http_client.hpp"

namespace app {

std::optional<PullSource> parse_pull_source(std::string_view url) {
  const bool tls = url.starts_with("rtmps://");
  if (!tls && !url.starts_with("rtmp://")) return std::nullopt;
  const auto rest = url.substr(tls ? 8 : 7);
  const auto bracket = rest.rfind(']');
  const bool has_port =
      rest.find(':', bracket == std::string_view::npos ? 0 : bracket) != std::string_view::npos;
  const auto parsed = http::parse_http_url("http://" + std::string(rest) +
                                           (has_port ? ""
                                            : tls    ? ":1936"
                                                     : ":1935"));
  if (!parsed) return std::nullopt;
  return PullSource{parsed->host, parsed->port, tls};
}

StreamPuller::StreamPuller(IoPool& pool, media::StreamRegistry& registry, const Config& config,
                           std::function<std::string()> query)
    : pool_(pool), registry_(registry), config_(config), query_(std::move(query)) {}

StreamPuller::~StreamPuller() {
  stop();
}

std::shared_ptr<RtmpRelay> StreamPuller::make_relay(const std::string& path,
                                                    const PullSource& source) {
  RelayOptions o;
  o.upstream_host = source.host;
  o.upstream_port = source.port;
  o.app_path = path;
  o.query = query_;
  o.session_id = next_relay_id_++;
  if (source.tls) o.tls = http::cluster_tls();
  auto relay = std::make_shared<RtmpRelay>(pool_.next(), registry_, std::move(o), config_);
  relay->start();
  logger("cluster")->info("pulling {} from {}://{}:{}", path, source.tls ? "rtmps" : "rtmp",
                          source.host, source.port);
  return relay;
}

bool StreamPuller::ensure(const std::string& path, const PullSource& source) {
  std::shared_ptr<RtmpRelay> replaced;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
    auto& p = pulls_[path];
    p.last_watched = std::chrono::steady_clock::now();
    if (p.relay && p.source == source) return true;
    replaced = std::move(p.relay);
    p.source = source;
    p.relay = make_relay(path, source);
  }
  if (replaced) replaced->stop();
  return true;
}

void StreamPuller::maintain(
    const std::function<size_t(const std::string&)>& viewers_on, const std::string& keep,
    const std::function<std::optional<PullSource>(const std::string&)>& source_of) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<RtmpRelay>> ended;
  std::lock_guard lock(mutex_);
  for (auto it = pulls_.begin(); it != pulls_.end();) {
    auto& [path, p] = *it;
    if (viewers_on(path) > 0 || path == keep) p.last_watched = now;
    if (now - p.last_watched > config_.relay_idle_timeout) {
      logger("cluster")->info("dropping the pull of {}: nobody watched for {} s", path,
                              config_.relay_idle_timeout.count() / 1000);
      ended.push_back(std::move(p.relay));
      it = pulls_.erase(it);
      continue;
    }
    if (source_of) {
      const auto moved = source_of(path);
      if (moved && !(*moved == p.source)) {
        logger("cluster")->info("{} is now published on rtmp://{}:{}", path, moved->host,
                                moved->port);
        ended.push_back(std::move(p.relay));
        p.source = *moved;
        p.relay = make_relay(path, *moved);
      }
    }
    ++it;
  }
  for (auto& r : ended)
    r->stop();  // posts to the relay's loop: safe under our lock
}

void StreamPuller::stop() {
  std::map<std::string, Pull> pulls;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    pulls.swap(pulls_);
  }
  for (auto& [path, p] : pulls)
    p.relay->stop();
}

size_t StreamPuller::size() const {
  std::lock_guard lock(mutex_);
  return pulls_.size();
}

}  // namespace app
