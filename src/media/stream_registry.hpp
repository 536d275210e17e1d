#pragma once
// All live paths of this node. Decides who may publish on a path (first come, or takeover by a
// newer publisher, as phones reconnect before their old TCP connection has timed out).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "media/stream.hpp"

namespace media {

class StreamRegistry {
 public:
  struct Options {
    bool publisher_takeover = true;  // a second publisher replaces the first
    StreamLimits limits;
  };
  explicit StreamRegistry(Options options);

  struct PublishGrant {
    std::shared_ptr<Stream> stream;  // null when refused
    uint64_t publisher_id = 0;
    bool replaced_previous = false;
    std::string error;  // why refused
  };
  // The listener (if still alive) of a replaced publisher gets on_replaced() before this returns.
  PublishGrant start_publish(const std::string& path, const PublisherInfo& info,
                             std::weak_ptr<PublisherListener> listener);
  void stop_publish(const std::shared_ptr<Stream>& stream, uint64_t publisher_id);

  // Readers: the stream object exists before its publisher does, so a reader may wait for it.
  std::shared_ptr<Stream> open_for_reading(const std::string& path);
  void close_reader(const std::shared_ptr<Stream>& stream, const StreamReader* reader);

  std::shared_ptr<Stream> find(const std::string& path) const;
  std::vector<StreamStatus> list() const;

 private:
  void drop_if_idle(const std::shared_ptr<Stream>& stream);

  const Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;
};

}  // namespace media
