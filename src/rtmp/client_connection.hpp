#pragma once
// Client side of one RTMP connection that plays one stream, sans-I/O: bytes in, events and bytes
// out (the mirror of ServerConnection). Plain handshake as client (RTMP spec 1.0, section 5.2),
// connect, createStream, play (section 7.2), protocol control and user control messages, then
// the media messages of the stream. A sub node uses it to pull a stream from the main node.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtmp/message.hpp"

namespace rtmp {

struct ClientOptions {
  std::string app;     // "live"
  std::string stream;  // "stream?jwt=...": the play name, query included (servers read it)
  std::string tc_url;  // "rtmp://host:1935/live"
  std::string flash_ver = "LNX 9,0,124,2";
  double play_start = -1000;  // -1000 (ffmpeg's "live"): live only, never a recording
  uint32_t buffer_ms = 0;     // SetBufferLength after play: a relay wants no server buffering

  uint32_t max_chunk_size = 1u << 20;     // larger Set Chunk Size from the server is an error
  uint32_t max_message_size = 16u << 20;  // a 4K keyframe fits easily
  uint32_t max_chunk_streams = 64;        // concurrent chunk stream ids with partial state
  uint32_t max_amf_depth = 16;            // nesting of AMF0 objects/arrays
  uint32_t out_chunk_size = 4096;         // our Set Chunk Size towards the server
  uint32_t window_ack_size = 2500000;     // announced to the server (section 5.4.4)
};

// The parts of "rtmp://host[:port]/app/name[?query]" a play needs.
struct PlayUrl {
  std::string host;
  uint16_t port = 1935;
  std::string app;
  std::string name;   // without the query
  std::string query;  // without '?'
};
// Nullopt for anything but rtmp:// with a host, an app and a name ("[::1]" hosts accepted).
std::optional<PlayUrl> parse_play_url(std::string_view url);
// Options to play `app_path` ("live/stream") from host:port, with `query` ("jwt=...") on the
// play name, as ffmpeg sends it.
ClientOptions make_play_options(std::string_view host, uint16_t port, std::string_view app_path,
                                std::string_view query);

class ClientConnection {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // NetStream.Play.Start, or PublishNotify after a stop: media messages follow.
    virtual void on_play_start() = 0;
    // The server's publisher went away (UnpublishNotify, Play.Stop/Complete, StreamEOF). The
    // connection stays up; a PublishNotify may start the play again.
    virtual void on_play_stop(std::string_view code, std::string_view description) = 0;
    // Audio (8), video (9) and data (18 onMetaData) messages while playing, in arrival order.
    // The payload is valid only during the call.
    virtual void on_media(const Message& message) = 0;
    // The server refused (connect _error, createStream _error, onStatus with level "error"):
    // e.g. NetStream.Play.StreamNotFound with "a token is required". feed() then returns false.
    virtual void on_error(std::string_view code, std::string_view description) = 0;
    // Any other onStatus, for logging.
    virtual void on_status(std::string_view /*code*/, std::string_view /*description*/) {}
  };

  enum class State { Handshake, Connecting, CreatingStream, Starting, Playing, Failed };

  using RandomFill = std::function<void(std::span<uint8_t>)>;

  // Queues C0+C1 at once: take_output() right after construction.
  ClientConnection(Listener& listener, ClientOptions options, RandomFill random = {});
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Feed received bytes. Returns false on a protocol violation or a refusal: error() says why;
  // the caller closes the connection (after flushing take_output()).
  bool feed(std::span<const uint8_t> bytes);
  const std::string& error() const noexcept;
  State state() const noexcept;

  std::vector<uint8_t> take_output();
  bool has_output() const noexcept;

  // Keepalive: a PingRequest the server answers with a PingResponse (section 7.1.7), so a live
  // but silent upstream still sends bytes. No-op before the handshake is done.
  void send_ping(uint32_t value);

  uint64_t bytes_received() const noexcept;
  uint64_t acknowledgements_sent() const noexcept;
  uint64_t pings_answered() const noexcept;
  uint32_t stream_id() const noexcept;  // from createStream; 0 before

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtmp
