#pragma once
// Reassembles RTMP messages from the chunk stream (RTMP spec 1.0, section 5.3). Accepts input in
// fragments of any size; a message that arrives in one chunk inside one fragment is delivered as
// a view into the caller's bytes, others are collected per chunk stream. Set Chunk Size (1) and
// Abort (2) are applied here and not delivered.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtmp/message.hpp"

namespace rtmp {

class ChunkReader {
 public:
  struct Limits {
    uint32_t max_chunk_size = 1u << 20;
    uint32_t max_message_size = 16u << 20;
    uint32_t max_chunk_streams = 64;  // distinct chunk stream ids seen on the connection
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A complete message; the payload is valid only during the call. Return false to stop
    // reading (feed() then returns false with the listener's reason in error()).
    virtual bool on_message(const Message& message) = 0;
  };

  static constexpr uint32_t DefaultChunkSize = 128;  // section 5.4.1

  ChunkReader();
  explicit ChunkReader(Limits limits);

  // Returns false on a protocol violation or when the listener stopped; see error().
  bool feed(std::span<const uint8_t> in, Listener& listener);

  // Changes the largest message accepted from the next message header on (a server raises it
  // once the peer is authorised); `note` ends the error text of a refused length.
  void set_max_message_size(uint32_t size, std::string note = {});
  uint32_t max_message_size() const noexcept { return limits_.max_message_size; }

  uint32_t chunk_size() const noexcept { return chunk_size_; }
  const std::string& error() const noexcept { return error_; }
  // Lets the listener report why it stopped.
  void set_error(std::string error) { error_ = std::move(error); }

 private:
  struct ChunkStream {
    uint32_t id = 0;
    uint32_t timestamp = 0;  // of the message in progress / last message
    uint32_t delta = 0;      // timestamp field of the last header (fmt 3 reuses it)
    uint32_t length = 0;
    uint32_t stream_id = 0;
    uint8_t type = 0;
    bool extended = false;  // last timestamp field was 0xFFFFFF: fmt 3 repeats 4 bytes
    bool has_header = false;
    std::vector<uint8_t> payload;  // collected bytes of the message in progress
    uint32_t received = 0;         // payload bytes of the message in progress
  };

  enum class Step { Done, NeedMore, Error };
  Step parse_header(std::span<const uint8_t>& in);
  size_t header_needed() noexcept;
  bool apply_header(Listener& listener);
  bool take_payload(std::span<const uint8_t>& in, Listener& listener);
  bool deliver(ChunkStream& cs, std::span<const uint8_t> payload, Listener& listener);
  bool control(const Message& message);
  void release(ChunkStream& cs);
  size_t find_stream(uint32_t id) const noexcept;
  bool fail(std::string message);

  Limits limits_;
  uint32_t chunk_size_ = DefaultChunkSize;
  std::vector<ChunkStream> streams_;
  uint8_t header_[18] = {};  // basic (<=3) + message (<=11) + extended timestamp (4)
  size_t header_size_ = 0;
  static constexpr size_t NoStream = ~size_t{0};
  size_t current_ = NoStream;     // index of the chunk stream whose payload is being read
  uint32_t chunk_remaining_ = 0;  // payload bytes left in the current chunk
  uint64_t buffered_ = 0;         // bytes held in partial messages of all chunk streams
  std::string limit_note_;        // why max_message_size is what it is, for the error text
  std::string error_;
};

}  // namespace rtmp
