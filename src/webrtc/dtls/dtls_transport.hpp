#pragma once
// One DTLS 1.2 association (RFC 6347) for DTLS-SRTP (RFC 5764), sans-I/O: datagrams in through
// feed(), datagrams out through take_outgoing(), timers through next_timeout()/handle_timeout().
// Not thread-safe: it belongs to one peer session's strand.
//
// Clock: OpenSSL 3.0 runs the DTLS retransmission timer on its own gettimeofday() and offers no
// way to inject time (DTLS_set_timer_cb only chooses the durations). next_timeout(now)
// converts OpenSSL's remaining time into the caller's clock; handle_timeout(now) lets OpenSSL
// decide whether its timer expired. With a real steady clock both agree to within the call
// latency; a fake clock alone cannot fast-forward it (dtls_loss_test.cpp moves OpenSSL's
// gettimeofday() with its fake clock). Retransmissions must come from OpenSSL: a flight resent
// byte for byte would repeat record sequence numbers, which a peer that already holds them
// drops as replays (RFC 6347 4.1.2.6), so it would never learn that its own last flight was
// lost (checked in dtls_loss_test.cpp).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "webrtc/dtls/datagram_sink.hpp"
#include "webrtc/dtls/dtls_context.hpp"
#include "webrtc/dtls/fingerprint.hpp"

struct ssl_st;
struct bio_st;

namespace webrtc::dtls {

enum class DtlsRole : uint8_t { Server, Client };
enum class DtlsState : uint8_t { New, Handshaking, Connected, Failed, Closed };

// RFC 5764 4.1.2 / RFC 7714 14.2 ids; srtp::SrtpProfile uses the same numbers.
inline constexpr uint16_t SrtpAes128CmHmacSha1_80 = 0x0001;
inline constexpr uint16_t SrtpAeadAes128Gcm = 0x0007;

// Keying material for SRTP (RFC 5764 4.2), already split by role: "local" protects what we
// send, "remote" unprotects what the peer sends.
struct SrtpKeyMaterial {
  uint16_t profile = 0;
  std::vector<uint8_t> local_key;
  std::vector<uint8_t> local_salt;
  std::vector<uint8_t> remote_key;
  std::vector<uint8_t> remote_salt;
};

struct DtlsConfig {
  DtlsRole role = DtlsRole::Server;
  // From the remote SDP; the handshake fails unless the peer's certificate matches it.
  Fingerprint remote_fingerprint;
  // Client: offered in this order. Server: preference order among what the client offers.
  std::vector<uint16_t> srtp_profiles = {SrtpAeadAes128Gcm, SrtpAes128CmHmacSha1_80};
  // DTLS payload bytes per UDP datagram; no path MTU discovery. 1200 fits IPv6 and tunnels.
  size_t mtu = 1200;
  // First retransmission timeout, doubled per loss up to max (RFC 6347 4.2.4.1 suggests 1 s;
  // WebRTC peers on a LAN benefit from shorter). Valid: initial >= 20 ms, max <= 60 s.
  std::chrono::milliseconds initial_timeout{200};
  std::chrono::milliseconds max_timeout{10000};
  // Frees the OpenSSL object (about 68 KB) once the SRTP keys are exported, keeping only our
  // last flight (resent when the peer repeats its own) and a ready close_notify. Later records
  // from the peer cannot be authenticated: its close_notify is only counted as a hint
  // (alerts_after_release) that the owner confirms by the peer's silence; otherwise the end
  // comes through signalling or ICE consent. Browsers neither renegotiate nor send DTLS data
  // for media.
  bool release_after_handshake = false;
};

class DtlsTransport {
 public:
  using Clock = std::chrono::steady_clock;
  // Per RFC 6347 4.1 a DTLS record carries at most 2^14 + 2048 bytes; bigger datagrams are
  // ignored before OpenSSL sees them.
  static constexpr size_t MaxDatagramSize = 16 * 1024 + 2048;
  // After release: how often our last flight is resent for repeated peer handshake records.
  static constexpr uint32_t MaxFinalFlightResends = 8;

  // Never throws for protocol reasons; if OpenSSL cannot set up the SSL object the transport
  // starts in Failed with the reason.
  DtlsTransport(std::shared_ptr<const DtlsContext> context, DtlsConfig config);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // RFC 7983 demux: a DTLS record starts with a content type in 20..63.
  static bool is_dtls(std::span<const uint8_t> datagram) noexcept;

  // Client: sends the ClientHello. Server: begins listening (feed() also starts it).
  void start() noexcept;
  // One received UDP datagram. Ignored when not DTLS, oversized, or after Failed/Closed.
  void feed(std::span<const uint8_t> datagram) noexcept;
  // Datagrams to send, in order; empties the queue.
  std::vector<std::vector<uint8_t>> take_outgoing() noexcept;
  bool has_outgoing() const noexcept { return !sink_.datagrams.empty(); }
  // When handle_timeout() should next run, or nullopt if no retransmission is pending.
  std::optional<Clock::time_point> next_timeout(Clock::time_point now) const noexcept;
  void handle_timeout(Clock::time_point now) noexcept;
  // Sends close_notify (if connected) and moves to Closed.
  void close() noexcept;

  DtlsRole role() const noexcept { return config_.role; }
  DtlsState state() const noexcept { return state_; }
  const std::string& failure_reason() const noexcept { return failure_reason_; }
  // Set once Connected.
  const std::optional<SrtpKeyMaterial>& srtp_keys() const noexcept { return keys_; }
  uint64_t ignored_datagrams() const noexcept { return ignored_datagrams_; }
  // Alert records (close_notify, most likely) that arrived after release: they cannot be
  // authenticated, so they are only a hint that the peer is leaving.
  uint64_t alerts_after_release() const noexcept { return alerts_after_release_; }
  uint64_t application_bytes_dropped() const noexcept { return app_bytes_dropped_; }
  // True once the OpenSSL object was freed (DtlsConfig::release_after_handshake).
  bool released() const noexcept { return state_ == DtlsState::Connected && !ssl_; }

 private:
  friend struct DtlsTransportAccess;

  bool setup() noexcept;
  void drive_handshake() noexcept;
  void drain_application_data() noexcept;
  void release() noexcept;
  void on_released_input(std::span<const uint8_t> datagram) noexcept;
  bool on_handshake_done() noexcept;
  void fail(std::string reason) noexcept;
  void fail_from_openssl(const char* where, int ssl_error = 0) noexcept;

  std::shared_ptr<const DtlsContext> context_;
  DtlsConfig config_;
  DatagramSink sink_;
  ssl_st* ssl_ = nullptr;
  bio_st* rbio_ = nullptr;  // memory BIO; owned by ssl_
  DtlsState state_ = DtlsState::New;
  std::string failure_reason_;
  std::optional<SrtpKeyMaterial> keys_;
  bool fingerprint_mismatch_ = false;
  std::vector<std::vector<uint8_t>> final_flight_;  // after release
  std::vector<uint8_t> close_notify_;               // after release, until close()
  uint32_t final_flight_resends_ = 0;
  uint64_t ignored_datagrams_ = 0;
  uint64_t alerts_after_release_ = 0;
  uint64_t app_bytes_dropped_ = 0;
};

}  // namespace webrtc::dtls
