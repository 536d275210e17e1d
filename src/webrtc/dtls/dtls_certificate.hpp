#pragma once
// The process's DTLS identity: one self-signed ECDSA P-256 certificate made at startup and
// shared by every transport. Browsers pin it through the SDP fingerprint, never a CA, so the
// name and validity only have to satisfy peers that check them loosely (RFC 8827 6.5).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "webrtc/dtls/fingerprint.hpp"

struct x509_st;
struct evp_pkey_st;

namespace webrtc::dtls {

class DtlsCertificate {
 public:
  static constexpr std::chrono::hours DefaultValidity{24 * 30};

  // Startup only: throws std::runtime_error with OpenSSL's reason on failure. `now` is injected
  // (sans-I/O); notBefore is set a day earlier to tolerate peers with a skewed clock.
  static std::shared_ptr<const DtlsCertificate> generate(
      std::chrono::system_clock::time_point now, std::chrono::seconds validity = DefaultValidity);

  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  // SHA-256 of the DER, for the local SDP: fingerprint().to_sdp() == "sha-256 AB:CD:...".
  const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
  const std::vector<uint8_t>& der() const noexcept { return der_; }

  // Borrowed OpenSSL handles for DtlsContext; owned by this object.
  x509_st* x509() const noexcept { return x509_; }
  evp_pkey_st* private_key() const noexcept { return key_; }

 private:
  DtlsCertificate(x509_st* x509, evp_pkey_st* key, std::vector<uint8_t> der,
                  Fingerprint fingerprint) noexcept
      : x509_(x509), key_(key), der_(std::move(der)), fingerprint_(fingerprint) {}

  x509_st* x509_;
  evp_pkey_st* key_;
  std::vector<uint8_t> der_;
  Fingerprint fingerprint_;
};

}  // namespace webrtc::dtls
