#pragma once
// Builds transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1) the
// way Chromium does: run-length chunks for runs, one-bit vectors for 14 symbols without large
// deltas, two-bit vectors otherwise, small deltas when they fit 0..63.75 ms, and the packet
// padded to 32 bits with the P bit. For tests and the load client, which act as a browser; the
// server itself only reads feedback.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "webrtc/rtcp/transport_cc.hpp"

namespace webrtc::rtcp {

struct TransportCcHeader {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence = 0;
  int32_t reference_time = 0;  // 64 ms units; the low 24 bits are sent
  uint8_t feedback_count = 0;
};

// Appends one RTCP packet to `out` for `packets`, whose sequence numbers must be
// base_sequence, base_sequence + 1, ... (16-bit wrapping). Deltas are quantized to 250 us with
// the rounding error carried to the next packet, so quantized inputs come back unchanged.
// Returns false (and appends nothing) when a sequence number is out of place, there are more
// than 65535 packets, or a delta falls outside the large delta's -8192..8191.75 ms.
bool build_transport_cc(const TransportCcHeader& header, std::span<const TransportCcPacket> packets,
                        std::vector<uint8_t>& out);

}  // namespace webrtc::rtcp
