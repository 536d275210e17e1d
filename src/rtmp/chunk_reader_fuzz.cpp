// libFuzzer target: the RTMP chunk stream reader. The reader promises the same messages for any
// fragmentation of its input, so the stream is read twice, in one piece and in pieces whose sizes
// the input chooses, and both readings must deliver the same messages and end the same way.
//
// Input: two bytes seeding the piece sizes, then the chunk stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtmp/chunk_reader.hpp"

namespace {

struct Delivered {
  rtmp::MessageType type;
  uint32_t timestamp;
  uint32_t stream_id;
  uint32_t chunk_stream_id;
  std::vector<uint8_t> payload;
  bool operator==(const Delivered&) const = default;
};

struct Recorder : rtmp::ChunkReader::Listener {
  std::vector<Delivered> messages;
  bool on_message(const rtmp::Message& m) override {
    messages.push_back({m.type, m.timestamp, m.stream_id, m.chunk_stream_id,
                        std::vector<uint8_t>(m.payload.begin(), m.payload.end())});
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t seed = (uint32_t{data[0]} << 8) | data[1];
  const std::span<const uint8_t> stream(data + 2, size - 2);

  rtmp::ChunkReader whole_reader;
  Recorder whole;
  const bool whole_ok = whole_reader.feed(stream, whole);

  rtmp::ChunkReader split_reader;
  Recorder split;
  bool split_ok = true;
  for (size_t pos = 0; pos < stream.size() && split_ok;) {
    seed = seed * 1103515245u + 12345u;  // any cheap sequence will do
    const size_t piece = std::min<size_t>(1 + (seed >> 16) % 300, stream.size() - pos);
    split_ok = split_reader.feed(stream.subspan(pos, piece), split);
    pos += piece;
  }

  if (whole_ok != split_ok || whole.messages != split.messages) __builtin_trap();
  return 0;
}
