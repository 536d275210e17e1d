#include "app/rtmp_play_reader.hpp"

#include <boost/asio/post.hpp>

#include "app/rtmp_session.hpp"

namespace app {

RtmpPlayReader::RtmpPlayReader(boost::asio::any_io_executor executor,
                               std::weak_ptr<RtmpSession> owner, media::FrameQueue::Limits limits)
    : executor_(executor), owner_(std::move(owner)), queue_(limits) {}

void RtmpPlayReader::on_frame(const media::FramePtr& frame) {
  std::lock_guard lock(mutex_);
  publisher_stopped_ = false;
  queue_.push(frame);
  wake_locked();
}

void RtmpPlayReader::on_publisher_stopped() {
  std::lock_guard lock(mutex_);
  publisher_stopped_ = true;
  wake_locked();
}

void RtmpPlayReader::wake_locked() {
  if (wake_pending_) return;
  wake_pending_ = true;
  boost::asio::post(executor_, [owner = owner_] {
    if (auto session = owner.lock()) session->drain_play_queue();
  });
}

media::FramePtr RtmpPlayReader::pop() {
  std::lock_guard lock(mutex_);
  wake_pending_ = false;
  return queue_.pop();
}

bool RtmpPlayReader::publisher_stopped() const {
  std::lock_guard lock(mutex_);
  return publisher_stopped_ && queue_.empty();
}

uint64_t RtmpPlayReader::dropped_frames() const {
  std::lock_guard lock(mutex_);
  return queue_.dropped_frames();
}

}  // namespace app
