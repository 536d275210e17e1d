#include "tls/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace tls {
namespace {
namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher, nothing else (no CBC,
// no static RSA, no SHA-1 MACs). TLS 1.3's suites are all AEAD: OpenSSL's defaults stay.
constexpr const char* Tls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's reason for the last failure ("no start line"), clearing its error queue.
std::string openssl_reason() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error())
    last = e;
  if (last == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(last);
  return reason ? reason : "OpenSSL error " + std::to_string(last);
}

// A clear message for the common mistakes before OpenSSL's terser ones.
void check_readable(const std::string& path, const char* what) {
  if (path.empty()) throw TlsError(std::string("no ") + what + " file given");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw TlsError(std::string("cannot read ") + what + " '" + path + "': it is a folder");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    throw TlsError(std::string("cannot read ") + what + " '" + path + "': " + std::strerror(errno));
  }
  std::fclose(f);
}

// The settings every context of the node shares, client or server.
void apply_modern_settings(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(ctx, Tls12Ciphers) != 1)
    throw TlsError("cannot set the TLS 1.2 cipher suites: " + openssl_reason());
}

// An encrypted key must fail with a reason, not prompt on the server's terminal.
int refuse_passphrase(char*, int, int, void*) {
  return 0;
}

EVP_PKEY* read_private_key(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, refuse_passphrase, nullptr);
  BIO_free(bio);
  return key;
}

}  // namespace

ContextPtr make_server_context(const std::string& cert_file, const std::string& key_file) {
  check_readable(cert_file, "certificate");
  check_readable(key_file, "private key");
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  apply_modern_settings(ctx);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    throw TlsError("cannot load certificate '" + cert_file + "': " + openssl_reason());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(read_private_key(key_file),
                                                          EVP_PKEY_free);
  if (!key) {
    throw TlsError("cannot load private key '" + key_file + "': " + openssl_reason() +
                   " (a PEM key without a passphrase is needed)");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    throw TlsError("private key '" + key_file + "' does not belong to certificate '" + cert_file +
                   "': " + openssl_reason());
  }
  return context;
}

ContextPtr make_client_context(const std::string& ca_file) {
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  apply_modern_settings(ctx);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      throw TlsError("cannot load the system's trusted CAs: " + openssl_reason());
    return context;
  }
  check_readable(ca_file, "CA file");
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1)
    throw TlsError("cannot load CA file '" + ca_file + "': " + openssl_reason());
  return context;
}

bool expect_peer_name(SSL* ssl, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
         SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec) {
  if (ssl) {
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK)
      return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
  }
  return ec.message();
}

std::string certificate_fingerprint(ssl::context& context) {
  X509* cert = SSL_CTX_get0_certificate(context.native_handle());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static constexpr char Hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += Hex[md[i] >> 4];
    out += Hex[md[i] & 15];
  }
  return out;
}

}  // namespace tls
