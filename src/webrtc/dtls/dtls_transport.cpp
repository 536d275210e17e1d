#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/dtls/detail/evp_digest.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <utility>

#include "base/datagram_kind.hpp"

namespace webrtc::dtls {
namespace {

// RFC 5764 4.2 label; the exporter output is client key | server key | client salt | server salt.
constexpr char ExporterLabel[] = "EXTRACTOR-dtls_srtp";
constexpr size_t SrtpKeyLength = 16;
constexpr size_t CmSaltLength = 14;   // RFC 3711 8.2
constexpr size_t GcmSaltLength = 12;  // RFC 7714 12
// SSL_read chunk and rounds per datagram: a datagram holds at most MaxDatagramSize bytes.
constexpr size_t ReadChunk = 4096;
constexpr int MaxReadRounds = 8;

const char* openssl_profile_name(uint16_t id) noexcept {
  switch (id) {
    case SrtpAes128CmHmacSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
    case SrtpAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    default:
      return nullptr;
  }
}

size_t salt_length(uint16_t id) noexcept {
  return id == SrtpAeadAes128Gcm ? GcmSaltLength : CmSaltLength;
}

bool certificate_matches(X509* cert, const Fingerprint& expected) noexcept {
  if (!cert || expected.empty()) return false;
  std::array<uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (X509_digest(cert, detail::evp_md(expected.algorithm()), md.data(), &len) != 1) return false;
  auto actual = Fingerprint::from_digest(expected.algorithm(), {md.data(), len});
  return actual && *actual == expected;
}

}  // namespace

// OpenSSL's C callbacks reach the transport's private state through this.
struct DtlsTransportAccess {
  static DtlsTransport* from(SSL* ssl) noexcept {
    return static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  }

  // Browsers present self-signed certificates; the only trust anchor is the SDP fingerprint
  // (RFC 8122 5, RFC 8827 6.5), so chain errors are waived and the leaf must match it.
  static int verify(int /*preverify_ok*/, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    DtlsTransport* self = ssl ? from(ssl) : nullptr;
    if (!self) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // the leaf decides
    if (certificate_matches(X509_STORE_CTX_get_current_cert(store),
                            self->config_.remote_fingerprint)) {
      return 1;
    }
    self->fingerprint_mismatch_ = true;
    return 0;
  }

  // Retransmission back-off (RFC 6347 4.2.4.1): initial, doubled per expiry, capped.
  static unsigned int timer(SSL* ssl, unsigned int previous_us) {
    DtlsTransport* self = from(ssl);
    const auto initial = std::chrono::microseconds(self->config_.initial_timeout).count();
    const auto max = std::chrono::microseconds(self->config_.max_timeout).count();
    if (previous_us == 0) return static_cast<unsigned int>(initial);
    return static_cast<unsigned int>(std::min<long long>(2LL * previous_us, max));
  }
};

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsContext> context, DtlsConfig config)
    : context_(std::move(context)), config_(std::move(config)) {
  sink_.mtu = config_.mtu;
  if (!setup()) {
    if (failure_reason_.empty()) fail_from_openssl("setup");
  }
}

DtlsTransport::~DtlsTransport() {
  SSL_free(ssl_);
}

