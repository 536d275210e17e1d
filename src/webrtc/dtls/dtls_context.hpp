#pragma once
// Shared OpenSSL state for all DTLS transports of the process: one SSL_CTX presenting the
// DtlsCertificate, and the BIO method that turns each OpenSSL write into one datagram.
// Building an SSL_CTX costs milliseconds in OpenSSL 3, so viewers share it; it is immutable
// after create() and SSL_new on it is thread-safe.
#include <memory>

#include "webrtc/dtls/dtls_certificate.hpp"

struct ssl_ctx_st;
struct bio_method_st;

namespace webrtc::dtls {

class DtlsContext {
 public:
  // Startup only: throws std::runtime_error with OpenSSL's reason on failure.
  static std::shared_ptr<const DtlsContext> create(
      std::shared_ptr<const DtlsCertificate> certificate);

  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const DtlsCertificate& certificate() const noexcept { return *certificate_; }
  ssl_ctx_st* native() const noexcept { return ctx_; }
  const bio_method_st* datagram_sink_method() const noexcept { return sink_; }

 private:
  DtlsContext(std::shared_ptr<const DtlsCertificate> certificate, ssl_ctx_st* ctx,
              bio_method_st* sink) noexcept
      : certificate_(std::move(certificate)), ctx_(ctx), sink_(sink) {}

  std::shared_ptr<const DtlsCertificate> certificate_;
  ssl_ctx_st* ctx_;
  bio_method_st* sink_;
};

}  // namespace webrtc::dtls
