#include "webrtc/rtp/seq_timestamp_rewriter.hpp"

namespace webrtc::rtp {

SeqTimestampRewriter::SeqTimestampRewriter(uint16_t initial_seq, uint32_t initial_timestamp,
                                           uint32_t discontinuity_ts_delta) noexcept
    : ts_delta_(discontinuity_ts_delta), last_seq_(initial_seq), last_ts_(initial_timestamp) {}

SeqTimestampRewriter::Mapped SeqTimestampRewriter::map(uint16_t stream_seq,
                                                       uint32_t stream_timestamp) noexcept {
  if (!started_) {
    // The first packet lands exactly on the random initial values.
    seq_offset_ = static_cast<uint16_t>(last_seq_ - stream_seq);
    ts_offset_ = last_ts_ - stream_timestamp;
    started_ = true;
    rebase_seq_ = rebase_ts_ = false;
    return {last_seq_, last_ts_};
  }
  if (rebase_seq_) {
    seq_offset_ = static_cast<uint16_t>(last_seq_ + 1 - stream_seq);
    rebase_seq_ = false;
  }
  if (rebase_ts_) {
    ts_offset_ = last_ts_ + ts_delta_ - stream_timestamp;
    rebase_ts_ = false;
  }
  const Mapped out{static_cast<uint16_t>(stream_seq + seq_offset_), stream_timestamp + ts_offset_};
  // Only a packet newer than the last one moves "last" (RFC 1982 serial comparison), so a
  // retransmission in between does not pull the continuation point backwards.
  if (static_cast<int16_t>(out.seq - last_seq_) > 0) {
    last_seq_ = out.seq;
    last_ts_ = out.timestamp;
  }
  return out;
}

}  // namespace webrtc::rtp