bool DtlsTransport::setup() noexcept {
  ERR_clear_error();
  if (!context_) {
    fail("setup: no DTLS context");
    return false;
  }
  const auto initial_us = std::chrono::microseconds(config_.initial_timeout).count();
  const auto max_us = std::chrono::microseconds(config_.max_timeout).count();
  // OpenSSL treats a remaining time under 15 ms as already expired, so a shorter initial
  // timeout would retransmit in a loop inside one call until the handshake fails.
  if (initial_us < 20'000 || max_us < initial_us || max_us > 60'000'000) {
    fail("setup: retransmission timeouts out of range");
    return false;
  }
  std::string profiles;
  for (uint16_t id : config_.srtp_profiles) {
    const char* name = openssl_profile_name(id);
    if (!name) {
      fail("setup: unsupported SRTP profile " + std::to_string(id));
      return false;
    }
    if (!profiles.empty()) profiles += ':';
    profiles += name;
  }
  if (profiles.empty()) {
    fail("setup: no SRTP profile configured");
    return false;
  }

  ssl_ = SSL_new(context_->native());
  if (!ssl_) return false;
  SSL_set_app_data(ssl_, this);
  rbio_ = BIO_new(BIO_s_mem());
  BIO* wbio = new_datagram_sink_bio(context_->datagram_sink_method(), &sink_);
  if (!rbio_ || !wbio) {
    BIO_free(rbio_);
    BIO_free(wbio);
    rbio_ = nullptr;
    return false;
  }
  BIO_set_mem_eof_return(rbio_, -1);  // empty means "wait for more", not end of stream
  SSL_set_bio(ssl_, rbio_, wbio);

  SSL_set_verify(ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                 &DtlsTransportAccess::verify);
  // Unlike most of OpenSSL, SSL_set_tlsext_use_srtp returns 0 on success.
  if (SSL_set_tlsext_use_srtp(ssl_, profiles.c_str()) != 0) return false;
  SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
  if (!DTLS_set_link_mtu(ssl_, static_cast<long>(config_.mtu)) ||
      !SSL_set_mtu(ssl_, static_cast<long>(config_.mtu))) {
    fail("setup: MTU " + std::to_string(config_.mtu) + " rejected by OpenSSL");
    return false;
  }
  DTLS_set_timer_cb(ssl_, &DtlsTransportAccess::timer);
  if (config_.role == DtlsRole::Server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  return true;
}

bool DtlsTransport::is_dtls(std::span<const uint8_t> datagram) noexcept {
  return base::classify_datagram(datagram) == base::DatagramKind::Dtls;
}

void DtlsTransport::start() noexcept {
  if (state_ != DtlsState::New) return;
  state_ = DtlsState::Handshaking;
  drive_handshake();
}

void DtlsTransport::feed(std::span<const uint8_t> datagram) noexcept {
  const bool accepting = state_ == DtlsState::Handshaking || state_ == DtlsState::Connected ||
                         (state_ == DtlsState::New && config_.role == DtlsRole::Server);
  if (!accepting || !is_dtls(datagram) || datagram.size() > MaxDatagramSize) {
    ++ignored_datagrams_;
    return;
  }
  if (released()) {
    on_released_input(datagram);
    return;
  }
  if (state_ == DtlsState::New) state_ = DtlsState::Handshaking;
  ERR_clear_error();
  if (BIO_write(rbio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    fail("feed: memory BIO write failed");
    return;
  }
  if (state_ == DtlsState::Handshaking) drive_handshake();
  if (released()) return;  // the handshake just ended and the SSL object went with it
  if (state_ == DtlsState::Connected) drain_application_data();
  // DTLS reads a whole datagram per record-layer read; anything left was refused with the
  // datagram (e.g. after a failure). Drop it so the BIO never grows.
  if (BIO_ctrl_pending(rbio_) > 0) (void)BIO_reset(rbio_);
}

void DtlsTransport::drive_handshake() noexcept {
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    on_handshake_done();
    return;
  }
  const int error = SSL_get_error(ssl_, r);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  fail_from_openssl("handshake", error);
}

bool DtlsTransport::on_handshake_done() noexcept {
  // The verify callback already matched the leaf; check again that a certificate was really
  // presented and matched, since keys must never be released for an unauthenticated peer.
  if (!certificate_matches(SSL_get0_peer_certificate(ssl_), config_.remote_fingerprint)) {
    fail("peer certificate does not match the SDP fingerprint");
    return false;
  }
  const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_);
  const uint16_t id = profile ? static_cast<uint16_t>(profile->id) : 0;
  if (!openssl_profile_name(id)) {
    fail("no common SRTP profile (use_srtp, RFC 5764 4.1.1)");
    return false;
  }
  const size_t k = SrtpKeyLength;
  const size_t s = salt_length(id);
  std::array<uint8_t, 2 * (SrtpKeyLength + CmSaltLength)> material{};
  if (SSL_export_keying_material(ssl_, material.data(), 2 * (k + s), ExporterLabel,
                                 sizeof(ExporterLabel) - 1, nullptr, 0, 0) != 1) {
    fail_from_openssl("key export");
    return false;
  }
  const uint8_t* client_key = material.data();
  const uint8_t* server_key = client_key + k;
  const uint8_t* client_salt = server_key + k;
  const uint8_t* server_salt = client_salt + s;
  const bool server = config_.role == DtlsRole::Server;
  SrtpKeyMaterial keys;
  keys.profile = id;
  keys.local_key.assign(server ? server_key : client_key, (server ? server_key : client_key) + k);
  keys.local_salt.assign(server ? server_salt : client_salt,
                         (server ? server_salt : client_salt) + s);
  keys.remote_key.assign(server ? client_key : server_key, (server ? client_key : server_key) + k);
  keys.remote_salt.assign(server ? client_salt : server_salt,
                          (server ? client_salt : server_salt) + s);
  OPENSSL_cleanse(material.data(), material.size());
  keys_ = std::move(keys);
  state_ = DtlsState::Connected;
  if (config_.release_after_handshake) release();
  return true;
}

