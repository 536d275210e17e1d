#include "rtmp/chunk_writer.hpp"

#include <algorithm>

#include "base/byte_writer.hpp"

namespace rtmp {
namespace {
constexpr uint32_t ExtendedMarker = 0xffffff;
}

ChunkWriter::Last* ChunkWriter::last(uint32_t id) {
  for (auto& l : last_) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

// Section 5.3.1.1: ids 2..63 fit the first byte, 64..319 take one more, up to 65599 two more.
void ChunkWriter::basic_header(std::vector<uint8_t>& out, unsigned fmt, uint32_t id) const {
  const auto f = static_cast<uint8_t>(fmt << 6);
  if (id >= 2 && id <= 63) {
    out.push_back(static_cast<uint8_t>(f | id));
  } else if (id >= 64 && id <= 319) {
    out.push_back(f);
    out.push_back(static_cast<uint8_t>(id - 64));
  } else {
    const uint32_t v = std::min<uint32_t>(std::max<uint32_t>(id, 64), 65599) - 64;
    out.push_back(static_cast<uint8_t>(f | 1));
    out.push_back(static_cast<uint8_t>(v & 0xff));
    out.push_back(static_cast<uint8_t>(v >> 8));
  }
}

size_t ChunkWriter::max_encoded_size(uint32_t chunk_stream_id, size_t length) const noexcept {
  const size_t basic = chunk_stream_id <= 63 ? 1 : chunk_stream_id <= 319 ? 2 : 3;
  const size_t chunks = length == 0 ? 1 : (length + chunk_size_ - 1) / chunk_size_;
  return chunks * (basic + 4) + 11 + length;
}

void ChunkWriter::write(std::vector<uint8_t>& out, uint32_t id, MessageType type,
                        uint32_t timestamp, uint32_t stream_id, std::span<const uint8_t> head,
                        std::span<const uint8_t> body) {
  const auto length = static_cast<uint32_t>(head.size() + body.size());
  const auto type_byte = static_cast<uint8_t>(type);
  Last* prev = last(id);
  unsigned fmt = 0;
  uint32_t field = timestamp;  // absolute for fmt 0, delta otherwise
  if (prev != nullptr && prev->stream_id == stream_id && timestamp >= prev->timestamp) {
    fmt = (prev->length == length && prev->type == type_byte) ? 2 : 1;
    field = timestamp - prev->timestamp;
  }
  if (prev == nullptr) {
    last_.push_back(Last{id, 0, 0, 0, 0});
    prev = &last_.back();
  }
  *prev = Last{id, timestamp, length, stream_id, type_byte};

  const bool extended = field >= ExtendedMarker;
  out.reserve(out.size() + max_encoded_size(id, length));
  base::ByteWriter w(out);
  basic_header(out, fmt, id);
  w.u24(extended ? ExtendedMarker : field);
  if (fmt <= 1) {
    w.u24(length);
    w.u8(type_byte);
  }
  if (fmt == 0) w.u32le(stream_id);
  if (extended) w.u32(field);

  // Payload in chunk_size_ pieces, drawing from head then body.
  size_t written = 0;
  while (true) {
    size_t room = std::min<size_t>(chunk_size_, length - written);
    while (room > 0) {
      const bool in_head = written < head.size();
      const auto src = in_head ? head.subspan(written) : body.subspan(written - head.size());
      const size_t n = std::min(room, src.size());
      out.insert(out.end(), src.begin(), src.begin() + static_cast<ptrdiff_t>(n));
      written += n;
      room -= n;
    }
    if (written >= length) break;
    basic_header(out, 3, id);
    if (extended) w.u32(field);
  }
}

}  // namespace rtmp
