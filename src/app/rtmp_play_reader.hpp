#pragma once
// The media-core side of an RTMP player: frames arrive on the publisher's thread, are queued
// with the slow-reader policy of media::FrameQueue, and the player's loop is woken at most once
// per batch to send them.
#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <mutex>
#include <optional>

#include "media/frame_queue.hpp"
#include "media/stream.hpp"

namespace app {

class RtmpSession;

class RtmpPlayReader : public media::StreamReader {
 public:
  RtmpPlayReader(boost::asio::any_io_executor executor, std::weak_ptr<RtmpSession> owner,
                 media::FrameQueue::Limits limits);

  void on_frame(const media::FramePtr& frame) override;
  void on_publisher_stopped() override;

  // On the player's loop. Empty when nothing is queued.
  media::FramePtr pop();
  bool publisher_stopped() const;
  uint64_t dropped_frames() const;

 private:
  void wake_locked();

  boost::asio::any_io_executor executor_;
  std::weak_ptr<RtmpSession> owner_;
  mutable std::mutex mutex_;
  media::FrameQueue queue_;
  bool wake_pending_ = false;
  bool publisher_stopped_ = false;
};

}  // namespace app
