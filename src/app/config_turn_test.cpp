// The TURN relay keys (turnSecret, turnURLs, turnCredentialTTL): syntax, secrecy and the rule
// that the secret and the URLs come together.
#include <gtest/gtest.h>

#include "app/config.hpp"
#include "app/config_test_support.hpp"

namespace app {
namespace {

const std::string kTurnSecret = "coturn-shared-secret-1234";

using test::validate_error;

TEST(ConfigTurn, DefaultsAreOffWithATwelveHourLifetime) {
  Config c;
  EXPECT_TRUE(c.turn_secret.empty());
  EXPECT_TRUE(c.turn_urls.empty());
  EXPECT_EQ(c.turn_credential_ttl, std::chrono::hours(12));
  EXPECT_EQ(validate_error(c), "");
}

TEST(ConfigTurn, ReadFromFileEnvironmentAndCommandLine) {
  auto c =
      parse_config("airclass:\n  turnSecret: " + kTurnSecret +
                       "\n  turnURLs: [\"turn:class.example.org:3478?transport=udp\", "
                       "\"turns:class.example.org:443?transport=tcp\"]\n  turnCredentialTTL: 8h\n",
                   "airclass.yml");
  EXPECT_EQ(c.turn_secret, kTurnSecret);
  EXPECT_EQ(c.turn_urls, (std::vector<std::string>{"turn:class.example.org:3478?transport=udp",
                                                   "turns:class.example.org:443?transport=tcp"}));
  EXPECT_EQ(c.turn_credential_ttl, std::chrono::hours(8));
  EXPECT_EQ(validate_error(c), "");

  Config e;
  apply_environment(e,
                    {{"AIRCLASS_TURN_SECRET", kTurnSecret},
                     {"AIRCLASS_TURN_URLS", "turn:10.0.0.5:3478, turn:10.0.0.5:3478?transport=tcp"},
                     {"AIRCLASS_TURN_CREDENTIAL_TTL", "90m"}});
  EXPECT_EQ(e.turn_urls.size(), 2u);
  EXPECT_EQ(e.turn_urls[1], "turn:10.0.0.5:3478?transport=tcp");
  EXPECT_EQ(e.turn_credential_ttl, std::chrono::minutes(90));
  EXPECT_TRUE(e.warnings.empty());

  apply_setting(e, "turnCredentialTTL", "2h", "--set turnCredentialTTL");
  EXPECT_EQ(e.turn_credential_ttl, std::chrono::hours(2));
}

TEST(ConfigTurn, BadValuesAreRefusedWithoutEchoingTheSecret) {
  Config c;
  try {
    apply_setting(c, "turnSecret", "short-secret", "--set turnSecret");
    FAIL() << "a 12-byte secret was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--set turnSecret: expected empty or a secret of 16 to 1024 bytes (value not shown)");
  }
  EXPECT_THROW(apply_setting(c, "turnSecret", std::string(1025, 's'), ""), ConfigError);
  for (const char* bad : {"stun:stun.example.org:3478", "http://turn.example.org", "turn:",
                          "turn:a b", "turn:user@turn.example.org", "turn.example.org:3478"}) {
    try {
      apply_setting(c, "turnURLs", bad, "--set turnURLs");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("expected a list of up to 8 turn: or turns: URLs"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(apply_setting(c, "turnURLs",
                             "turn:a,turn:b,turn:c,turn:d,turn:e,turn:f,turn:g,"
                             "turn:h,turn:i",
                             ""),
               ConfigError);
  EXPECT_THROW(apply_setting(c, "turnCredentialTTL", "30s", ""), ConfigError);  // < 1 minute
  EXPECT_THROW(apply_setting(c, "turnCredentialTTL", "8d", ""), ConfigError);   // > a week
  EXPECT_THROW(apply_setting(c, "turnCredentialTTL", "90500ms", ""), ConfigError);
  EXPECT_TRUE(c.turn_urls.empty());
}

TEST(ConfigTurn, SecretAndUrlsComeTogether) {
  Config secret_only;
  secret_only.turn_secret = kTurnSecret;
  EXPECT_NE(validate_error(secret_only).find("airclass.turnSecret is set but airclass.turnURLs"),
            std::string::npos);
  Config urls_only;
  urls_only.turn_urls = {"turn:10.0.0.5:3478"};
  EXPECT_NE(validate_error(urls_only).find("airclass.turnURLs is set but airclass.turnSecret"),
            std::string::npos);
  // Neither message shows the secret.
  EXPECT_EQ(validate_error(secret_only).find(kTurnSecret), std::string::npos);
}

TEST(ConfigTurn, LifetimeShorterThanTheTokenWarns) {
  Config c;
  c.turn_secret = kTurnSecret;
  c.turn_urls = {"turn:10.0.0.5:3478"};
  c.turn_credential_ttl = std::chrono::minutes(10);
  validate(c);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("turnCredentialTTL is shorter than tokenTTL"), std::string::npos);
}

TEST(ConfigTurn, PrintConfigMasksTheSecretAndReadsBack) {
  Config c;
  c.turn_secret = kTurnSecret;
  c.turn_urls = {"turn:10.0.0.5:3478?transport=udp"};
  const auto text = print_config(c);
  EXPECT_EQ(text.find(kTurnSecret), std::string::npos);
  EXPECT_NE(text.find("turnSecret: \"***\""), std::string::npos) << text;
  EXPECT_NE(text.find("turnURLs: [\"turn:10.0.0.5:3478?transport=udp\"]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("turnCredentialTTL: 12h"), std::string::npos) << text;
}

}  // namespace
}  // namespace app
