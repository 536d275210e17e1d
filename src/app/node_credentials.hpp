#pragma once
// The node's secrets, made once at start from the config: the token signer (absent on a sub node
// that holds only the ES256 public key), the access policy every way in consults, and the
// passcodes of the token API. What the config leaves unset is generated here, so a node never
// starts open; `generated` lists what a person must be told once.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "auth/access_policy.hpp"
#include "auth/failed_auth_limiter.hpp"
#include "auth/passcode.hpp"
#include "auth/token_signer.hpp"

namespace app {

struct NodeCredentials {
  std::optional<auth::TokenSigner> signer;
  std::optional<auth::AccessPolicy> policy;  // always set by make_node_credentials
  auth::Passcode teacher_passcode{""};
  auth::Passcode class_code{""};  // students need it only when configured
  // classCodes, by normalized path: a class's own code replaces class_code for it.
  std::map<std::string, auth::Passcode, std::less<>> class_codes;
  auth::Passcode admin_key{""};
  std::string publish_password;        // shown to a logged-in teacher as part of the RTMP URL
  std::vector<std::string> generated;  // "teacher passcode: 7KQ2MX9RTA", printed once at start
  // Every check of the secrets above goes through it (app/secret_check.hpp).
  std::shared_ptr<auth::FailedAuthLimiter> failed_auth =
      std::make_shared<auth::FailedAuthLimiter>();
};

// Throws ConfigError when a key file is unreadable or not a P-256 key, or a secret is unusable.
NodeCredentials make_node_credentials(const Config& config);

}  // namespace app
