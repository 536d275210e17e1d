// The limit: what sending the server's packets costs with no server logic at all. Each packet
// of a packetized P-frame is copied into a send buffer (protect works in place and the shared
// packet is read-only), given a new sequence number, protected by libsrtp directly (same
// policy as SrtpSession) and sent with sendmmsg to 127.0.0.1 in batches of 1 or 32.
// The server's BM_ViewerSendLoop divided by this is the efficiency figure of issue 8.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <srtp2/srtp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "egress_fixture.hpp"

namespace {

constexpr size_t kBufferBytes = 1500;

struct RawSrtp {
  explicit RawSrtp(bool gcm) {
    // A second srtp_init (SrtpSession already ran one) reports an error but changes nothing;
    // srtp_create below fails if the kernel really is not up.
    static const srtp_err_status_t init_status = srtp_init();
    (void)init_status;
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    if (gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_any_outbound;
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    std::array<uint8_t, 30> key{};
    for (size_t i = 0; i < key.size(); ++i)
      key[i] = static_cast<uint8_t>(0xa0 + i);
    policy.key = key.data();
    if (srtp_create(&ctx, &policy) != srtp_err_status_ok) ctx = nullptr;
  }
  ~RawSrtp() {
    if (ctx) srtp_dealloc(ctx);
  }
  RawSrtp(const RawSrtp&) = delete;
  RawSrtp& operator=(const RawSrtp&) = delete;

  srtp_t ctx = nullptr;
};

class UdpSocket {
 public:
  UdpSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    const int size = 8 << 20;  // as WebRtcWorker
    if (fd_ >= 0) ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  ~UdpSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

void BM_Limit(benchmark::State& state, bool gcm, size_t batch) {
  const bench::LoopbackReceiver receiver;
  const UdpSocket sender;
  const RawSrtp srtp(gcm);
  const auto frames = bench::packetized_stream();
  if (!receiver.ok() || sender.fd() < 0 || !srtp.ctx || !frames.p_frame) {
    state.SkipWithError("setup failed");
    return;
  }
  const webrtc::PacketizedFrame& frame = *frames.p_frame;

  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(receiver.port());
  std::vector<std::array<uint8_t, kBufferBytes>> buffers(batch);
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> msgs(batch);
  for (size_t i = 0; i < batch; ++i) {
    iov[i].iov_base = buffers[i].data();
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  size_t next = 0;
  uint16_t seq = 0;
  uint64_t errors = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < batch; ++i) {
      const auto packet = frame.packet(next);
      next = next + 1 == frame.count() ? 0 : next + 1;
      uint8_t* buf = buffers[i].data();
      std::memcpy(buf, packet.data(), packet.size());
      buf[2] = static_cast<uint8_t>(seq >> 8);
      buf[3] = static_cast<uint8_t>(seq);
      ++seq;
      int len = static_cast<int>(packet.size());
      if (srtp_protect(srtp.ctx, buf, &len) != srtp_err_status_ok) ++errors;
      iov[i].iov_len = static_cast<size_t>(len);
    }
    for (size_t sent = 0; sent < batch;) {
      const int n =
          ::sendmmsg(sender.fd(), msgs.data() + sent, static_cast<unsigned>(batch - sent), 0);
      if (n <= 0) {
        errors += batch - sent;  // would block: dropped, as the server would
        break;
      }
      sent += static_cast<size_t>(n);
    }
  }
  const auto packets = static_cast<double>(state.iterations() * batch);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  state.counters["ns_per_packet"] =
      benchmark::Counter(packets * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["send_errors"] = static_cast<double>(errors);
}

const bool registered = [] {
  for (const size_t batch : {size_t{1}, size_t{32}}) {
    for (const bool gcm : {false, true}) {
      const std::string name =
          std::string("BM_Limit/") + (gcm ? "GCM" : "CM") + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), BM_Limit, gcm, batch);
    }
  }
  return true;
}();

}  // namespace
