#pragma once
// TLS contexts for the node's listeners (HTTPS for the API and WHEP, RTMPS) and for its calls to
// other nodes, with modern settings only: TLS 1.2 or 1.3, forward-secret AEAD suites, no
// compression, no renegotiation, the server's suite order (docs/security.md says why).
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace tls {

// Names the file and OpenSSL's reason: "cannot load certificate 'server.crt': no start line".
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// A server context from a PEM certificate chain (leaf first) and its PEM private key. Throws
// TlsError for a missing, unreadable, garbage or encrypted file and for a key that is not the
// certificate's.
ContextPtr make_server_context(const std::string& cert_file, const std::string& key_file);

// A client context that verifies the peer's chain against `ca_file` (PEM, one or more CAs) or,
// when it is empty, the system's trust store. Throws TlsError when the CA file cannot be used.
ContextPtr make_client_context(const std::string& ca_file);

// Makes a client connection check that the peer's certificate is for `host` (a DNS name, or an
// IP address matched against the certificate's IP SANs) and sends it as SNI when it is a name.
// False when OpenSSL refuses the name.
bool expect_peer_name(SSL* ssl, const std::string& host);

// Why a client handshake failed, in words: the certificate check's reason when that was it
// ("certificate verify failed: unable to get local issuer certificate"), else `ec`'s message.
std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec);

// SHA-256 of the context's certificate (DER) as lowercase hex with colons; empty when none.
std::string certificate_fingerprint(boost::asio::ssl::context& context);

}  // namespace tls
