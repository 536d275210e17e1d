#include "http/router.hpp"

#include <gtest/gtest.h>

namespace {

http::Request make(http::Verb verb, std::string target) {
  http::Request r{verb, target, 11};
  return r;
}

http::Router test_router() {
  http::Router router;
  router.add(http::Verb::post, "/{path...}/whep", [](const http::RequestContext& c) {
    return http::make_response(c.request, http::Status::created, "text/plain",
                               "whep " + c.params.at("path"));
  });
  router.add(http::Verb::delete_, "/whep/session/{id}", [](const http::RequestContext& c) {
    return http::make_response(c.request, http::Status::ok, "text/plain", c.params.at("id"));
  });
  router.add(http::Verb::post, "/api/token", [](const http::RequestContext& c) {
    std::string body;
    for (const auto& [k, v] : c.query)
      body += k + "=" + v + ";";
    return http::make_response(c.request, http::Status::ok, "text/plain", body);
  });
  return router;
}

}  // namespace

TEST(Router, MatchesRestPatternFromTheEnd) {
  const auto router = test_router();
  auto res = router.dispatch(make(http::Verb::post, "/live/stream/whep?jwt=x"), "1.2.3.4:5", false);
  EXPECT_EQ(res.result(), http::Status::created);
  EXPECT_EQ(res.body(), "whep live/stream");
  res = router.dispatch(make(http::Verb::post, "/a/b/c/whep"), "", false);
  EXPECT_EQ(res.body(), "whep a/b/c");
  res = router.dispatch(make(http::Verb::post, "/whep"), "", false);
  EXPECT_EQ(res.result(), http::Status::not_found);
}

TEST(Router, NamedSegmentsAndMethodNotAllowed) {
  const auto router = test_router();
  auto res = router.dispatch(make(http::Verb::delete_, "/whep/session/abc123"), "", false);
  EXPECT_EQ(res.result(), http::Status::ok);
  EXPECT_EQ(res.body(), "abc123");
  res = router.dispatch(make(http::Verb::get, "/whep/session/abc123"), "", false);
  EXPECT_EQ(res.result(), http::Status::method_not_allowed);
  EXPECT_EQ(res[boost::beast::http::field::allow], "DELETE");
}

TEST(Router, DecodesQuery) {
  const auto router = test_router();
  auto res = router.dispatch(
      make(http::Verb::post, "/api/token?user_type=student&user_id=J%C3%BCrgen+M"), "", false);
  EXPECT_EQ(res.body(), "user_id=J\xC3\xBCrgen M;user_type=student;");
}

TEST(Router, RejectsMalformedTargets) {
  const auto router = test_router();
  for (const char* bad :
       {"/api/token?a=%zz", "/api/token?a=%4", "/%00/whep", "/../x/whep", "noslash", "/a/%"}) {
    auto res = router.dispatch(make(http::Verb::post, bad), "", false);
    EXPECT_EQ(res.result(), http::Status::bad_request) << bad;
  }
  std::string many = "/api/token?";
  for (int i = 0; i < 100; ++i)
    many += "k" + std::to_string(i) + "=v&";
  EXPECT_EQ(router.dispatch(make(http::Verb::post, many), "", false).result(),
            http::Status::bad_request);
}

TEST(UrlDecode, Cases) {
  EXPECT_EQ(http::url_decode("a%20b", false), "a b");
  EXPECT_EQ(http::url_decode("a+b", true), "a b");
  EXPECT_EQ(http::url_decode("a+b", false), "a+b");
  EXPECT_FALSE(http::url_decode("%", false));
  EXPECT_FALSE(http::url_decode("%g0", false));
}
