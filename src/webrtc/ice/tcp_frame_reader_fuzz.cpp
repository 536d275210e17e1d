// libFuzzer target for the RFC 4571 frame reader (style rule 10). The first input byte picks a
// chunk size, so the same stream is also cut at every possible segment boundary; every frame is
// written again with the writer and read back, and the reader's invariants are checked.
// Build with clang -fsanitize=fuzzer,address,undefined.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "webrtc/ice/tcp_frame_reader.hpp"
#include "webrtc/ice/tcp_frame_writer.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webrtc::ice;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0];
  const std::span<const uint8_t> stream(data + 1, size - 1);

  // A small bound and buffer reach the oversize path and the buffer's edges quickly.
  TcpFrameReader reader({.max_frame_size = 300, .buffer_size = size_t{302} + data[0]});
  std::vector<uint8_t> again(TcpFrameHeaderSize + 300);
  size_t pos = 0;
  size_t framed = 0;  // bytes consumed as whole frames
  while (pos < stream.size()) {
    const auto room = reader.writable_span();
    if (reader.failed()) {
      check(room.empty() && reader.append(stream.subspan(pos)) == 0 && !reader.error().empty());
      break;
    }
    check(!room.empty());  // drained and not failed: always room for more
    const size_t n = std::min({chunk, room.size(), stream.size() - pos});
    std::memcpy(room.data(), stream.data() + pos, n);
    reader.commit(n);
    pos += n;
    while (const auto frame = reader.next()) {
      check(!frame->empty() && frame->size() <= reader.max_frame_size());
      // The frame sits right behind its length in the input.
      const uint8_t* at = stream.data() + framed;
      check(((size_t{at[0]} << 8) | at[1]) == frame->size());
      check(std::memcmp(at + 2, frame->data(), frame->size()) == 0);
      framed += TcpFrameHeaderSize + frame->size();
      // Writer round trip.
      const size_t written = write_tcp_frame(*frame, again);
      check(written == TcpFrameHeaderSize + frame->size());
      check(std::memcmp(again.data(), at, written) == 0);
    }
    check(reader.failed() || reader.buffered() == pos - framed);
  }
  return 0;
}
