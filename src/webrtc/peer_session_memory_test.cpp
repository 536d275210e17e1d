// Heap bytes a connected viewer keeps (issue 8: at most 64 KB per viewer). Counts glibc's
// allocated bytes (mallinfo2) around N sessions taken through ICE and an in-memory DTLS
// handshake, with the client side freed before measuring, and prints where the bytes go.
// Sanitizers replace malloc, so the figures only mean something in a plain build.
#include <malloc.h>

#include <gtest/gtest.h>

#include <cstdio>

#include "webrtc/peer_session.hpp"
#include "webrtc/stun/stun_writer.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define AIRCLASS_NO_MALLINFO 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIRCLASS_NO_MALLINFO 1
#endif
#endif

namespace {

using namespace webrtc;
using Clock = std::chrono::steady_clock;

constexpr size_t kViewers = 20;
constexpr size_t kMaxBytesPerViewer = 64 * 1024;

long long heap_bytes() {
  return static_cast<long long>(mallinfo2().uordblks);
}

class Capture : public DatagramSink {
 public:
  void send_datagram(std::span<const uint8_t> bytes, const TransportAddress&) override {
    out.emplace_back(bytes.begin(), bytes.end());
  }
  std::vector<std::vector<uint8_t>> out;
};

struct Server {
  std::shared_ptr<const dtls::DtlsCertificate> cert =
      dtls::DtlsCertificate::generate(std::chrono::system_clock::now());
  std::shared_ptr<const dtls::DtlsCertificate> client_cert =
      dtls::DtlsCertificate::generate(std::chrono::system_clock::now());
  std::shared_ptr<const dtls::DtlsContext> context = dtls::DtlsContext::create(cert);
  std::shared_ptr<const dtls::DtlsContext> client_context = dtls::DtlsContext::create(client_cert);
  std::shared_ptr<PacketHistory> video = std::make_shared<PacketHistory>();
  std::shared_ptr<PacketHistory> audio = std::make_shared<PacketHistory>();
  PacketizedFramePtr keyframe =
      VideoTrackPacketizer(0x9999, 0, 0).packetize(*test::h264_frame(true, 0, 3000));
};

PeerSessionConfig viewer_config(const Server& s, const ice::IceCredentials& local,
                                const ice::IceCredentials& remote) {
  PeerSessionConfig c;
  c.local_ice = local;
  c.remote_ice = remote;
  c.dtls_context = s.context;
  c.remote_fingerprint = s.client_cert->fingerprint();
  c.video = {.payload_type = 102,
             .ssrc = 1,
             .rtx_payload_type = 103,
             .rtx_ssrc = 2,
             .initial_seq = 0,
             .initial_rtx_seq = 0};
  c.audio = TrackSenderConfig{.payload_type = 111, .ssrc = 3, .rtx_payload_type = {}};
  c.cname = "viewer-cname-0123456789";
  return c;
}

// Builds a session and runs it through the STUN check and the DTLS handshake; reports the heap
// growth after each step through `steps` (construct, ICE, handshake).
[[maybe_unused]] std::unique_ptr<PeerSession> connect(const Server& s, Capture& sink, uint16_t port,
                                                      std::array<long long, 4>& steps) {
  const auto local = *ice::IceCredentials::generate();
  const auto remote = *ice::IceCredentials::generate();
  const auto client = TransportAddress::ipv4({127, 0, 0, 1}, port);
  long long before = heap_bytes();
  auto session = std::make_unique<PeerSession>(viewer_config(s, local, remote), sink, s.video,
                                               s.audio, Clock::now());
  steps[0] += heap_bytes() - before;
  auto feed = [&](std::vector<uint8_t> bytes) {
    session->on_datagram(bytes, client, Clock::now(), std::chrono::system_clock::now());
  };
  const std::string username = local.ufrag + ":" + remote.ufrag;
  auto request = stun::StunWriter::binding_request(
      stun::TransactionId{7},
      {.username = username, .priority = 100, .controlling = true, .use_candidate = true},
      std::span(reinterpret_cast<const uint8_t*>(local.pwd.data()), local.pwd.size()));
  before = heap_bytes();
  feed(std::move(request));
  sink.out.clear();
  sink.out.shrink_to_fit();
  steps[1] += heap_bytes() - before;

  before = heap_bytes();
  {
    dtls::DtlsConfig cc;
    cc.role = dtls::DtlsRole::Client;
    cc.remote_fingerprint = s.cert->fingerprint();
    dtls::DtlsTransport dtls_client(s.client_context, cc);  // freed before measuring
    dtls_client.start();
    for (int round = 0; round < 20 && !session->ready(); ++round) {
      for (auto& d : dtls_client.take_outgoing())
        feed(d);
      for (auto& d : std::exchange(sink.out, {})) {
        if (dtls::DtlsTransport::is_dtls(d)) dtls_client.feed(d);
      }
    }
  }
  sink.out.clear();
  sink.out.shrink_to_fit();
  steps[2] += heap_bytes() - before;
  // The first media packet: SRTP keeps per-SSRC state.
  before = heap_bytes();
  session->send_video(s.keyframe, std::chrono::steady_clock::now());
  sink.out.clear();
  sink.out.shrink_to_fit();
  steps[3] += heap_bytes() - before;
  return session;
}

#ifndef AIRCLASS_NO_MALLINFO
TEST(PeerSessionMemory, ConnectedViewerKeepsAtMost64KiB) {
  Server server;
  Capture sink;
  std::vector<std::unique_ptr<PeerSession>> sessions;
  sessions.reserve(kViewers);
  std::array<long long, 4> steps{};
  // One warm-up viewer: OpenSSL and libsrtp allocate process-wide tables on first use.
  {
    std::array<long long, 4> ignored{};
    auto warm = connect(server, sink, 40000, ignored);
    ASSERT_TRUE(warm && warm->ready());
  }
  const long long before = heap_bytes();
  for (size_t i = 0; i < kViewers; ++i) {
    sessions.push_back(connect(server, sink, static_cast<uint16_t>(40001 + i), steps));
    ASSERT_TRUE(sessions.back()->ready());
  }
  const long long per_viewer = (heap_bytes() - before) / static_cast<long long>(kViewers);
  const auto n = static_cast<long long>(kViewers);
  std::printf(
      "per viewer: %lld bytes heap (sizeof PeerSession %zu, TrackSender %zu); construct %lld, "
      "ICE check %lld, DTLS handshake + SRTP %lld, first media %lld\n",
      per_viewer, sizeof(PeerSession), sizeof(TrackSender), steps[0] / n, steps[1] / n,
      steps[2] / n, steps[3] / n);

  // The two SRTP directions on their own, keyed like a viewer's.
  const std::vector<uint8_t> key(16, 1), salt(12, 2);
  const long long s0 = heap_bytes();
  {
    std::vector<std::unique_ptr<srtp::SrtpSession>> srtp;
    for (size_t i = 0; i < kViewers; ++i) {
      srtp.push_back(srtp::SrtpSession::create(srtp::SrtpProfile::AeadAes128Gcm,
                                               srtp::SrtpDirection::Outbound, key, salt));
      srtp.push_back(srtp::SrtpSession::create(srtp::SrtpProfile::AeadAes128Gcm,
                                               srtp::SrtpDirection::Inbound, key, salt));
    }
    std::printf("SRTP out + in: %lld bytes per viewer\n", (heap_bytes() - s0) / n);
  }
  EXPECT_LE(per_viewer, static_cast<long long>(kMaxBytesPerViewer));
}
#endif

}  // namespace
