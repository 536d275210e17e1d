#include "egress_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc_counter.hpp"
#include "webrtc/stun/stun_writer.hpp"
#include "webrtc/video_track_packetizer.hpp"

namespace bench {

media::FramePtr h264_access_unit(bool idr, int64_t pts_ms, size_t bytes) {
  auto config = std::make_shared<media::VideoConfig>();
  config->sps = {{0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8}};  // 720p baseline
  config->pps = {{0x68, 0xce, 0x3c, 0x80}};
  config->profile_idc = 0x42;
  config->level_idc = 0x1f;
  config->width = 1280;
  config->height = 720;

  auto f = std::make_shared<media::Frame>();
  f->kind = media::TrackKind::Video;
  f->codec = media::Codec::H264;
  f->keyframe = idr;
  f->dts_ms = pts_ms;
  f->arrival_ns = pts_ms * 1'000'000;
  f->video = std::move(config);
  const auto n = static_cast<uint32_t>(bytes);
  f->data = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  f->data.push_back(idr ? 0x65 : 0x41);  // NAL header: IDR slice / non-IDR slice
  uint32_t x = 0x12345678;               // entropy-coded slice data looks random
  for (size_t i = 1; i < bytes; ++i) {
    x = x * 1664525 + 1013904223;
    f->data.push_back(static_cast<uint8_t>(x >> 24));
  }
  return f;
}

StreamFrames packetized_stream() {
  webrtc::VideoTrackPacketizer packetizer(0x5eed, 1000, 90000);
  StreamFrames s;
  s.idr = packetizer.packetize(*h264_access_unit(true, 0, IdrBytes));
  s.p_frame = packetizer.packetize(*h264_access_unit(false, 33, PFrameBytes));
  return s;
}

LoopbackReceiver::LoopbackReceiver() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  port_ = ntohs(addr.sin_port);
}

LoopbackReceiver::~LoopbackReceiver() {
  if (fd_ >= 0) ::close(fd_);
}

DtlsPeers::DtlsPeers()
    : server_cert(webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now())),
      server_context(webrtc::dtls::DtlsContext::create(server_cert)),
      client_cert(webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now())),
      client_context(webrtc::dtls::DtlsContext::create(client_cert)) {}

void ViewerSink::send_datagram(std::span<const uint8_t> bytes, const webrtc::TransportAddress& to) {
  if (capture_)
    captured_.emplace_back(bytes.begin(), bytes.end());
  else
    send_live(bytes, to);
}

std::unique_ptr<webrtc::PeerSession> connect_viewer(const DtlsPeers& peers, ViewerSink& sink,
                                                    const webrtc::TransportAddress& client,
                                                    uint16_t profile) {
  using namespace webrtc;
  using Clock = std::chrono::steady_clock;
  const auto local = *ice::IceCredentials::generate();
  const auto remote = *ice::IceCredentials::generate();
  PeerSessionConfig config;
  config.local_ice = local;
  config.remote_ice = remote;
  config.dtls_context = peers.server_context;
  config.remote_fingerprint = peers.client_cert->fingerprint();
  config.video = {.payload_type = 102,
                  .ssrc = 0x1111,
                  .rtx_payload_type = 103,
                  .rtx_ssrc = 0x2222,
                  .initial_seq = 10,
                  .initial_rtx_seq = 20};
  config.cname = "bench";
  sink.set_capture(true);
  auto session = std::make_unique<PeerSession>(config, sink, std::make_shared<PacketHistory>(),
                                               nullptr, Clock::now());
  auto feed = [&](std::vector<uint8_t> bytes) {
    session->on_datagram(bytes, client, Clock::now(), std::chrono::system_clock::now());
  };
  const std::string username = local.ufrag + ":" + remote.ufrag;
  feed(stun::StunWriter::binding_request(
      stun::TransactionId{1},
      {.username = username, .priority = 100, .controlling = true, .use_candidate = true},
      std::span(reinterpret_cast<const uint8_t*>(local.pwd.data()), local.pwd.size())));
  dtls::DtlsConfig cc;
  cc.role = dtls::DtlsRole::Client;
  cc.remote_fingerprint = peers.server_cert->fingerprint();
  cc.srtp_profiles = {profile};
  dtls::DtlsTransport dtls_client(peers.client_context, cc);
  dtls_client.start();
  for (int round = 0; round < 20 && !session->ready(); ++round) {
    for (auto& d : dtls_client.take_outgoing())
      feed(d);
    for (auto& d : sink.take_captured()) {
      if (dtls::DtlsTransport::is_dtls(d)) dtls_client.feed(d);
    }
  }
  sink.take_captured();  // unanswered leftovers would reach the next viewer's client
  sink.set_capture(false);
  const auto& keys = dtls_client.srtp_keys();
  if (!session->ready() || !keys || keys->profile != profile) return nullptr;
  session->take_keyframe_request();
  return session;
}

void report_per_packet(benchmark::State& state, double packets, uint64_t allocs_before) {
  state.counters["ns_per_packet"] =
      benchmark::Counter(packets * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (allocations_counted()) {
    state.counters["allocs_per_packet"] =
        static_cast<double>(allocations() - allocs_before) / packets;
  }
}

}  // namespace bench
