// libFuzzer target: one plain handshake, then arbitrary bytes through the chunk reader, AMF0
// commands and control messages, in fragments chosen by the input itself.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtmp/server_connection.hpp"

namespace {

struct NullListener : rtmp::ServerConnection::Listener {
  std::string on_publish(const rtmp::StreamKey&) override { return {}; }
  std::string on_play(const rtmp::StreamKey&) override { return {}; }
  void on_media(const rtmp::Message& m) override { sink += m.payload.size(); }
  void on_stream_closed() override {}
  size_t sink = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NullListener listener;
  rtmp::ServerConnection conn(listener, {}, [](std::span<uint8_t> out) {
    for (auto& b : out)
      b = 0x5a;
  });
  // The first input byte picks the fragment size so reassembly paths get exercised too, and
  // whether the input starts after a plain handshake or is the handshake itself.
  const uint8_t mode = size > 0 ? data[0] : 0;
  if ((mode & 0x80) == 0) {
    std::vector<uint8_t> hello(1 + 2 * 1536, 0);
    hello[0] = 3;
    if (!conn.feed(hello)) return 0;
  }
  const size_t step = 1 + mode % 64;
  for (size_t i = size > 0 ? 1 : 0; i < size; i += step) {
    const size_t n = std::min(step, size - i);
    if (!conn.feed(std::span<const uint8_t>(data + i, n))) break;
    conn.take_output();
  }
  conn.send_media(rtmp::MessageType::Video, 1, std::span<const uint8_t>(data, size), {});
  return 0;
}
