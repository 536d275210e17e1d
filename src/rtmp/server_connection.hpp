#pragma once
// Server side of one RTMP connection, sans-I/O: bytes in, events and bytes out. Handles the
// handshake, the chunk stream in both directions, protocol control messages and the AMF0
// commands of publishers (connect ... publish) and players (connect ... play).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rtmp/message.hpp"

namespace rtmp {

struct ConnectionLimits {
  uint32_t max_chunk_size = 1u << 20;     // larger Set Chunk Size requests are refused
  uint32_t max_message_size = 16u << 20;  // a 4K keyframe fits easily
  // Until a publish or play is accepted only commands arrive (connect and createStream are a few
  // hundred bytes): an unauthorised peer can then pin at most 2 x this in partial messages.
  uint32_t max_message_size_before_start = 64u << 10;
  uint32_t max_chunk_streams = 64;  // concurrent chunk stream ids with partial state
  uint32_t max_amf_depth = 16;      // nesting of AMF0 objects/arrays
  uint32_t out_chunk_size = 60000;  // our Set Chunk Size towards the peer
  uint32_t window_ack_size = 2500000;
};

class ServerConnection {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Return an empty string to accept, or a reason to refuse (sent as onStatus error).
    virtual std::string on_publish(const StreamKey& key) = 0;
    virtual std::string on_play(const StreamKey& key) = 0;
    // Audio (8), video (9) and data (18: @setDataFrame/onMetaData) messages of an accepted
    // publish, in arrival order.
    virtual void on_media(const Message& message) = 0;
    // FCUnpublish, deleteStream or closeStream ended the publish or play.
    virtual void on_stream_closed() = 0;
  };

  enum class State { Handshake, Connecting, Connected, Publishing, Playing, Failed };

  // Fills the random part of the handshake reply; the default uses OpenSSL's RAND_bytes.
  using RandomFill = std::function<void(std::span<uint8_t>)>;

  explicit ServerConnection(Listener& listener, ConnectionLimits limits = {});
  ServerConnection(Listener& listener, ConnectionLimits limits, RandomFill random);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Feed received bytes. Returns false on a protocol violation, or after a refused publish/play
  // (the refusal onStatus is already queued): error() says why and the caller closes the
  // connection after flushing take_output().
  bool feed(std::span<const uint8_t> bytes);
  const std::string& error() const noexcept;
  State state() const noexcept;

  // Bytes waiting to be written to the peer. The caller moves them out and writes them.
  std::vector<uint8_t> take_output();
  bool has_output() const noexcept;

  // Play side: one media message (8, 9 or 18), given as a short header part (FLV tag header)
  // and the body, so that frames need not be copied into one buffer before chunking.
  void send_media(MessageType type, uint32_t timestamp, std::span<const uint8_t> head,
                  std::span<const uint8_t> body);
  // Play side: the publisher went away / came back (onStatus UnpublishNotify / PublishNotify).
  void send_unpublish_notify();
  void send_publish_notify();

  uint64_t bytes_received() const noexcept;
  // The key of the current (or last) publish/play; empty before one was requested.
  const StreamKey& stream_key() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtmp
