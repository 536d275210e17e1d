// The per-viewer work for each live packet, exactly as a WebRtcWorker does it: PeerSession ->
// TrackSender (copy into the thread's scratch, rewrite seq/ts/PT/SSRC) -> SrtpSession::protect_rtp
// -> DatagramSink::send_datagram. The PeerSession is really connected (STUN check and a DTLS
// handshake in memory) with the client offering only the profile under test. Sinks:
//   discard  - no I/O: the pure CPU cost of our code plus libsrtp;
//   udp_v4   - Boost.Asio send_to per packet from an IPv4 socket (webrtcLocalUDPAddress
//   0.0.0.0:port); udp_dual - the same from a dual-stack [::] socket to ::ffff:127.0.0.1 (the
//   default ":8189").
// The receiving port on 127.0.0.1 is never read: the kernel drops what its buffer cannot hold.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

#include "alloc_counter.hpp"
#include "egress_fixture.hpp"

namespace {

using namespace webrtc;
using Udp = boost::asio::ip::udp;

enum class SinkMode : uint8_t { Discard, UdpV4, UdpDualStack };

// Mirrors WebRtcWorker::send_datagram and its to_endpoint() (src/app/webrtc_worker.cpp).
Udp::endpoint to_endpoint(const TransportAddress& a, bool v6_socket) {
  std::array<uint8_t, 4> b{};
  std::copy(a.ip_bytes().begin(), a.ip_bytes().end(), b.begin());
  const boost::asio::ip::address_v4 v4(b);
  if (v6_socket)
    return {boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, v4), a.port()};
  return {v4, a.port()};
}

class BenchSink : public bench::ViewerSink {
 public:
  explicit BenchSink(SinkMode mode) : mode_(mode), socket_(loop_) {
    if (mode == SinkMode::Discard) return;
    const bool dual = mode == SinkMode::UdpDualStack;
    v6_socket_ = dual;
    boost::system::error_code ec;
    const Udp::endpoint local(dual ? boost::asio::ip::address(boost::asio::ip::address_v6::any())
                                   : boost::asio::ip::address(boost::asio::ip::address_v4::any()),
                              0);
    socket_.open(local.protocol(), ec);
    if (!ec && dual) socket_.set_option(boost::asio::ip::v6_only(false), ec);
    if (!ec) socket_.set_option(boost::asio::socket_base::send_buffer_size(8 << 20), ec);
    if (!ec) socket_.bind(local, ec);
    if (!ec) socket_.non_blocking(true, ec);
    ok_ = !ec;
  }

  bool ok() const noexcept { return ok_; }
  uint64_t sent() const noexcept { return sent_; }
  uint64_t errors() const noexcept { return errors_; }

 protected:
  void send_live(std::span<const uint8_t> bytes, const TransportAddress& to) override {
    ++sent_;
    if (mode_ == SinkMode::Discard) {
      benchmark::DoNotOptimize(bytes.data());
    } else {
      boost::system::error_code ec;
      socket_.send_to(boost::asio::buffer(bytes.data(), bytes.size()), to_endpoint(to, v6_socket_),
                      0, ec);
      if (ec) ++errors_;
    }
  }

 private:
  SinkMode mode_;
  boost::asio::io_context loop_;
  Udp::socket socket_;
  bool v6_socket_ = false;
  bool ok_ = true;
  uint64_t sent_ = 0;
  uint64_t errors_ = 0;
};

void BM_ViewerSendLoop(benchmark::State& state, uint16_t profile, SinkMode mode) {
  const bench::LoopbackReceiver receiver;
  BenchSink sink(mode);
  if (!receiver.ok() || !sink.ok()) {
    state.SkipWithError("cannot set up loopback sockets");
    return;
  }
  const auto client = TransportAddress::ipv4({127, 0, 0, 1}, receiver.port());
  const bench::DtlsPeers peers;
  auto session = bench::connect_viewer(peers, sink, client, profile);
  if (!session) {
    state.SkipWithError("viewer did not connect with the requested SRTP profile");
    return;
  }
  const auto frames = bench::packetized_stream();
  session->send_video(
      frames.idr,
      std::chrono::steady_clock::now());  // a viewer starts at a keyframe; live P-frames follow
  const uint64_t packets_before = session->stats().video.packets;
  const uint64_t sent_before = sink.sent();
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    session->send_video(frames.p_frame, std::chrono::steady_clock::time_point{});
  }
  const auto packets = static_cast<double>(session->stats().video.packets - packets_before);
  if (sink.sent() - sent_before != session->stats().video.packets - packets_before) {
    state.SkipWithError("not every packet reached the sink (SRTP failure?)");
  }
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  bench::report_per_packet(state, packets, allocs_before);
  state.counters["send_errors"] = static_cast<double>(sink.errors());
}

// Registered by hand so the names read BM_ViewerSendLoop/<profile>/<sink>.
const bool registered = [] {
  const std::pair<const char*, uint16_t> profiles[] = {{"CM", dtls::SrtpAes128CmHmacSha1_80},
                                                       {"GCM", dtls::SrtpAeadAes128Gcm}};
  const std::pair<const char*, SinkMode> sinks[] = {{"discard", SinkMode::Discard},
                                                    {"udp_v4", SinkMode::UdpV4},
                                                    {"udp_dual", SinkMode::UdpDualStack}};
  for (const auto& [sink_name, mode] : sinks) {
    for (const auto& [profile_name, profile] : profiles) {
      const std::string name = std::string("BM_ViewerSendLoop/") + profile_name + "/" + sink_name;
      benchmark::RegisterBenchmark(name.c_str(), BM_ViewerSendLoop, profile, mode);
    }
  }
  return true;
}();

}  // namespace
