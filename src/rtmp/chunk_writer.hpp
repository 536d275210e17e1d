#pragma once
// Serializes RTMP messages into chunks (RTMP spec 1.0, section 5.3) with our outgoing chunk size.
// The first message on a chunk stream gets a fmt 0 header, later ones fmt 1 or 2 when the
// stream id (and length and type) repeat; continuation chunks are fmt 3 and repeat the extended
// timestamp as section 5.3.1.3 requires. Timestamps going backwards get a fresh fmt 0 header.
#include <cstdint>
#include <span>
#include <vector>

#include "rtmp/message.hpp"

namespace rtmp {

class ChunkWriter {
 public:
  static constexpr uint32_t DefaultChunkSize = 128;

  ChunkWriter() = default;

  // Takes effect for the next message; send the Set Chunk Size message first (with the old size).
  void set_chunk_size(uint32_t size) noexcept { chunk_size_ = size == 0 ? 1 : size; }
  uint32_t chunk_size() const noexcept { return chunk_size_; }

  // Appends the chunks of one message whose payload is `head` followed by `body` (gather form:
  // e.g. an FLV tag header and a shared frame, never concatenated first).
  void write(std::vector<uint8_t>& out, uint32_t chunk_stream_id, MessageType type,
             uint32_t timestamp, uint32_t stream_id, std::span<const uint8_t> head,
             std::span<const uint8_t> body = {});
  void write(std::vector<uint8_t>& out, const Message& message) {
    write(out, message.chunk_stream_id, message.type, message.timestamp, message.stream_id,
          message.payload);
  }

  // Bytes write() will append for a payload of `length` bytes with a fmt 0 header (upper bound).
  size_t max_encoded_size(uint32_t chunk_stream_id, size_t length) const noexcept;

 private:
  struct Last {
    uint32_t id = 0;
    uint32_t timestamp = 0;
    uint32_t length = 0;
    uint32_t stream_id = 0;
    uint8_t type = 0;
  };

  void basic_header(std::vector<uint8_t>& out, unsigned fmt, uint32_t id) const;
  Last* last(uint32_t id);

  uint32_t chunk_size_ = DefaultChunkSize;
  std::vector<Last> last_;  // per chunk stream id we have written on (a handful)
};

}  // namespace rtmp
