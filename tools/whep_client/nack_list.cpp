#include "whep_client/nack_list.hpp"

namespace tools::whep_client {

void NackList::on_packet(uint16_t seq, TimePoint now) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return;
  }
  const uint16_t ahead = static_cast<uint16_t>(seq - highest_);
  if (ahead == 0) return;
  if (ahead < 0x8000) {
    if (ahead - 1u > MaxMissing) {
      count_ = 0;  // a jump this wide is a restart or a burst we cannot repair in time
    } else {
      for (uint16_t s = static_cast<uint16_t>(highest_ + 1); s != seq; ++s)
        add(s, now);
    }
    highest_ = seq;
    return;
  }
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].seq == seq) {
      if (entries_[i].sent > 0) ++recovered_;
      remove_at(i);
      return;
    }
  }
}

void NackList::add(uint16_t seq, TimePoint now) noexcept {
  if (count_ == MaxMissing) {
    remove_at(0);  // the oldest is the least likely to be repaired in time
    ++given_up_;
  }
  entries_[count_++] = Entry{seq, 0, now};
}

void NackList::remove_at(size_t i) noexcept {
  for (size_t j = i + 1; j < count_; ++j)
    entries_[j - 1] = entries_[j];
  --count_;
}

size_t NackList::due(TimePoint now, std::span<uint16_t> out) noexcept {
  size_t written = 0;
  size_t i = 0;
  while (i < count_) {
    Entry& e = entries_[i];
    const uint16_t age = static_cast<uint16_t>(highest_ - e.seq);
    if (age > MaxAge || e.sent >= MaxRetries) {
      ++given_up_;
      remove_at(i);
      continue;
    }
    if (e.next <= now && written < out.size()) {
      out[written++] = e.seq;
      ++e.sent;
      e.next = now + retry_interval_;
    }
    ++i;
  }
  return written;
}

}  // namespace tools::whep_client
