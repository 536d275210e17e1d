#include "whep_client/nack_tracker.hpp"

namespace tools::whep_client {

void NackTracker::on_packet(uint16_t seq, TimePoint now) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return;
  }
  const auto ahead = static_cast<uint16_t>(seq - highest_);
  if (ahead == 0) return;
  if (ahead < 0x8000) {
    if (ahead - 1u > MaxMissing) {
      count_ = 0;  // a restart or a burst too wide to repair in time
    } else {
      for (auto s = static_cast<uint16_t>(highest_ + 1); s != seq; ++s)
        add(s, now + config_.reorder_wait);
    }
    highest_ = seq;
    return;
  }
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].seq != seq) continue;
    if (entries_[i].sent > 0) ++recovered_;
    remove_at(i);
    return;
  }
}

void NackTracker::add(uint16_t seq, TimePoint due_at) noexcept {
  if (count_ == MaxMissing) {
    remove_at(0);  // the oldest is the least likely to be repaired in time
    ++given_up_;
  }
  entries_[count_++] = Entry{seq, 0, due_at};
}

void NackTracker::remove_at(size_t i) noexcept {
  for (size_t j = i + 1; j < count_; ++j)
    entries_[j - 1] = entries_[j];
  --count_;
}

size_t NackTracker::due(TimePoint now, std::span<uint16_t> out) noexcept {
  size_t written = 0;
  size_t i = 0;
  while (i < count_) {
    Entry& e = entries_[i];
    const auto age = static_cast<uint16_t>(highest_ - e.seq);
    if (age > MaxAge || e.sent >= config_.max_sends) {
      ++given_up_;
      remove_at(i);
      continue;
    }
    if (e.next <= now && written < out.size()) {
      out[written++] = e.seq;
      if (e.sent == 0) ++requested_;
      ++e.sent;
      e.next = now + config_.retry_interval;
    }
    ++i;
  }
  return written;
}

std::optional<NackTracker::TimePoint> NackTracker::next_due() const noexcept {
  std::optional<TimePoint> next;
  for (size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if (e.sent >= config_.max_sends) continue;
    if (!next || e.next < *next) next = e.next;
  }
  return next;
}

}  // namespace tools::whep_client
