#include "tls/tls_context_store.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tls/tls_test_support.hpp"

namespace tls {
namespace {

using test::TestPki;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const TlsError& e) {
    return e.what();
  }
  return {};
}

TEST(TlsContext, LoadsAMatchingPairWithModernSettings) {
  TestPki pki;
  const auto c = pki.issue("server");
  auto context = make_server_context(c.cert_file, c.key_file);
  SSL_CTX* ctx = context->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  const auto options = SSL_CTX_get_options(ctx);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Every TLS 1.2 suite offered is ECDHE with an AEAD cipher.
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    if (std::string_view(SSL_CIPHER_get_version(cipher)) == "TLSv1.3") continue;
    const std::string name = SSL_CIPHER_get_name(cipher);
    EXPECT_TRUE(name.starts_with("ECDHE-")) << name;
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << name;
  }
  EXPECT_EQ(certificate_fingerprint(*context).size(), 32u * 3 - 1);
}

TEST(TlsContext, RefusesAKeyOfAnotherCertificate) {
  TestPki pki;
  const auto a = pki.issue("a");
  const auto b = pki.issue("b");
  const auto error = error_of([&] { make_server_context(a.cert_file, b.key_file); });
  EXPECT_NE(error.find("does not belong"), std::string::npos) << error;
  EXPECT_NE(error.find(b.key_file), std::string::npos) << error;
}

TEST(TlsContext, RefusesGarbageMissingAndSwappedFiles) {
  TestPki pki;
  const auto c = pki.issue("server");
  const auto garbage = pki.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n");
  const auto empty = pki.write("empty.pem", "");
  struct Case {
    std::string cert, key, expect;
  };
  for (const auto& t : std::vector<Case>{
           {garbage, c.key_file, "cannot load certificate '" + garbage + "'"},
           {empty, c.key_file, "cannot load certificate '" + empty + "'"},
           {c.cert_file, garbage, "cannot load private key '" + garbage + "'"},
           {c.key_file, c.cert_file, "cannot load certificate"},  // the two files swapped
           {pki.path("absent.crt"), c.key_file, "No such file"},
           {c.cert_file, "", "no private key file"},
           {pki.path(""), c.key_file, "it is a folder"}}) {
    const auto error = error_of([&] { make_server_context(t.cert, t.key); });
    EXPECT_NE(error.find(t.expect), std::string::npos) << "got: " << error;
  }
}

TEST(TlsContext, RefusesAKeyWithAPassphraseWithoutPrompting) {
  TestPki pki;
  const auto c = pki.issue("server");
  EVP_PKEY* key = nullptr;
  {
    BIO* in = BIO_new_file(c.key_file.c_str(), "r");
    key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
  }
  ASSERT_NE(key, nullptr);
  const auto locked = pki.path("locked.key");
  BIO* out = BIO_new_file(locked.c_str(), "w");
  const char pass[] = "secret";
  PEM_write_bio_PrivateKey(out, key, EVP_aes_128_cbc(), nullptr, 0, nullptr,
                           const_cast<char*>(pass));
  BIO_free(out);
  EVP_PKEY_free(key);
  const auto error = error_of([&] { make_server_context(c.cert_file, locked); });
  EXPECT_NE(error.find("without a passphrase"), std::string::npos) << error;
}

TEST(TlsContext, ClientContextNeedsAUsableCaFile) {
  TestPki pki;
  EXPECT_NO_THROW(make_client_context(pki.ca_file()));
  EXPECT_NO_THROW(make_client_context(""));  // the system's store
  const auto garbage = pki.write("bad-ca.pem", "hello");
  EXPECT_NE(error_of([&] { make_client_context(garbage); }).find("cannot load CA file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make_client_context(pki.path("none.pem")); }).find("No such file"),
            std::string::npos);
}

TEST(TlsContextStore, ReloadSwapsAndAFailedReloadKeepsTheOld) {
  TestPki pki;
  const auto first = pki.issue("server");
  TlsContextStore store("API", first.cert_file, first.key_file);
  const auto held = store.current();
  const auto old_print = store.fingerprint();
  ASSERT_FALSE(old_print.empty());

  // certbot renews: new key, new certificate, same paths.
  const auto renewed = pki.issue("renewed");
  std::filesystem::copy_file(renewed.cert_file, first.cert_file,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key_file, first.key_file,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(store.reload(), "");
  EXPECT_NE(store.fingerprint(), old_print);
  EXPECT_NE(store.current(), held);
  EXPECT_EQ(certificate_fingerprint(*held), old_print);  // an open connection keeps its own
  const auto new_print = store.fingerprint();

  // Half-written renewal: a certificate without its key. The old one keeps serving.
  const auto other = pki.issue("other");
  std::filesystem::copy_file(other.cert_file, first.cert_file,
                             std::filesystem::copy_options::overwrite_existing);
  const auto error = store.reload();
  EXPECT_NE(error.find("does not belong"), std::string::npos) << error;
  EXPECT_EQ(store.fingerprint(), new_print);
  std::filesystem::remove(first.key_file);
  EXPECT_NE(store.reload().find("No such file"), std::string::npos);
  EXPECT_EQ(store.fingerprint(), new_print);
}

TEST(TlsContextStore, RefusesToStartOnABadPair) {
  TestPki pki;
  const auto a = pki.issue("a");
  const auto b = pki.issue("b");
  EXPECT_THROW(TlsContextStore("WHEP", a.cert_file, b.key_file), TlsError);
}

}  // namespace
}  // namespace tls
