#include "webrtc/dtls/dtls_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctime>
#include <stdexcept>

namespace webrtc::dtls {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};

[[noreturn]] void fail(const char* what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  throw std::runtime_error(std::string("dtls certificate: ") + what + ": " + buf);
}

// RFC 5280 4.1.2.2: positive, at most 20 octets; 64 random bits keep certificates of restarted
// processes distinct for peers that cache by issuer and serial.
void set_random_serial(X509* x509) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) fail("RAND_bytes");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;  // never zero, never shorter than the other serials
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x509))) fail("serial");
}

void set_validity(X509* x509, std::chrono::system_clock::time_point now,
                  std::chrono::seconds validity) {
  time_t t = std::chrono::system_clock::to_time_t(now);
  constexpr long OneDay = 24 * 60 * 60;
  if (!X509_time_adj_ex(X509_getm_notBefore(x509), 0, -OneDay, &t) ||
      !X509_time_adj_ex(X509_getm_notAfter(x509), 0, static_cast<long>(validity.count()), &t)) {
    fail("validity");
  }
}

}  // namespace

std::shared_ptr<const DtlsCertificate> DtlsCertificate::generate(
    std::chrono::system_clock::time_point now, std::chrono::seconds validity) {
  ERR_clear_error();
  // P-256: what every browser offers for DTLS and the cheapest handshake signature.
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation");

  std::unique_ptr<X509, X509Free> x509(X509_new());
  if (!x509 || !X509_set_version(x509.get(), X509_VERSION_3)) fail("X509_new");
  set_random_serial(x509.get());
  set_validity(x509.get(), now, validity);

  X509_NAME* name = X509_get_subject_name(x509.get());
  const auto* cn = reinterpret_cast<const unsigned char*>("airclass");
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) ||
      !X509_set_issuer_name(x509.get(), name) || !X509_set_pubkey(x509.get(), key.get()) ||
      !X509_sign(x509.get(), key.get(), EVP_sha256())) {
    fail("sign");
  }

  const int der_len = i2d_X509(x509.get(), nullptr);
  if (der_len <= 0) fail("i2d_X509");
  std::vector<uint8_t> der(static_cast<size_t>(der_len));
  unsigned char* p = der.data();
  if (i2d_X509(x509.get(), &p) != der_len) fail("i2d_X509");
  auto fingerprint = Fingerprint::of_der(HashAlgorithm::Sha256, der);
  if (!fingerprint) fail("fingerprint");

  return std::shared_ptr<const DtlsCertificate>(
      new DtlsCertificate(x509.release(), key.release(), std::move(der), *fingerprint));
}

DtlsCertificate::~DtlsCertificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);
}

}  // namespace webrtc::dtls
