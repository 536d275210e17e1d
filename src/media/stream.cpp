#include "media/stream.hpp"

#include <algorithm>

namespace media {

Stream::Stream(std::string path, StreamLimits limits)
    : path_(std::move(path)), gop_(limits.gop_cache_max_bytes, limits.gop_cache_max_frames) {}

void Stream::push(uint64_t publisher_id, FramePtr frame) {
  if (!frame) return;
  std::lock_guard lock(mutex_);
  if (publisher_id == 0 || publisher_id != publisher_id_) return;  // replaced or ended
  stats_.on_frame(*frame);
  gop_.push(frame);
  for (const auto& reader : readers_)
    reader->on_frame(frame);
}

void Stream::subscribe(const std::shared_ptr<StreamReader>& reader) {
  if (!reader) return;
  std::lock_guard lock(mutex_);
  if (pending_readers_ > 0) --pending_readers_;
  const auto same = [&](const auto& r) { return r.get() == reader.get(); };
  if (std::any_of(readers_.begin(), readers_.end(), same)) return;
  // Under the same lock as push(): the cached GOP and the live frames join without a gap.
  for (const auto& frame : gop_.frames())
    reader->on_frame(frame);
  readers_.push_back(reader);
}

void Stream::unsubscribe(const StreamReader* reader) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(readers_.begin(), readers_.end(),
                               [&](const auto& r) { return r.get() == reader; });
  if (it != readers_.end()) {
    readers_.erase(it);
  } else if (pending_readers_ > 0) {
    --pending_readers_;  // opened for reading but never subscribed
  }
}

bool Stream::has_publisher() const {
  std::lock_guard lock(mutex_);
  return publisher_id_ != 0;
}

size_t Stream::reader_count() const {
  std::lock_guard lock(mutex_);
  return readers_.size();
}

StreamStatus Stream::status() const {
  std::lock_guard lock(mutex_);
  StreamStatus s = stats_.snapshot();
  s.path = path_;
  s.active = publisher_id_ != 0;
  s.readers = readers_.size();
  return s;
}

uint64_t Stream::begin_publish(const PublisherInfo& info, std::weak_ptr<PublisherListener> listener,
                               std::weak_ptr<PublisherListener>* replaced) {
  std::lock_guard lock(mutex_);
  if (publisher_id_ != 0) {
    if (replaced) *replaced = publisher_listener_;
    for (const auto& reader : readers_)
      reader->on_publisher_stopped();
  }
  publisher_id_ = next_publisher_id_++;
  publisher_ = info;
  publisher_listener_ = std::move(listener);
  gop_.clear();  // the old publisher's GOP does not decode with the new one's configs
  stats_.start(info.remote_address, info.publish_start_ms);
  return publisher_id_;
}

bool Stream::end_publish(uint64_t publisher_id) {
  std::lock_guard lock(mutex_);
  if (publisher_id == 0 || publisher_id != publisher_id_) return false;
  publisher_id_ = 0;
  publisher_ = {};
  publisher_listener_.reset();
  gop_.clear();
  stats_.stop();
  for (const auto& reader : readers_)
    reader->on_publisher_stopped();
  return true;
}

bool Stream::idle() const {
  std::lock_guard lock(mutex_);
  return publisher_id_ == 0 && readers_.empty() && pending_readers_ == 0;
}

void Stream::reserve_reader() {
  std::lock_guard lock(mutex_);
  ++pending_readers_;
}

}  // namespace media
