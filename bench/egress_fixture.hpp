#pragma once
// What the egress benchmarks share: a realistic 720p H.264 stream cut into the server's shared
// RTP packets, a loopback UDP port that receives (and, unread, drops) what they send, viewers
// really connected through ICE and DTLS-SRTP, and the per-packet counters they report.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "media/frame.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/peer_session.hpp"

namespace bench {

// 1280x720 at 2 Mbit/s and 30 fps: about 8.3 KB per frame on average, an IDR of about 60 KB.
inline constexpr size_t IdrBytes = 60'000;
inline constexpr size_t PFrameBytes = 8'300;

// One H.264 access unit (a single slice NAL unit, AVCC) of `bytes`, at `pts_ms`.
media::FramePtr h264_access_unit(bool idr, int64_t pts_ms, size_t bytes);

// An IDR then a P-frame, packetized by the server's VideoTrackPacketizer.
struct StreamFrames {
  webrtc::PacketizedFramePtr idr;
  webrtc::PacketizedFramePtr p_frame;
};
StreamFrames packetized_stream();

// A UDP socket bound to 127.0.0.1 that nobody reads: the kernel queues what fits its receive
// buffer and drops the rest, so senders pay the full loopback send path at any rate.
class LoopbackReceiver {
 public:
  LoopbackReceiver();
  ~LoopbackReceiver();
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  bool ok() const noexcept { return fd_ >= 0; }
  uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The server's DTLS identity and a browser's, made once per benchmark: certificate generation
// is slow and the server shares one context among all its viewers anyway.
struct DtlsPeers {
  DtlsPeers();
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> server_cert;
  std::shared_ptr<const webrtc::dtls::DtlsContext> server_context;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> client_cert;
  std::shared_ptr<const webrtc::dtls::DtlsContext> client_context;
};

// A benchmarked viewer's sink. While connect_viewer runs, the session's replies are kept for
// the in-memory client; every datagram after that goes to send_live(), the path under test.
class ViewerSink : public webrtc::DatagramSink {
 public:
  void send_datagram(std::span<const uint8_t> bytes, const webrtc::TransportAddress& to) final;
  void set_capture(bool capture) noexcept { capture_ = capture; }
  std::vector<std::vector<uint8_t>> take_captured() { return std::exchange(captured_, {}); }

 protected:
  virtual void send_live(std::span<const uint8_t> bytes, const webrtc::TransportAddress& to) = 0;

 private:
  bool capture_ = false;
  std::vector<std::vector<uint8_t>> captured_;
};

// A PeerSession taken to Connected the way a browser would: ICE check, then a DTLS handshake
// in memory with a client offering only the SRTP `profile`. Its keyframe request is consumed,
// so the caller starts sending at once. Null when it did not connect with that profile.
std::unique_ptr<webrtc::PeerSession> connect_viewer(const DtlsPeers& peers, ViewerSink& sink,
                                                    const webrtc::TransportAddress& client,
                                                    uint16_t profile);

// ns_per_packet (the benchmark's time over `packets`) and, where malloc is counted,
// allocs_per_packet since `allocs_before`.
void report_per_packet(benchmark::State& state, double packets, uint64_t allocs_before);

}  // namespace bench
