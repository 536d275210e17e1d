#include "auth/token_claims.hpp"

#include <gtest/gtest.h>

#include "auth/token_verifier.hpp"

namespace auth {
namespace {

TEST(TokenClaims, UserTypeAndActionNames) {
  for (auto t : {UserType::Student, UserType::Teacher, UserType::Monitor, UserType::Publisher,
                 UserType::Node})
    EXPECT_EQ(parse_user_type(to_string(t)), t);
  EXPECT_EQ(parse_action("read"), Action::Read);
  EXPECT_EQ(parse_action("publish"), Action::Publish);
  EXPECT_FALSE(parse_user_type("Teacher"));  // exact, lower case
  EXPECT_FALSE(parse_user_type("admin"));
  EXPECT_FALSE(parse_action("write"));
}

TEST(TokenClaims, TokenApiMayOnlyNameViewerTypes) {
  EXPECT_EQ(parse_viewer_type("student"), UserType::Student);
  EXPECT_EQ(parse_viewer_type("teacher"), UserType::Teacher);
  EXPECT_EQ(parse_viewer_type("monitor"), UserType::Monitor);
  EXPECT_FALSE(parse_viewer_type("publisher"));
  EXPECT_FALSE(parse_viewer_type("node"));
  EXPECT_FALSE(parse_viewer_type(""));
}

TEST(TokenClaims, ActionFollowsUserType) {
  EXPECT_EQ(action_for(UserType::Publisher), Action::Publish);
  for (auto t : {UserType::Student, UserType::Teacher, UserType::Monitor, UserType::Node})
    EXPECT_EQ(action_for(t), Action::Read);
  EXPECT_EQ(Grant::make(UserType::Publisher, "obs", "live/stream").action, Action::Publish);
}

TEST(TokenClaims, NormalizePath) {
  EXPECT_EQ(normalize_path("live/stream"), "live/stream");
  EXPECT_EQ(normalize_path("/live/stream/"), "live/stream");
  EXPECT_EQ(normalize_path("live"), "live");
  EXPECT_EQ(normalize_path("room-2.b_c~d"), "room-2.b_c~d");
  EXPECT_EQ(normalize_path("*"), "*");
  for (std::string_view bad : {"", "/", "//", "live//stream", "live/../x", "./live", "live/.",
                               "live stream", "live/str%61m", "live?x", "*/x", "a\nb"})
    EXPECT_FALSE(normalize_path(bad)) << bad;
  EXPECT_TRUE(normalize_path(std::string(MaxPathSize, 'a')));
  EXPECT_FALSE(normalize_path(std::string(MaxPathSize + 1, 'a')));
}

TEST(TokenClaims, CheckGrant) {
  EXPECT_EQ(check_grant(Grant::make(UserType::Student, "alice", "live/stream")), "");
  EXPECT_EQ(check_grant(Grant::make(UserType::Monitor, "wall", "*")), "");
  EXPECT_EQ(check_grant(Grant::make(UserType::Node, "sub-1", "*", "sub-1")), "");

  EXPECT_NE(check_grant(Grant::make(UserType::Student, "", "live/stream")), "");
  EXPECT_NE(check_grant(Grant::make(UserType::Student, std::string(129, 'x'), "live")), "");
  EXPECT_NE(check_grant(Grant::make(UserType::Student, "a\tb", "live")), "");
  EXPECT_NE(check_grant(Grant::make(UserType::Student, "alice", "/live")), "");  // not normalized
  EXPECT_NE(check_grant(Grant::make(UserType::Student, "alice", "*")), "");
  EXPECT_NE(check_grant(Grant::make(UserType::Publisher, "obs", "*")), "");
  EXPECT_NE(check_grant(Grant::make(UserType::Student, "alice", "live", std::string(65, 'n'))), "");
  Grant g = Grant::make(UserType::Student, "alice", "live/stream");
  g.action = Action::Publish;  // a student can never publish
  EXPECT_NE(check_grant(g), "");
  // UTF-8 names are fine (Korean user ids).
  EXPECT_EQ(check_grant(Grant::make(UserType::Student, "\xea\xb9\x80\xec\xb2\xa0\xec\x88\x98",
                                    "live/stream")),
            "");
}

TEST(TokenClaims, MaxQualityIsEmptyOrAShortName) {
  EXPECT_TRUE(valid_quality("720p"));
  EXPECT_TRUE(valid_quality("source"));
  EXPECT_TRUE(valid_quality(std::string(MaxQualitySize, 'z')));
  for (std::string_view bad : {"", "720P", "7 2", "hd-1", "a\n", "\xea\xb9\x80"})
    EXPECT_FALSE(valid_quality(bad)) << bad;
  EXPECT_FALSE(valid_quality(std::string(MaxQualitySize + 1, 'z')));

  Grant g = Grant::make(UserType::Student, "alice", "live/stream");
  EXPECT_EQ(g.max_quality, "");
  EXPECT_EQ(check_grant(g), "");
  g.max_quality = "480p";
  EXPECT_EQ(check_grant(g), "");
  g.max_quality = "480 p";
  EXPECT_EQ(check_grant(g), "max_quality must be 1..16 of a-z and 0-9");
  TokenClaims c{"alice", UserType::Student, "live/stream", Action::Read, 1, 2, "airclass", ""};
  EXPECT_EQ(check_claims(c), "");
  c.max_quality = std::string(17, 'a');
  EXPECT_NE(check_claims(c), "");
}

TEST(TokenClaims, ParseClaims) {
  TokenClaims c;
  ASSERT_EQ(parse_claims(R"({"iss":"airclass","sub":"a","user_type":"monitor","path":"*",)"
                         R"("action":"read","iat":10,"exp":20,"extra":[1,2]})",
                         c),
            TokenError::None);
  EXPECT_EQ(c.user_type, UserType::Monitor);
  EXPECT_EQ(c.path, "*");
  EXPECT_EQ(c.iat, 10);
  EXPECT_EQ(c.exp, 20);
  EXPECT_EQ(c.node, "");
  EXPECT_EQ(c.max_quality, "");
  TokenClaims capped;
  ASSERT_EQ(parse_claims(R"({"iss":"i","sub":"a","user_type":"student","path":"p",)"
                         R"("action":"read","iat":10,"exp":20,"max_quality":"240p"})",
                         capped),
            TokenError::None);
  EXPECT_EQ(capped.max_quality, "240p");

  const std::string base = R"("iss":"airclass","user_type":"student","path":"p","action":"read")";
  EXPECT_EQ(parse_claims("{" + base + R"(,"iat":1,"exp":2})", c), TokenError::MissingClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1})", c), TokenError::MissingClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":1,"iat":1,"exp":2})", c), TokenError::BadClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1,"exp":2.5})", c), TokenError::BadClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":-1,"exp":2})", c), TokenError::BadClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1,"exp":18446744073709551615})", c),
            TokenError::BadClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1,"exp":2,"node":false})", c),
            TokenError::BadClaim);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1,"exp":2,"max_quality":1})", c),
            TokenError::BadMaxQuality);
  EXPECT_EQ(parse_claims("{" + base + R"(,"sub":"a","iat":1,"exp":2,"max_quality":"HD"})", c),
            TokenError::BadMaxQuality);
  EXPECT_EQ(parse_claims("[1]", c), TokenError::Malformed);
  EXPECT_EQ(parse_claims("{", c), TokenError::Malformed);
  EXPECT_EQ(parse_claims("", c), TokenError::Malformed);
  EXPECT_EQ(parse_claims("{\"sub\":\"\xff\"}", c), TokenError::Malformed);  // not UTF-8
}

}  // namespace
}  // namespace auth