void DtlsTransport::release() noexcept {
  // What this call wrote is our last flight (the server's ChangeCipherSpec + Finished): the
  // peer retransmits its own last flight until that arrives (RFC 6347 4.2.4).
  try {
    final_flight_ = sink_.datagrams;
  } catch (const std::bad_alloc&) {
    return;  // keep the SSL object: nothing is lost but memory
  }
  // The close_notify is made now, as the next record of our epoch, and sent by close(). It
  // stays valid: no other record of ours follows it.
  const size_t queued = sink_.datagrams.size();
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
  if (sink_.datagrams.size() == queued + 1) {
    close_notify_ = std::move(sink_.datagrams.back());
    sink_.datagrams.pop_back();
  }
  SSL_free(ssl_);
  ssl_ = nullptr;
  rbio_ = nullptr;
}

void DtlsTransport::on_released_input(std::span<const uint8_t> datagram) noexcept {
  // Without the SSL object no record can be authenticated; only a handshake record (the peer
  // did not get our Finished and repeats its flight) gets an answer, a bounded number of times.
  constexpr uint8_t Alert = 21;  // RFC 6347 4.1 content types
  constexpr uint8_t Handshake = 22;
  if (datagram[0] == Alert) ++alerts_after_release_;
  if (datagram[0] != Handshake || final_flight_resends_ >= MaxFinalFlightResends) {
    ++ignored_datagrams_;
    return;
  }
  ++final_flight_resends_;
  if (sink_.datagrams.size() + final_flight_.size() > DatagramSink::MaxQueued) return;
  try {
    sink_.datagrams.insert(sink_.datagrams.end(), final_flight_.begin(), final_flight_.end());
  } catch (const std::bad_alloc&) {
  }
}

void DtlsTransport::drain_application_data() noexcept {
  // WebRTC media needs no DTLS application data (that is SCTP for data channels, unused
  // here); reading still matters: it consumes close_notify and makes OpenSSL resend its last
  // flight when the peer retransmits Finished (RFC 6347 4.2.4).
  std::array<uint8_t, ReadChunk> buf;
  for (int round = 0; round < MaxReadRounds; ++round) {
    const int r = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
    if (r > 0) {
      app_bytes_dropped_ += static_cast<uint64_t>(r);
      continue;
    }
    const int error = SSL_get_error(ssl_, r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      (void)SSL_shutdown(ssl_);  // answer close_notify (RFC 5246 7.2.1)
      state_ = DtlsState::Closed;
      ERR_clear_error();
      return;
    }
    fail_from_openssl("read", error);
    return;
  }
}

std::vector<std::vector<uint8_t>> DtlsTransport::take_outgoing() noexcept {
  return std::exchange(sink_.datagrams, {});
}

std::optional<DtlsTransport::Clock::time_point> DtlsTransport::next_timeout(
    Clock::time_point now) const noexcept {
  if (state_ != DtlsState::Handshaking || !ssl_) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
  return now + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

void DtlsTransport::handle_timeout(
    Clock::time_point /*now: see the header's clock note*/) noexcept {
  if (state_ != DtlsState::Handshaking) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_) < 0) fail_from_openssl("retransmission");
}

void DtlsTransport::close() noexcept {
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed) return;
  if (state_ == DtlsState::Connected && ssl_) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
  } else if (state_ == DtlsState::Connected && !close_notify_.empty()) {
    try {
      sink_.datagrams.push_back(std::move(close_notify_));
    } catch (const std::bad_alloc&) {
    }
  }
  state_ = DtlsState::Closed;
}

void DtlsTransport::fail(std::string reason) noexcept {
  state_ = DtlsState::Failed;
  failure_reason_ = std::move(reason);
  keys_.reset();
}

void DtlsTransport::fail_from_openssl(const char* where, int ssl_error) noexcept {
  std::string reason = where;
  if (fingerprint_mismatch_) {
    reason += ": peer certificate does not match the SDP fingerprint";
  } else if (const unsigned long e = ERR_peek_error(); e != 0) {
    const char* text = ERR_reason_error_string(e);
    reason += ": ";
    reason += text ? text : "OpenSSL error " + std::to_string(ERR_GET_REASON(e));
  } else {
    reason += ": OpenSSL error without reason (SSL_get_error " + std::to_string(ssl_error) + ")";
  }
  ERR_clear_error();  // the error queue is per thread and shared with other sessions
  fail(std::move(reason));
}

}  // namespace webrtc::dtls
