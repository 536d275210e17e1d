// Overrides (environment, --set), cross-field validation and --print-config, all through the
// key table in config_keys.cpp. The YAML file is read in config_yaml.cpp.
#include "app/config.hpp"

#include <unistd.h>

#include <cctype>

#include <fstream>

#include "app/config_keys.hpp"
#include "app/config_tls.hpp"

namespace app {
namespace {

using config_detail::KeyDef;
using config_detail::ValueError;

// Variables of the test harness, not settings.
constexpr std::string_view kForeignVariables[] = {"AIRCLASS_IN_NETNS", "AIRCLASS_NO_SMOOTHING"};

void apply_text(Config& c, const KeyDef& key, std::string_view value, const std::string& origin) {
  try {
    key.set(c, config_detail::raw_from_text(key, value));
  } catch (const ValueError& e) {
    throw ConfigError(origin + ": " + config_detail::describe(key, e));
  }
}

const KeyDef* resolve(std::string_view key) {
  const auto dot = key.find('.');
  if (dot != std::string_view::npos) {
    const auto section = key.substr(0, dot);
    return section == "airclass" ? config_detail::find_key(section, key.substr(dot + 1)) : nullptr;
  }
  const KeyDef* found = nullptr;
  for (const auto& k : config_detail::key_table()) {
    if (k.name != key) continue;
    if (found) return nullptr;  // the same name in two sections: needs the dotted form
    found = &k;
  }
  return found;
}

bool readable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return in.good() && in.peek() != std::ifstream::traits_type::eof();
}

void check_key_file(const std::string& path, std::string_view key) {
  if (!path.empty() && !readable(path)) {
    throw ConfigError("airclass." + std::string(key) + ": cannot read '" + path + "'");
  }
}

// defaultQuality and studentMaxQuality name a rung only once every source has been applied
// (AIRCLASS_DEFAULT_QUALITY may come before AIRCLASS_RENDITIONS).
void check_quality(const Config& c, const std::string& value, std::string_view key,
                   bool auto_allowed) {
  if (value == "source" || (auto_allowed && value == "auto")) return;
  std::string rungs;
  for (const auto& rung : c.renditions) {
    if (rung.name == value) return;
    rungs += (rungs.empty() ? "" : ", ") + rung.name;
  }
  throw ConfigError("airclass." + std::string(key) + ": '" + value + "' is not " +
                    (auto_allowed ? "auto, " : "") + "source or a rendition (" +
                    (rungs.empty() ? "airclass.renditions is empty" : rungs) + ")");
}

// The token API mints TURN credentials only with both halves: a secret alone hands browsers
// nothing to use, URLs alone hand them a relay that refuses every request.
void check_turn(Config& c) {
  if (!c.turn_secret.empty() && c.turn_urls.empty()) {
    throw ConfigError(
        "airclass.turnSecret is set but airclass.turnURLs is empty (AIRCLASS_TURN_URLS): give "
        "the TURN URLs browsers reach coturn at, e.g. turn:class.example.org:3478");
  }
  if (c.turn_secret.empty() && !c.turn_urls.empty()) {
    throw ConfigError(
        "airclass.turnURLs is set but airclass.turnSecret is empty (AIRCLASS_TURN_SECRET): give "
        "coturn's static-auth-secret, or list TURN servers with fixed credentials in "
        "webrtcICEServers2");
  }
  if (!c.turn_urls.empty() && c.turn_credential_ttl < c.token_ttl) {
    c.warnings.push_back(
        "airclass.turnCredentialTTL is shorter than tokenTTL: a page reconnecting with an older "
        "token answer is refused by the TURN server");
  }
}

}  // namespace

