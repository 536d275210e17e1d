#include "app/node_credentials.hpp"

#include <fstream>
#include <sstream>

#include "auth/es256_key.hpp"

namespace app {
namespace {

std::string read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read key file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > 64 * 1024) throw ConfigError("key file '" + path + "' is too large");
  return text.str();
}

struct Keys {
  auth::Algorithm algorithm = auth::Algorithm::Hs256;
  std::string signing;  // empty: this node cannot issue tokens
  std::string verifying;
};

Keys token_keys(const Config& config, std::vector<std::string>& generated) {
  Keys k;
  if (config.token_algorithm == TokenAlgorithm::Hs256) {
    k.signing = config.token_secret;
    if (k.signing.empty()) {
      k.signing = auth::generate_secret();
      generated.push_back(
          "token secret: generated at random (tokens end when this node restarts; set "
          "airclass.tokenSecret to keep them)");
    }
    k.verifying = k.signing;
    return k;
  }
  k.algorithm = auth::Algorithm::Es256;
  if (!config.token_private_key_file.empty()) {
    k.signing = read_key_file(config.token_private_key_file);
    auto pub = auth::es256_public_key_pem(k.signing);
    if (!pub) {
      throw ConfigError("tokenPrivateKeyFile '" + config.token_private_key_file +
                        "' is not a P-256 private key (PEM)");
    }
    k.verifying = *pub;
  }
  if (!config.token_public_key_file.empty()) {
    k.verifying = read_key_file(config.token_public_key_file);
    if (!auth::is_es256_public_key(k.verifying)) {
      throw ConfigError("tokenPublicKeyFile '" + config.token_public_key_file +
                        "' is not a P-256 public key (PEM)");
    }
  }
  if (k.verifying.empty()) {
    throw ConfigError("tokenAlgorithm ES256 needs tokenPrivateKeyFile or tokenPublicKeyFile");
  }
  return k;
}

std::string configured_or_generated(const std::string& configured, const std::string& what,
                                    std::vector<std::string>& generated) {
  if (!configured.empty()) return configured;
  auto value = auth::generate_passcode(10);
  if (value.empty()) throw ConfigError("the system random generator failed");
  generated.push_back(what + ": " + value);
  return value;
}

}  // namespace

NodeCredentials make_node_credentials(const Config& config) {
  NodeCredentials c;
  const auto keys = token_keys(config, c.generated);
  std::string error;
  if (!keys.signing.empty()) {
    c.signer = auth::TokenSigner::create(
        {keys.algorithm, keys.signing, config.token_issuer, config.token_ttl.count()}, error);
    if (!c.signer) throw ConfigError("token signer: " + error);
  }
  auto verifier =
      auth::TokenVerifier::create({keys.algorithm, keys.verifying, config.token_issuer, 5}, error);
  if (!verifier) throw ConfigError("token verifier: " + error);

  c.publish_password = configured_or_generated(
      config.publish_password, "publish password (rtmp://<host>/<path>?pwd=...)", c.generated);
  c.teacher_passcode = auth::Passcode(configured_or_generated(
      config.teacher_passcode, "teacher passcode (teacher and monitor tokens)", c.generated));
  c.class_code = auth::Passcode(config.class_code);
  for (const auto& [path, code] : config.class_codes) {
    const auto normalized = auth::normalize_path(path);
    if (!normalized || *normalized == auth::AnyPath) {
      throw ConfigError("classCodes: '" + path + "' is not a stream path like live/math");
    }
    c.class_codes.insert_or_assign(*normalized, auth::Passcode(code));
  }
  c.admin_key = auth::Passcode(config.admin_key);
  // Tokens the main node binds to this node (claims.node) are accepted here only.
  c.policy.emplace(std::move(*verifier), auth::Passcode(c.publish_password), config.node_id);
  return c;
}

}  // namespace app
