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

namespace {

using namespace webrtc;

// Hands each datagram to the batch sender, as WebRtcWorker::send_datagram does.
class BatchSink : public bench::ViewerSink {
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
  app::UdpBatchSender& batch() { return *batch_; }

 protected:
  void send_live(std::span<const uint8_t> bytes, const TransportAddress& to) override {
    batch_->add(bytes, to);
  }

 private:
  int fd_;
  std::unique_ptr<app::UdpBatchSender> batch_;
};

void BM_ViewerSendLoopBatched(benchmark::State& state, uint16_t profile, size_t viewers) {
  const bench::LoopbackReceiver receiver;
  BatchSink sink;
  if (!receiver.ok() || !sink.ok()) {
    state.SkipWithError("cannot set up loopback sockets");
    return;
  }
  const bench::DtlsPeers peers;
  const auto client = TransportAddress::ipv4({127, 0, 0, 1}, receiver.port());
  std::vector<std::unique_ptr<PeerSession>> sessions;
  for (size_t i = 0; i < viewers; ++i) {
    sessions.push_back(bench::connect_viewer(peers, sink, client, profile));
    if (!sessions.back()) {
      state.SkipWithError("viewer did not connect with the requested SRTP profile");
      return;
    }
  }
  const auto frames = bench::packetized_stream();
  for (auto& s : sessions)
    s->send_video(frames.idr, std::chrono::steady_clock::now());
  sink.batch().flush();
  const auto before = sink.batch().counters();
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    for (auto& s : sessions)
      s->send_video(frames.p_frame, std::chrono::steady_clock::time_point{});
    sink.batch().flush();  // the end of WebRtcWorker::on_frame's fan-out
  }
  const auto& after = sink.batch().counters();
  const auto sent = after.datagrams - before.datagrams;
  const auto dropped = after.would_block - before.would_block + after.errors - before.errors;
  const auto packets = static_cast<double>(sent + dropped);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  bench::report_per_packet(state, packets, allocs_before);
  state.counters["send_errors"] = static_cast<double>(dropped);
  state.counters["packets_per_syscall"] =
      packets / static_cast<double>(after.syscalls - before.syscalls);
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
