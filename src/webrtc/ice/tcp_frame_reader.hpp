#pragma once
// Splits the byte stream of an ICE-TCP connection (RFC 6544) into the datagrams it carries:
// each is a 16-bit big-endian length followed by that many bytes (RFC 4571 2). STUN, DTLS, RTP
// and RTCP then go to the same demux as UDP datagrams.
//
// Sans-I/O and allocation-free after construction. The socket layer reads straight into the
// reader's own buffer (writable_span(), then commit(n)), so no frame is copied; next() hands out
// complete frames as views into that buffer.
//
//   for (;;) {
//     auto room = reader.writable_span();              // never empty after a drained next()
//     auto n = co_await socket.async_read_some(asio::buffer(room.data(), room.size()), ...);
//     reader.commit(n);
//     while (auto frame = reader.next()) handle(*frame);  // views die at the next reader call
//     if (reader.failed()) { log(reader.error()); close(); }
//   }
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace webrtc::ice {

class TcpFrameReader {
 public:
  // Why 4096: a browser builds every datagram for a ~1500-byte path MTU (Chrome's DTLS flights,
  // RTCP and STUN stay under ~1280 bytes, and the same packets go out over TCP), so nothing a
  // well-behaved peer sends comes near it; RFC 4571 would allow 65535, but holding up to 64 KiB
  // of a half-received frame for each of hundreds of viewers buys nothing. The margin covers
  // jumbo-frame LANs and loopback paths with large MTUs.
  static constexpr size_t DefaultMaxFrameSize = 4096;
  // Room for several full frames per read, so one read system call can drain a burst.
  static constexpr size_t DefaultBufferSize = 16 * 1024;
  static constexpr size_t HeaderSize = 2;

  struct Limits {
    size_t max_frame_size = DefaultMaxFrameSize;  // 1..65535
    size_t buffer_size = DefaultBufferSize;       // >= max_frame_size + HeaderSize
  };

  enum class Failure : uint8_t { None, ZeroLength, Oversize };

  TcpFrameReader() : TcpFrameReader(Limits{}) {}
  // Out-of-range limits are clamped into range (max_frame_size to 1..65535, buffer_size up to
  // max_frame_size + HeaderSize): the buffer must always hold one whole frame.
  explicit TcpFrameReader(Limits limits);

  // Free space at the end of the buffer for the next socket read. Moves unread bytes to the
  // front first, which invalidates views returned by next(). After next() has returned nullopt
  // without failing, the span holds at least one byte. Empty once failed.
  std::span<uint8_t> writable_span() noexcept;
  // Records that the first `n` bytes of the last writable_span() were filled (clamped to it).
  void commit(size_t n) noexcept;

  // Copies in as many of `bytes` as fit (for callers that do not read into writable_span(),
  // and for tests); returns how many were taken. Call next() until nullopt, then append the
  // rest. Invalidates views returned by next().
  size_t append(std::span<const uint8_t> bytes) noexcept;

  // The next complete frame, without its length prefix, valid until the next call on this
  // reader; nullopt when more bytes are needed or the reader has failed. Writable, because
  // SRTP and SRTCP are decrypted in place, as UDP datagrams are in the socket's buffer.
  std::optional<std::span<uint8_t>> next() noexcept;

  bool failed() const noexcept { return failure_ != Failure::None; }
  Failure failure() const noexcept { return failure_; }
  // "TCP frame of 9000 bytes over the 4096-byte bound", "zero-length TCP frame"; empty when
  // the reader has not failed. Allocates, so call it once, when closing the connection.
  std::string error() const;

  size_t buffered() const noexcept { return end_ - begin_; }  // received, not yet framed
  // Those bytes (after the last frame next() returned), e.g. to hand the stream to another
  // reader. Invalidated like next()'s views.
  std::span<const uint8_t> unread() const noexcept {
    return std::span<const uint8_t>(buffer_).subspan(begin_, end_ - begin_);
  }
  size_t max_frame_size() const noexcept { return max_frame_size_; }
  uint64_t frames() const noexcept { return frames_; }

 private:
  void compact() noexcept;

  size_t max_frame_size_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last received byte
  Failure failure_ = Failure::None;
  size_t bad_length_ = 0;
  uint64_t frames_ = 0;
};

}  // namespace webrtc::ice
