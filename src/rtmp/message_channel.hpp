#pragma once
// The message layer both roles of an RTMP connection share once the handshake is done (RTMP spec
// 1.0, sections 5.3, 5.4, 6.2 and 7.1), sans-I/O: chunked messages in and out, Acknowledgements
// at the peer's window, PingRequests answered, commands parsed, and audio, video, metadata and
// aggregates unpacked while the role wants media. What a command or an event means is left to
// the role (ServerConnection, ClientConnection) through the Listener.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtmp/amf0.hpp"
#include "rtmp/chunk_reader.hpp"
#include "rtmp/chunk_writer.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/message.hpp"

namespace rtmp {

struct Command;

class MessageChannel final : private ChunkReader::Listener {
 public:
  // Outgoing chunk stream ids for protocol control and connection commands (ffmpeg's choice).
  static constexpr uint32_t ControlCsid = 2;
  static constexpr uint32_t CommandCsid = 3;

  struct Config {
    ChunkReader::Limits chunk;
    uint32_t max_amf_depth = 16;
    // Acknowledge each time this many bytes were received, until the peer sets its own window
    // with Window Acknowledgement Size; 0: not before it does.
    uint32_t ack_window = 0;
    // Start of error() when a command does not parse.
    std::string malformed_command = "malformed command";
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // Whether media is wanted now (publishing, playing); what arrives otherwise is dropped.
    virtual bool wants_media() const = 0;
    // Audio (8), video (9), and data (18; type 15 rewritten) named onMetaData or @setDataFrame;
    // aggregates arrive as their sub-messages. The payload is valid only during the call.
    virtual void on_media(const Message& message) = 0;
    // A command (type 20, or 17 without its AMF3 format byte) sent on `message`'s stream.
    // Return false, after fail(), to stop reading.
    virtual bool on_command(const Command& command, const Message& message) = 0;
    // User Control events other than PingRequest, which is answered here.
    virtual void on_user_control(const UserControl& /*event*/) {}
    // Set Peer Bandwidth (section 5.4.5) with a non-zero window.
    virtual void on_peer_bandwidth(uint32_t /*window*/) {}
  };

  MessageChannel(Listener& listener, Config config);
  MessageChannel(const MessageChannel&) = delete;
  MessageChannel& operator=(const MessageChannel&) = delete;

  // Every byte the connection received, handshake included: the acknowledged sequence number
  // counts from the first byte (section 5.4.3).
  void count_received(size_t n) noexcept { received_ += n; }
  // Chunk stream bytes, after the handshake. False on a protocol violation or when the listener
  // stopped: error() says why.
  bool feed(std::span<const uint8_t> bytes);
  // The largest incoming message from the next one on; see ChunkReader::set_max_message_size.
  void set_max_message_size(uint32_t size, std::string note = {}) {
    reader_.set_max_message_size(size, std::move(note));
  }
  // Keeps the first reason; returns false so that callers can `return fail(...)`.
  bool fail(std::string message);
  const std::string& error() const noexcept { return error_; }

  void send_control(MessageType type, std::span<const uint8_t> payload);
  void send_user_control(UserControlEvent event, uint32_t value);
  // Set Chunk Size towards the peer; later messages are chunked with it.
  void send_chunk_size(uint32_t size);
  void send_command(uint32_t chunk_stream_id, uint32_t stream_id, const Command& command);
  void write(uint32_t chunk_stream_id, MessageType type, uint32_t timestamp, uint32_t stream_id,
             std::span<const uint8_t> head, std::span<const uint8_t> body = {});

  // Bytes waiting for the peer. The handshake appends its replies to output() directly.
  std::vector<uint8_t>& output() noexcept { return out_; }
  std::vector<uint8_t> take_output();
  bool has_output() const noexcept { return !out_.empty(); }

  uint64_t bytes_received() const noexcept { return received_; }
  uint64_t acknowledgements_sent() const noexcept { return acks_sent_; }
  uint64_t pings_answered() const noexcept { return pings_answered_; }

 private:
  bool on_message(const Message& m) override;
  bool on_command(const Message& m);
  void on_data(const Message& m);
  bool on_aggregate(const Message& m);
  void on_user_control(const Message& m);

  Listener& listener_;
  std::string malformed_command_;
  ChunkReader reader_;
  ChunkWriter writer_;
  amf0::DecodeLimits amf_limits_;
  std::vector<uint8_t> out_;
  std::string error_;
  uint64_t received_ = 0;
  uint64_t acked_ = 0;
  uint32_t ack_window_;
  uint64_t acks_sent_ = 0;
  uint64_t pings_answered_ = 0;
};

}  // namespace rtmp
