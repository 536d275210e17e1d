// libFuzzer target: FLV tag bodies (audio, video, data messages of an RTMP publish) through the
// demuxer that turns them into media frames, sequence headers and metadata.
//
// Input: a series of messages, each one byte choosing the type (audio, video, data), a 32-bit
// big-endian timestamp, a 16-bit big-endian length and that many bytes (fewer at the end).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "rtmp/flv_demuxer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr rtmp::MessageType Types[] = {rtmp::MessageType::Audio, rtmp::MessageType::Video,
                                                rtmp::MessageType::DataAmf0};
  rtmp::FlvDemuxer demuxer;
  size_t pos = 0;
  int64_t arrival_ns = 0;
  while (size - pos >= 7) {
    const auto type = Types[data[pos] % 3];
    const uint32_t timestamp = (uint32_t{data[pos + 1]} << 24) | (uint32_t{data[pos + 2]} << 16) |
                               (uint32_t{data[pos + 3]} << 8) | data[pos + 4];
    const size_t length =
        std::min<size_t>((size_t{data[pos + 5]} << 8) | data[pos + 6], size - pos - 7);
    pos += 7;
    arrival_ns += 1'000'000;
    const auto result = demuxer.on_message(
        type, timestamp, std::span<const uint8_t>(data + pos, length), arrival_ns);
    pos += length;
    if (!result.error.empty()) break;  // the session would close the connection here
  }
  return 0;
}
