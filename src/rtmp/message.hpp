#pragma once
// RTMP message types and the assembled-message view (RTMP spec 1.0, section 5.4 and 7.1).
#include <cstdint>
#include <span>
#include <string>

namespace rtmp {

enum class MessageType : uint8_t {
  SetChunkSize = 1,
  Abort = 2,
  Acknowledgement = 3,
  UserControl = 4,
  WindowAckSize = 5,
  SetPeerBandwidth = 6,
  Audio = 8,
  Video = 9,
  DataAmf3 = 15,
  SharedObjectAmf3 = 16,
  CommandAmf3 = 17,
  DataAmf0 = 18,
  SharedObjectAmf0 = 19,
  CommandAmf0 = 20,
  Aggregate = 22,
};

// A complete message reassembled from chunks. The payload view is valid only during the
// callback that receives it.
struct Message {
  MessageType type{};
  uint32_t timestamp = 0;  // absolute, milliseconds, 32-bit (wraps after ~49 days)
  uint32_t stream_id = 0;
  uint32_t chunk_stream_id = 0;
  std::span<const uint8_t> payload;
};

// "rtmp://host/app/name?query" splits into app, name and the raw query (kept for auth).
struct StreamKey {
  std::string app;
  std::string name;
  std::string query;
  std::string path() const { return app + "/" + name; }
};

}  // namespace rtmp
