#include "rtmp/chunk_reader.hpp"

#include <algorithm>

namespace rtmp {
namespace {

uint32_t be24(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 16) | (p[1] << 8) | p[2];
}
uint32_t be32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | be24(p + 1);
}
uint32_t le32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

// Section 5.3.1.1: csid 0 and 1 in the first byte announce 2- and 3-byte basic headers.
size_t basic_header_size(uint8_t first) noexcept {
  switch (first & 0x3f) {
    case 0:
      return 2;
    case 1:
      return 3;
    default:
      return 1;
  }
}

// Section 5.3.1.2: message header sizes of fmt 0..3.
constexpr size_t MessageHeaderSize[4] = {11, 7, 3, 0};
constexpr uint32_t ExtendedMarker = 0xffffff;

}  // namespace

ChunkReader::ChunkReader() : ChunkReader(Limits{}) {}
ChunkReader::ChunkReader(Limits limits) : limits_(limits) {}

void ChunkReader::set_max_message_size(uint32_t size, std::string note) {
  limits_.max_message_size = size;
  limit_note_ = std::move(note);
}

bool ChunkReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

size_t ChunkReader::find_stream(uint32_t id) const noexcept {
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].id == id) return i;
  }
  return NoStream;
}

// Total header size known from the bytes collected so far; grows as more bytes arrive.
size_t ChunkReader::header_needed() noexcept {
  if (header_size_ == 0) return 1;
  const size_t basic = basic_header_size(header_[0]);
  if (header_size_ < basic) return basic;
  const unsigned fmt = header_[0] >> 6;
  const size_t base = basic + MessageHeaderSize[fmt];
  if (header_size_ < base) return base;
  bool extended = false;
  if (fmt < 3) {
    extended = be24(header_ + basic) == ExtendedMarker;
  } else {
    uint32_t id = header_[0] & 0x3f;
    if (basic == 2) id = 64 + header_[1];
    if (basic == 3) id = 64 + header_[1] + (uint32_t{header_[2]} << 8);
    const size_t i = find_stream(id);
    extended = i != NoStream && streams_[i].extended;
  }
  return base + (extended ? 4 : 0);
}

ChunkReader::Step ChunkReader::parse_header(std::span<const uint8_t>& in) {
  for (;;) {
    const size_t need = header_needed();
    if (header_size_ >= need) return Step::Done;
    if (in.empty()) return Step::NeedMore;
    const size_t n = std::min(need - header_size_, in.size());
    std::copy_n(in.begin(), n, header_ + header_size_);
    header_size_ += n;
    in = in.subspan(n);
  }
}

bool ChunkReader::apply_header(Listener& listener) {
  const size_t basic = basic_header_size(header_[0]);
  const unsigned fmt = header_[0] >> 6;
  uint32_t id = header_[0] & 0x3f;
  if (basic == 2) id = 64 + header_[1];
  if (basic == 3) id = 64 + header_[1] + (uint32_t{header_[2]} << 8);
  const uint8_t* h = header_ + basic;
  size_t index = find_stream(id);
  if (index == NoStream) {
    // librtmp may open a chunk stream with fmt 1; fmt 2/3 need state we do not have.
    if (fmt >= 2) {
      return fail("chunk stream " + std::to_string(id) + ": fmt " + std::to_string(fmt) +
                  " without a preceding full header");
    }
    if (streams_.size() >= limits_.max_chunk_streams) {
      return fail("too many chunk streams (limit " + std::to_string(limits_.max_chunk_streams) +
                  ")");
    }
    streams_.push_back(ChunkStream{});
    streams_.back().id = id;
    index = streams_.size() - 1;
  }
  ChunkStream& cs = streams_[index];
  const bool mid_message = cs.received > 0;
  if (fmt < 3 && mid_message) {
    return fail("chunk stream " + std::to_string(id) + ": new message header before the " +
                "previous message was complete");
  }
  size_t extra = 0;  // bytes of a fmt 3 "extended timestamp" that were really payload
  if (fmt < 3) {
    uint32_t field = be24(h);
    cs.extended = field == ExtendedMarker;
    if (cs.extended) field = be32(h + MessageHeaderSize[fmt]);  // section 5.3.1.3
    if (fmt <= 1) {
      const uint32_t length = be24(h + 3);
      if (length > limits_.max_message_size) {
        return fail("message length " + std::to_string(length) + " exceeds limit " +
                    std::to_string(limits_.max_message_size) +
                    (limit_note_.empty() ? "" : " " + limit_note_));
      }
      cs.length = length;
      cs.type = h[6];
    }
    if (fmt == 0) cs.stream_id = le32(h + 7);
    // A fmt 0 timestamp is absolute; like ffmpeg we keep the field as the delta a following
    // fmt 3 message header reuses.
    cs.timestamp = fmt == 0 ? field : cs.timestamp + field;
    cs.delta = field;
    cs.has_header = true;
  } else if (!mid_message) {
    if (cs.extended) cs.delta = be32(h);
    cs.timestamp += cs.delta;
  } else if (cs.extended && be32(h) != cs.delta) {
    // Some encoders do not repeat the extended timestamp in continuation chunks.
    extra = 4;
  }
  const uint32_t left = cs.length - cs.received;
  chunk_remaining_ = std::min(chunk_size_, left);
  current_ = index;
  if (extra > 0) {
    if (chunk_remaining_ < extra)
      return fail("chunk stream " + std::to_string(id) +
                  ": bad "
                  "extended timestamp in continuation chunk");
    const std::span<const uint8_t> bytes(header_ + header_size_ - extra, extra);
    std::span<const uint8_t> rest = bytes;
    if (!take_payload(rest, listener)) return false;
  }
  if (cs.length == 0) return deliver(cs, {}, listener);
  return true;
}

bool ChunkReader::take_payload(std::span<const uint8_t>& in, Listener& listener) {
  ChunkStream& cs = streams_[current_];
  const size_t n = std::min<size_t>(chunk_remaining_, in.size());
  if (cs.received == 0 && chunk_remaining_ == cs.length && n == cs.length) {
    // The whole message is in this chunk and in this fragment: deliver it in place.
    const auto payload = in.first(n);
    in = in.subspan(n);
    chunk_remaining_ = 0;
    return deliver(cs, payload, listener);
  }
  // Partial messages of all chunk streams together may not pin more than this.
  const uint64_t budget = uint64_t{limits_.max_message_size} * 2;
  if (buffered_ + n > budget) {
    return fail("partial messages exceed " + std::to_string(budget) + " bytes");
  }
  buffered_ += n;
  cs.payload.insert(cs.payload.end(), in.begin(), in.begin() + static_cast<ptrdiff_t>(n));
  in = in.subspan(n);
  cs.received += static_cast<uint32_t>(n);
  chunk_remaining_ -= static_cast<uint32_t>(n);
  if (cs.received < cs.length) {
    if (chunk_remaining_ == 0) current_ = NoStream;  // next: the header of another chunk
    return true;
  }
  return deliver(cs, cs.payload, listener);
}

bool ChunkReader::deliver(ChunkStream& cs, std::span<const uint8_t> payload, Listener& listener) {
  Message m;
  m.type = static_cast<MessageType>(cs.type);
  m.timestamp = cs.timestamp;
  m.stream_id = cs.stream_id;
  m.chunk_stream_id = cs.id;
  m.payload = payload;
  current_ = NoStream;
  chunk_remaining_ = 0;
  bool ok = true;
  if (m.type == MessageType::SetChunkSize || m.type == MessageType::Abort) {
    ok = control(m);
  } else if (!listener.on_message(m)) {
    if (error_.empty()) error_ = "stopped by listener";
    ok = false;
  }
  release(cs);
  return ok;
}

// Section 5.4.1 and 5.4.2: handled here because they change how chunks are read.
bool ChunkReader::control(const Message& m) {
  if (m.payload.size() < 4) return fail("truncated protocol control message");
  const uint32_t value = be32(m.payload.data());
  if (m.type == MessageType::SetChunkSize) {
    if (value == 0) return fail("chunk size 0 is invalid");
    if (value > limits_.max_chunk_size) {
      return fail("chunk size " + std::to_string(value) + " exceeds limit " +
                  std::to_string(limits_.max_chunk_size));
    }
    chunk_size_ = value;
    return true;
  }
  const size_t i = find_stream(value);
  if (i != NoStream) release(streams_[i]);
  return true;
}

void ChunkReader::release(ChunkStream& cs) {
  buffered_ -= cs.payload.size();
  cs.payload.clear();
  cs.received = 0;
  // Keep the buffer for the next message unless an unusually large one inflated it.
  if (cs.payload.capacity() > (4u << 20)) std::vector<uint8_t>().swap(cs.payload);
}

bool ChunkReader::feed(std::span<const uint8_t> in, Listener& listener) {
  if (!error_.empty()) return false;
  while (!in.empty()) {
    if (current_ == NoStream) {
      const Step step = parse_header(in);
      if (step == Step::NeedMore) return true;
      if (!apply_header(listener)) return false;
      header_size_ = 0;
      continue;
    }
    if (!take_payload(in, listener)) return false;
  }
  return true;
}

}  // namespace rtmp
