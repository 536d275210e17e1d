#include "webrtc/dtls/dtls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <string>

#include "webrtc/dtls/datagram_sink.hpp"

namespace webrtc::dtls {
namespace {

// ECDSA suites serve our certificate; the RSA ones only let our own test client reach a peer
// with an RSA certificate. AEAD first (RFC 7525 4.2).
constexpr const char* CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

[[noreturn]] void fail(const char* what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  throw std::runtime_error(std::string("dtls context: ") + what + ": " + buf);
}

struct CtxFree {
  void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
struct SinkMethodFree {
  void operator()(bio_method_st* m) const noexcept { free_datagram_sink_method(m); }
};

}  // namespace

std::shared_ptr<const DtlsContext> DtlsContext::create(
    std::shared_ptr<const DtlsCertificate> certificate) {
  if (!certificate) throw std::invalid_argument("dtls context: no certificate");
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(DTLS_method()));
  if (!ctx) fail("SSL_CTX_new");
  // WebRTC mandates DTLS 1.2 (RFC 8827 6.5); 1.0 is obsolete (RFC 8996).
  if (!SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version(ctx.get(), DTLS1_2_VERSION)) {
    fail("protocol version");
  }
  if (!SSL_CTX_use_certificate(ctx.get(), certificate->x509()) ||
      !SSL_CTX_use_PrivateKey(ctx.get(), certificate->private_key()) ||
      !SSL_CTX_check_private_key(ctx.get())) {
    fail("certificate");
  }
  if (!SSL_CTX_set_cipher_list(ctx.get(), CipherList)) fail("cipher list");
  if (!SSL_CTX_set1_groups_list(ctx.get(), "X25519:P-256:P-384")) fail("groups");
  // Each transport is one short-lived association: no resumption, no shared session cache
  // (which would also be shared mutable state between strands). ICE already proved return
  // reachability, so no HelloVerifyRequest cookie round trip (RFC 5764 4.1 allows this).
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE);

  std::unique_ptr<bio_method_st, SinkMethodFree> sink(new_datagram_sink_method());
  if (!sink) fail("BIO_meth_new");
  return std::shared_ptr<const DtlsContext>(
      new DtlsContext(std::move(certificate), ctx.release(), sink.release()));
}

DtlsContext::~DtlsContext() {
  SSL_CTX_free(ctx_);
  free_datagram_sink_method(sink_);
}

}  // namespace webrtc::dtls