void apply_setting(Config& config, std::string_view key, std::string_view value,
                   std::string_view origin) {
  const std::string where = origin.empty() ? "key '" + std::string(key) + "'" : std::string(origin);
  const KeyDef* def = resolve(key);
  if (!def) {
    std::vector<std::string> full_names, bare_names;
    for (const auto& k : config_detail::key_table()) {
      full_names.push_back(k.full_name());
      bare_names.emplace_back(k.name);
    }
    auto hint = config_detail::suggest(key, full_names);
    const auto dot = key.rfind('.');
    if (hint.empty()) {
      // "airclass.rtmpAddress" or "teacherPassCode": match the name without its section.
      hint = config_detail::suggest(key.substr(dot == key.npos ? 0 : dot + 1), bare_names);
      for (const auto& k : config_detail::key_table()) {
        if (!hint.empty() && k.name == hint && dot != key.npos) hint = k.full_name();
      }
    }
    throw ConfigError(where + ": unknown key '" + std::string(key) + "'" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  apply_text(config, *def, value, where);
}

void apply_environment(Config& config, const std::map<std::string, std::string>& env) {
  std::vector<std::string> env_names;
  for (const auto& k : config_detail::key_table())
    env_names.push_back(k.env_name());
  for (const auto& [name, value] : env) {
    if (!name.starts_with("AIRCLASS_")) continue;
    if (std::find(std::begin(kForeignVariables), std::end(kForeignVariables), name) !=
        std::end(kForeignVariables)) {
      continue;
    }
    const KeyDef* def = nullptr;
    for (const auto& k : config_detail::key_table()) {
      if (k.env_name() == name) def = &k;
    }
    if (def) {
      apply_text(config, *def, value, "environment " + name);
      continue;
    }
    const auto hint = config_detail::suggest(name, env_names);
    config.warnings.push_back("unknown environment variable " + name + " ignored" +
                              (hint.empty() ? "" : "; did you mean " + hint + "?"));
  }
}

std::string default_node_id() {
  char name[256] = {};
  std::string id;
  if (gethostname(name, sizeof name - 1) == 0) {
    for (const char* p = name; *p && id.size() < 64; ++p) {
      const char ch = *p;
      const bool ok =
          std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
      id += ok ? ch : '-';
    }
  }
  return id.empty() ? "airclass" : id;
}

namespace {

// On Redis a node pulls streams from whichever node took the publish, with a read token it
// mints itself: it needs the signing key, not only the public one.
void check_redis(Config& c) {
  if (c.redis_address.empty()) return;
  if (c.mode == NodeMode::Standalone) {
    c.warnings.push_back("airclass.redisAddress is ignored on a standalone node");
    return;
  }
  if (c.token_algorithm == TokenAlgorithm::Es256 && c.token_private_key_file.empty()) {
    throw ConfigError(
        "a cluster on Redis (airclass.redisAddress) with tokenAlgorithm ES256 needs "
        "airclass.tokenPrivateKeyFile on every node: nodes mint the tokens they pull streams "
        "from each other with");
  }
}

}  // namespace

void validate(Config& c) {
  const auto mode = std::string(to_string(c.mode));
  if (c.token_algorithm == TokenAlgorithm::Es256) {
    if (c.mode != NodeMode::Sub && c.token_private_key_file.empty()) {
      throw ConfigError(
          "airclass.tokenAlgorithm ES256 on a " + mode +
          " node needs airclass.tokenPrivateKeyFile (AIRCLASS_TOKEN_PRIVATE_KEY_FILE)");
    }
    if (c.mode == NodeMode::Sub && c.token_private_key_file.empty() &&
        c.token_public_key_file.empty()) {
      throw ConfigError(
          "airclass.tokenAlgorithm ES256 on a sub node needs airclass.tokenPublicKeyFile "
          "(the main node's public key, AIRCLASS_TOKEN_PUBLIC_KEY_FILE)");
    }
  } else {
    if (c.mode == NodeMode::Sub && c.token_secret.empty()) {
      throw ConfigError(
          "airclass.tokenAlgorithm HS256 on a sub node needs airclass.tokenSecret, the main "
          "node's secret (AIRCLASS_TOKEN_SECRET); a random one would never match");
    }
    if (!c.token_private_key_file.empty() || !c.token_public_key_file.empty()) {
      c.warnings.push_back("token key files are ignored with tokenAlgorithm HS256");
    }
  }
  check_redis(c);
  check_key_file(c.token_private_key_file, "tokenPrivateKeyFile");
  check_key_file(c.token_public_key_file, "tokenPublicKeyFile");
  if (c.mode != NodeMode::Standalone && c.cluster_secret.empty()) {
    throw ConfigError("a " + mode +
                      " node needs airclass.clusterSecret (AIRCLASS_CLUSTER_SECRET), the same "
                      "on every node: heartbeats are signed with it");
  }
  check_quality(c, c.default_quality, "defaultQuality", true);
  if (!c.student_max_quality.empty())
    check_quality(c, c.student_max_quality, "studentMaxQuality", false);
  check_turn(c);
  check_tls(c);
  if (c.node_id.empty()) c.node_id = default_node_id();
  if (c.mode == NodeMode::Sub && c.main_url.empty() && c.redis_address.empty()) {
    throw ConfigError(
        "a sub node needs airclass.mainUrl (AIRCLASS_MAIN_URL), e.g. http://main:8000, or "
        "airclass.redisAddress for a cluster on Redis");
  }
}

std::string print_config(const Config& c) {
  std::string out =
      "# AIRClass Live effective configuration (airclass --print-config).\n"
      "# Defaults < file < AIRCLASS_* environment < command line. Secrets show as \"***\".\n";
  std::string_view section = "-";
  std::string_view group;
  for (const auto& k : config_detail::key_table()) {
    const std::string indent = k.section.empty() ? "" : "  ";
    if (k.section != section) {
      section = k.section;
      if (!section.empty()) out += "\n" + std::string(section) + ":";
    }
    if (k.group != group) {
      group = k.group;
      out += "\n" + indent + "# --- " + std::string(group) + " ---\n";
    }
    std::string line = indent + std::string(k.name) + ": " + k.show(c);
    if (line.size() < 40) line.resize(40, ' ');
    out += line + "  # " + std::string(k.description) + "\n";
  }
  return out;
}

std::vector<ConfigKeyInfo> config_keys() {
  std::vector<ConfigKeyInfo> out;
  const Config defaults;
  for (const auto& k : config_detail::key_table()) {
    out.push_back(ConfigKeyInfo{k.full_name(), k.env_name(), std::string(k.description),
                                k.show(defaults), k.secret});
  }
  return out;
}

}  // namespace app
