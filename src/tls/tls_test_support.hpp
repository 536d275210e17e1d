#pragma once
// For tests only: a throw-away certificate authority in a temporary folder that issues server
// certificates for 127.0.0.1 and localhost (P-256 keys, valid from an hour ago for a day).
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace tls::test {

struct TestCertificate {
  std::string cert_file;
  std::string key_file;
};

class TestPki {
 public:
  TestPki() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("airclass-tls-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    ca_key_.reset(EVP_EC_gen("P-256"));
    ca_cert_.reset(make_cert(ca_key_.get(), "AIRClass test CA", nullptr, ca_key_.get(), true));
    ca_file_ = write_pem("ca.crt", ca_cert_.get(), nullptr);
  }
  ~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return ca_file_; }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A new key and a certificate for it signed by this CA, as <stem>.crt and <stem>.key.
  TestCertificate issue(const std::string& stem) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        make_cert(key.get(), "localhost", ca_cert_.get(), ca_key_.get(), false), X509_free);
    return {write_pem(stem + ".crt", cert.get(), nullptr),
            write_pem(stem + ".key", nullptr, key.get())};
  }

  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return path(name);
  }

 private:
  static X509* make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* signer, bool ca) {
    static std::atomic<long> serial{1};
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    add_ext(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca) add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (!ca) add_ext(x, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    if (X509_sign(x, signer, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
    return x;
  }
  static void add_ext(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    if (!ext) throw std::runtime_error("bad test certificate extension");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  std::string write_pem(const std::string& name, X509* cert, EVP_PKEY* key) const {
    const auto file = path(name);
    BIO* bio = BIO_new_file(file.c_str(), "w");
    if (!bio) throw std::runtime_error("cannot write " + file);
    const int ok = cert ? PEM_write_bio_X509(bio, cert)
                        : PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    BIO_free(bio);
    if (!ok) throw std::runtime_error("cannot write " + file);
    return file;
  }

  std::filesystem::path dir_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ca_key_{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> ca_cert_{nullptr, X509_free};
  std::string ca_file_;
};

}  // namespace tls::test
