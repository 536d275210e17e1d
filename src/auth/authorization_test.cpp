#include "auth/authorization.hpp"

#include <gtest/gtest.h>

namespace auth {
namespace {

TokenClaims claims(UserType type, std::string path, std::string node = {}) {
  return TokenClaims{"user", type, std::move(path), action_for(type),
                     1000,   4600, "airclass",      std::move(node)};
}

TEST(Authorization, ViewersRead) {
  for (auto type : {UserType::Student, UserType::Teacher, UserType::Monitor, UserType::Node}) {
    const auto c = claims(type, "live/stream");
    EXPECT_EQ(authorize(c, "live/stream", Action::Read), Decision::Ok);
    EXPECT_EQ(authorize(c, "/live/stream/", Action::Read), Decision::Ok);
    EXPECT_EQ(authorize(c, "live/other", Action::Read), Decision::Forbidden);
    EXPECT_EQ(authorize(c, "live/stream", Action::Publish), Decision::Forbidden);
  }
}

TEST(Authorization, PublishIsPathSpecific) {
  const auto c = claims(UserType::Publisher, "live/stream");
  EXPECT_EQ(authorize(c, "live/stream", Action::Publish), Decision::Ok);
  EXPECT_EQ(authorize(c, "live/stream2", Action::Publish), Decision::Forbidden);
  EXPECT_EQ(authorize(c, "live", Action::Publish), Decision::Forbidden);
  EXPECT_EQ(authorize(c, "live/stream", Action::Read), Decision::Forbidden);
}

TEST(Authorization, AnyPathOnlyForReads) {
  const auto monitor = claims(UserType::Monitor, "*");
  EXPECT_EQ(authorize(monitor, "live/room-1", Action::Read), Decision::Ok);
  EXPECT_EQ(authorize(monitor, "live/room-1", Action::Publish), Decision::Forbidden);
  // A request cannot ask for "*" itself, nor for an invalid path.
  EXPECT_EQ(authorize(monitor, "*", Action::Read), Decision::Forbidden);
  EXPECT_EQ(authorize(monitor, "../x", Action::Read), Decision::Forbidden);
  // Hand-built claims that the verifier would never produce are not trusted.
  EXPECT_EQ(authorize(claims(UserType::Student, "*"), "live/stream", Action::Read),
            Decision::Unauthorized);
  auto widened = claims(UserType::Publisher, "*");
  EXPECT_EQ(authorize(widened, "live/stream", Action::Publish), Decision::Unauthorized);
}

TEST(Authorization, NodeBoundTokens) {
  const auto c = claims(UserType::Student, "live/stream", "sub-2");
  EXPECT_EQ(authorize(c, "live/stream", Action::Read, "sub-2"), Decision::Ok);
  EXPECT_EQ(authorize(c, "live/stream", Action::Read, "sub-3"), Decision::Forbidden);
  EXPECT_EQ(authorize(c, "live/stream", Action::Read), Decision::Forbidden);
  // An unbound token works on every node.
  EXPECT_EQ(authorize(claims(UserType::Student, "live/stream"), "live/stream", Action::Read, "x"),
            Decision::Ok);
}

TEST(Authorization, InvalidTokenIsUnauthorized) {
  Verification v;  // default: Missing
  EXPECT_EQ(authorize(v, "live/stream", Action::Read), Decision::Unauthorized);
  v.error = TokenError::Expired;
  v.claims = claims(UserType::Student, "live/stream");
  EXPECT_EQ(authorize(v, "live/stream", Action::Read), Decision::Unauthorized);
  v.error = TokenError::None;
  EXPECT_EQ(authorize(v, "live/stream", Action::Read), Decision::Ok);
  EXPECT_EQ(authorize(v, "live/x", Action::Read), Decision::Forbidden);
}

TEST(Authorization, HttpStatus) {
  EXPECT_EQ(http_status(Decision::Ok), 200);
  EXPECT_EQ(http_status(Decision::Unauthorized), 401);
  EXPECT_EQ(http_status(Decision::Forbidden), 403);
  EXPECT_EQ(to_string(Decision::Forbidden), "forbidden");
}

TEST(Authorization, BearerToken) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER  abc "), "abc");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token("Bearer "), "");
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(bearer_token("Bearerabc"), "");
  EXPECT_EQ(bearer_token(""), "");
}

}  // namespace
}  // namespace auth
