#pragma once
// ES256 (ECDSA P-256 with SHA-256, RFC 7518 3.4) keys as PEM text: the main node signs with the
// private key, sub nodes verify with the public one and so cannot mint tokens themselves.
#include <optional>
#include <string>
#include <string_view>

namespace auth {

struct Es256KeyPair {
  std::string private_pem;  // PKCS#8 "BEGIN PRIVATE KEY"
  std::string public_pem;   // SubjectPublicKeyInfo "BEGIN PUBLIC KEY"
};

// A fresh key pair from OpenSSL's CSPRNG; empty optional if OpenSSL failed.
std::optional<Es256KeyPair> generate_es256_key_pair();

// The public half of a P-256 private key PEM; empty optional if it is not one.
std::optional<std::string> es256_public_key_pem(std::string_view private_pem);

// True only for a PEM private (or public) key on curve P-256. A public key is not a private one
// and vice versa, so a misconfigured node fails at startup, not on the first token.
bool is_es256_private_key(std::string_view pem) noexcept;
bool is_es256_public_key(std::string_view pem) noexcept;

}  // namespace auth
