// The per-viewer send path as WebRtcWorker runs it since issue 8: PeerSession -> TrackSender ->
// SrtpSession::protect_rtp -> app::UdpBatchSender (copy into a preallocated slot), with one
// flush (sendmmsg, up to 64 per call) after each fan-out of a live P-frame to `viewers`
// connected sessions, exactly as WebRtcWorker::on_frame does. Named BM_ViewerSendLoop/<profile>/
// batched/viewers:<n> so that one --benchmark_filter='ViewerSendLoop|Limit' compares it with
// the unbatched path (send_path_bench.cpp) and the limit (limit_bench.cpp).
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc_counter.hpp"
#include "app/udp_batch_sender.hpp"
#include "egress_fixture.hpp"
#include "webrtc/peer_session.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace {

using namespace webrtc;
using Clock = std::chrono::steady_clock;

// Captures (handshake) or hands to the batch sender (measured loop).
class BatchSink : public DatagramSink {
 public:
  BatchSink() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    const int size = 8 << 20;  // as WebRtcWorker
    if (fd_ >= 0) ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    batch_ = std::make_unique<app::UdpBatchSender>(fd_, false);
  }
  ~BatchSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const noexcept { return fd_ >= 0; }
  void set_capture(bool capture) noexcept { capture_ = capture; }
  std::vector<std::vector<uint8_t>> take() { return std::exchange(captured_, {}); }
  app::UdpBatchSender& batch() { return *batch_; }

  void send_datagram(std::span<const uint8_t> bytes, const TransportAddress& to) override {
    if (capture_)
      captured_.emplace_back(bytes.begin(), bytes.end());
    else
      batch_->add(bytes, to);
  }

 private:
  int fd_;
  std::unique_ptr<app::UdpBatchSender> batch_;
  bool capture_ = true;
  std::vector<std::vector<uint8_t>> captured_;
};

struct Server {
  std::shared_ptr<const dtls::DtlsCertificate> cert =
      dtls::DtlsCertificate::generate(std::chrono::system_clock::now());
  std::shared_ptr<const dtls::DtlsCertificate> client_cert =
      dtls::DtlsCertificate::generate(std::chrono::system_clock::now());
  std::shared_ptr<const dtls::DtlsContext> context = dtls::DtlsContext::create(cert);
  std::shared_ptr<const dtls::DtlsContext> client_context = dtls::DtlsContext::create(client_cert);
};

std::unique_ptr<PeerSession> connect_viewer(const Server& s, BatchSink& sink,
                                            const TransportAddress& client, uint16_t profile) {
  const auto local = *ice::IceCredentials::generate();
  const auto remote = *ice::IceCredentials::generate();
  PeerSessionConfig c;
  c.local_ice = local;
  c.remote_ice = remote;
  c.dtls_context = s.context;
  c.remote_fingerprint = s.client_cert->fingerprint();
  c.video = {.payload_type = 102,
             .ssrc = 0x1111,
             .rtx_payload_type = 103,
             .rtx_ssrc = 0x2222,
             .initial_seq = 10,
             .initial_rtx_seq = 20};
  c.cname = "bench";
  auto session = std::make_unique<PeerSession>(c, sink, std::make_shared<PacketHistory>(), nullptr,
                                               Clock::now());
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
  cc.remote_fingerprint = s.cert->fingerprint();
  cc.srtp_profiles = {profile};
  dtls::DtlsTransport dtls_client(s.client_context, cc);
  dtls_client.start();
  for (int round = 0; round < 20 && !session->ready(); ++round) {
    for (auto& d : dtls_client.take_outgoing())
      feed(d);
    for (auto& d : sink.take()) {
      if (dtls::DtlsTransport::is_dtls(d)) dtls_client.feed(d);
    }
  }
  const auto& keys = dtls_client.srtp_keys();
  if (!session->ready() || !keys || keys->profile != profile) return nullptr;
  session->take_keyframe_request();
  return session;
}

void BM_ViewerSendLoopBatched(benchmark::State& state, uint16_t profile, size_t viewers) {
  const bench::LoopbackReceiver receiver;
  BatchSink sink;
  if (!receiver.ok() || !sink.ok()) {
    state.SkipWithError("cannot set up loopback sockets");
    return;
  }
  const Server server;
  const auto client = TransportAddress::ipv4({127, 0, 0, 1}, receiver.port());
  std::vector<std::unique_ptr<PeerSession>> sessions;
  for (size_t i = 0; i < viewers; ++i) {
    sessions.push_back(connect_viewer(server, sink, client, profile));
    if (!sessions.back()) {
      state.SkipWithError("viewer did not connect with the requested SRTP profile");
      return;
    }
  }
  sink.take();
  sink.set_capture(false);
  const auto frames = bench::packetized_stream();
  for (auto& s : sessions)
    s->send_video(*frames.idr);
  sink.batch().flush();
  const auto before = sink.batch().counters();
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    for (auto& s : sessions)
      s->send_video(*frames.p_frame);
    sink.batch().flush();  // the end of WebRtcWorker::on_frame's fan-out
  }
  const auto& after = sink.batch().counters();
  const auto sent = after.datagrams - before.datagrams;
  const auto dropped = after.would_block - before.would_block + after.errors - before.errors;
  const auto packets = static_cast<double>(sent + dropped);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  state.counters["ns_per_packet"] =
      benchmark::Counter(packets * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["send_errors"] = static_cast<double>(dropped);
  state.counters["packets_per_syscall"] =
      packets / static_cast<double>(after.syscalls - before.syscalls);
  if (bench::allocations_counted()) {
    state.counters["allocs_per_packet"] =
        static_cast<double>(bench::allocations() - allocs_before) / packets;
  }
}

const bool registered = [] {
  const std::pair<const char*, uint16_t> profiles[] = {{"CM", dtls::SrtpAes128CmHmacSha1_80},
                                                       {"GCM", dtls::SrtpAeadAes128Gcm}};
  for (const size_t viewers : {size_t{1}, size_t{8}}) {
    for (const auto& [profile_name, profile] : profiles) {
      const std::string name = std::string("BM_ViewerSendLoop/") + profile_name +
                               "/batched/viewers:" + std::to_string(viewers);
      benchmark::RegisterBenchmark(name.c_str(), BM_ViewerSendLoopBatched, profile, viewers);
    }
  }
  return true;
}();

}  // namespace
