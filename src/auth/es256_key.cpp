#include "auth/es256_key.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace auth {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

// PEM keys are a few hundred bytes; refuse anything that could not be one before parsing.
constexpr size_t MaxPemSize = 16 * 1024;

Bio read_bio(std::string_view pem) noexcept {
  if (pem.empty() || pem.size() > MaxPemSize) return nullptr;
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

bool is_p256(EVP_PKEY* key) noexcept {
  if (key == nullptr || EVP_PKEY_is_a(key, "EC") != 1) return false;
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) !=
      1)
    return false;
  const std::string_view name(group, len);
  return name == "prime256v1" || name == "P-256" || name == "secp256r1";
}

// Failed parses leave entries on OpenSSL's per-thread error queue, where DTLS code on the same
// thread would later find them; clear them here.
Pkey checked(Pkey key) noexcept {
  if (is_p256(key.get())) return key;
  ERR_clear_error();
  return nullptr;
}

Pkey load_private(std::string_view pem) noexcept {
  const Bio bio = read_bio(pem);
  if (!bio) return nullptr;
  // An empty passphrase as user data stops OpenSSL prompting on the terminal for an encrypted
  // key; such a key then simply fails to load.
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  return checked(std::move(key));
}

Pkey load_public(std::string_view pem) noexcept {
  const Bio bio = read_bio(pem);
  if (!bio) return nullptr;
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  return checked(std::move(key));
}

std::optional<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return std::nullopt;
  return std::string(data, static_cast<size_t>(len));
}

std::optional<std::string> public_pem(EVP_PKEY* key) {
  const Bio out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) return std::nullopt;
  return bio_text(out.get());
}

}  // namespace

std::optional<Es256KeyPair> generate_es256_key_pair() {
  const Pkey key(EVP_EC_gen("P-256"));
  if (!key) return std::nullopt;
  const Bio out(BIO_new(BIO_s_mem()));
  if (!out ||
      PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return std::nullopt;
  auto priv = bio_text(out.get());
  auto pub = public_pem(key.get());
  if (!priv || !pub) return std::nullopt;
  return Es256KeyPair{std::move(*priv), std::move(*pub)};
}

std::optional<std::string> es256_public_key_pem(std::string_view private_pem) {
  const Pkey key = load_private(private_pem);
  if (!key) return std::nullopt;
  return public_pem(key.get());
}

bool is_es256_private_key(std::string_view pem) noexcept {
  return load_private(pem) != nullptr;
}

bool is_es256_public_key(std::string_view pem) noexcept {
  return load_public(pem) != nullptr;
}

}  // namespace auth
