#include "media/stream_registry.hpp"

namespace media {

StreamRegistry::StreamRegistry(Options options) : options_(std::move(options)) {}

StreamRegistry::PublishGrant StreamRegistry::start_publish(
    const std::string& path, const PublisherInfo& info, std::weak_ptr<PublisherListener> listener) {
  PublishGrant grant;
  std::weak_ptr<PublisherListener> replaced;
  {
    // Every publisher change goes through this lock, so the check and the change are atomic.
    std::lock_guard lock(mutex_);
    auto& stream = streams_[path];
    if (!stream) stream = std::make_shared<Stream>(path, options_.limits);
    const bool busy = stream->has_publisher();
    if (busy && !options_.publisher_takeover) {
      grant.error = "path " + path + " is already being published";
      return grant;
    }
    grant.publisher_id = stream->begin_publish(info, std::move(listener), &replaced);
    grant.replaced_previous = busy;
    grant.stream = stream;
  }
  // Outside every lock: the old session may call back into the registry.
  if (auto old = replaced.lock()) old->on_replaced();
  return grant;
}

void StreamRegistry::stop_publish(const std::shared_ptr<Stream>& stream, uint64_t publisher_id) {
  if (!stream) return;
  std::lock_guard lock(mutex_);
  if (stream->end_publish(publisher_id)) drop_if_idle(stream);
}

std::shared_ptr<Stream> StreamRegistry::open_for_reading(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto& stream = streams_[path];
  if (!stream) stream = std::make_shared<Stream>(path, options_.limits);
  stream->reserve_reader();  // not idle until the reader subscribes or is closed
  return stream;
}

void StreamRegistry::close_reader(const std::shared_ptr<Stream>& stream,
                                  const StreamReader* reader) {
  if (!stream) return;
  std::lock_guard lock(mutex_);
  stream->unsubscribe(reader);
  drop_if_idle(stream);
}

std::shared_ptr<Stream> StreamRegistry::find(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = streams_.find(path);
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<StreamStatus> StreamRegistry::list() const {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard lock(mutex_);
    streams.reserve(streams_.size());
    for (const auto& [path, stream] : streams_)
      streams.push_back(stream);
  }
  std::vector<StreamStatus> out;
  out.reserve(streams.size());
  for (const auto& stream : streams)
    out.push_back(stream->status());
  return out;
}

// Caller holds mutex_ (lock order: registry, then stream).
void StreamRegistry::drop_if_idle(const std::shared_ptr<Stream>& stream) {
  const auto it = streams_.find(stream->path());
  if (it != streams_.end() && it->second == stream && stream->idle()) streams_.erase(it);
}

}  // namespace media
