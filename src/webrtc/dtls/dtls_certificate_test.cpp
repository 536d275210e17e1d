#include "webrtc/dtls/dtls_certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>

namespace webrtc::dtls {
namespace {

struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};

TEST(DtlsCertificateTest, SelfSignedEcdsaP256ForThirtyDays) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  auto cert = DtlsCertificate::generate(now);
  ASSERT_TRUE(cert);

  // Re-parse the DER we would send: what the peer sees.
  const unsigned char* p = cert->der().data();
  std::unique_ptr<X509, X509Free> x509(
      d2i_X509(nullptr, &p, static_cast<long>(cert->der().size())));
  ASSERT_TRUE(x509);
  EXPECT_EQ(X509_check_issued(x509.get(), x509.get()), X509_V_OK);
  EVP_PKEY* key = X509_get0_pubkey(x509.get());
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_verify(x509.get(), key), 1);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[32] = {};
  size_t group_len = 0;
  ASSERT_TRUE(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &group_len));
  EXPECT_STREQ(group, "prime256v1");

  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x509.get()), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "airclass");

  // notBefore = now - 1 day, notAfter = now + 30 days.
  time_t t = 1'700'000'000;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(x509.get()), &t), -1);
  time_t before_start = t - 24 * 3600 - 1;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(x509.get()), &before_start), 1);
  time_t day29 = t + 29 * 24 * 3600;
  time_t day31 = t + 31 * 24 * 3600;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x509.get()), &day29), 1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x509.get()), &day31), -1);
}

TEST(DtlsCertificateTest, FingerprintIsSha256OfDerInSdpForm) {
  auto cert = DtlsCertificate::generate(std::chrono::system_clock::now());
  const std::string sdp = cert->fingerprint().to_sdp();
  // "sha-256 " then 32 upper-case hex pairs joined by ':'.
  ASSERT_EQ(sdp.size(), 8u + 32 * 3 - 1) << sdp;
  EXPECT_EQ(sdp.substr(0, 8), "sha-256 ");
  for (size_t i = 8; i < sdp.size(); ++i) {
    const char c = sdp[i];
    if ((i - 8) % 3 == 2) {
      EXPECT_EQ(c, ':') << sdp;
    } else {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'F')) << sdp;
    }
  }
  EXPECT_EQ(cert->fingerprint(), Fingerprint::of_der(HashAlgorithm::Sha256, cert->der()));
  EXPECT_EQ(Fingerprint::parse(sdp), cert->fingerprint());
}

TEST(DtlsCertificateTest, EachCertificateHasItsOwnKeyAndSerial) {
  const auto now = std::chrono::system_clock::now();
  auto a = DtlsCertificate::generate(now);
  auto b = DtlsCertificate::generate(now);
  EXPECT_FALSE(a->fingerprint() == b->fingerprint());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->x509()), X509_get0_serialNumber(b->x509())),
            0);
}

}  // namespace
}  // namespace webrtc::dtls
