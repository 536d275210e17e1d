#include "auth/es256_key.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace auth {
namespace {

std::string p384_private_pem() {
  EVP_PKEY* key = EVP_EC_gen("P-384");
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(out);
  EVP_PKEY_free(key);
  return pem;
}

TEST(Es256Key, GeneratesMatchingPair) {
  const auto pair = generate_es256_key_pair();
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->private_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(pair->public_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  EXPECT_TRUE(is_es256_private_key(pair->private_pem));
  EXPECT_TRUE(is_es256_public_key(pair->public_pem));
  EXPECT_EQ(es256_public_key_pem(pair->private_pem), pair->public_pem);
  EXPECT_NE(generate_es256_key_pair()->private_pem, pair->private_pem);
}

TEST(Es256Key, RefusesTheWrongKind) {
  const auto pair = generate_es256_key_pair();
  ASSERT_TRUE(pair);
  EXPECT_FALSE(is_es256_private_key(pair->public_pem));
  EXPECT_FALSE(is_es256_public_key(pair->private_pem));
  const auto p384 = p384_private_pem();
  EXPECT_FALSE(is_es256_private_key(p384));
  EXPECT_FALSE(es256_public_key_pem(p384));
  EXPECT_FALSE(is_es256_private_key(""));
  EXPECT_FALSE(is_es256_public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
  std::string truncated = pair->private_pem.substr(0, pair->private_pem.size() / 2);
  EXPECT_FALSE(is_es256_private_key(truncated));
  EXPECT_FALSE(is_es256_private_key(std::string(20000, 'A')));
}

}  // namespace
}  // namespace auth
