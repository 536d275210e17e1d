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

TEST(Router, FallbackAnswersUnmatchedGetOnly) {
  auto router = test_router();
  EXPECT_EQ(router.dispatch(make(http::Verb::get, "/app/x"), "", false).result(),
            http::Status::not_found);
  router.set_fallback([](const http::RequestContext& c) {
    return http::make_response(c.request, http::Status::ok, "text/html", "app:" + c.path);
  });
  auto res = router.dispatch(make(http::Verb::get, "/student/join%20now?x=1"), "", false);
  EXPECT_EQ(res.result(), http::Status::ok);
  EXPECT_EQ(res.body(), "app:/student/join now");
  // Not for other methods, not when a route matches the path under another method, and the
  // target is still validated.
  EXPECT_EQ(router.dispatch(make(http::Verb::post, "/app/x"), "", false).result(),
            http::Status::not_found);
  EXPECT_EQ(router.dispatch(make(http::Verb::get, "/whep/session/abc"), "", false).result(),
            http::Status::method_not_allowed);
  EXPECT_EQ(router.dispatch(make(http::Verb::get, "/static/../../etc/passwd"), "", false).result(),
            http::Status::bad_request);
}

TEST(Router, MakeJsonSetsContentType) {
  const auto req = make(http::Verb::get, "/");
  const auto res = http::make_json(req, http::Status::created, R"({"a":1})");
  EXPECT_EQ(res.result(), http::Status::created);
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"a":1})");
  EXPECT_EQ(res[boost::beast::http::field::content_length], "7");
}

TEST(Router, MakeErrorIsPlainTextAndBounded) {
  const auto req = make(http::Verb::get, "/");
  auto res = http::make_error(req, http::Status::bad_request, "bad\r\nSet-Cookie: x\x01");
  EXPECT_EQ(res[boost::beast::http::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(res.body(), "bad  Set-Cookie: x \n");
  // Client input quoted in a reason is cut to 200 bytes, never inside a UTF-8 sequence.
  std::string long_reason(199, 'a');
  for (int i = 0; i < 500; ++i)
    long_reason += "\xC3\xBC";  // ü
  res = http::make_error(req, http::Status::bad_request, long_reason);
  EXPECT_LE(res.body().size(), http::MaxErrorReasonBytes + 1);
  EXPECT_EQ(res.body(), std::string(199, 'a') + "\n");
  res = http::make_error(req, http::Status::bad_request, std::string(100000, 'z'));
  EXPECT_EQ(res.body().size(), http::MaxErrorReasonBytes + 1);
}

TEST(Router, MakeRetryLater) {
  const auto req = make(http::Verb::post, "/api/token");
  auto res = http::make_retry_later(req, http::Status::too_many_requests, std::chrono::seconds(7),
                                    "slow down");
  EXPECT_EQ(res.result(), http::Status::too_many_requests);
  EXPECT_EQ(res[boost::beast::http::field::retry_after], "7");
  res = http::make_retry_later(req, http::Status::service_unavailable, std::chrono::seconds(0), "");
  EXPECT_EQ(res[boost::beast::http::field::retry_after], "1");
}

namespace {

// A router whose one route echoes who it thinks the client is.
http::Router who_router(std::vector<std::string> trusted, std::string* reported = nullptr) {
  http::Router router;
  router.add(http::Verb::get, "/who", [](const http::RequestContext& c) {
    return http::make_response(c.request, http::Status::ok, "text/plain",
                               c.remote_address + (c.remote_is_loopback ? " local" : " remote") +
                                   "|" + c.client_description());
  });
  router.set_trusted_proxies(*http::TrustedProxies::parse(trusted),
                             [reported](std::string_view what) {
                               if (reported) *reported += std::string(what) + ";";
                             });
  return router;
}

std::string who(const http::Router& router, const char* peer, bool peer_loopback,
                std::vector<const char*> xff) {
  auto req = make(http::Verb::get, "/who");
  for (const auto* line : xff)
    req.insert("X-Forwarded-For", line);
  return router.dispatch(req, peer, peer_loopback).body();
}

}  // namespace

TEST(RouterTrustedProxies, ClientFromXForwardedForOnlyBehindATrustedProxy) {
  const auto router = who_router({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {"198.51.100.7"}),
            "198.51.100.7 remote|198.51.100.7 via proxy 127.0.0.1:4000");
  // A proxy on loopback does not make its clients local; a local client through it is.
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {"127.0.0.23"}),
            "127.0.0.23 local|127.0.0.23 via proxy 127.0.0.1:4000");
  // The client's forged entry is left of the one the proxy appended.
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {"127.0.0.1, 198.51.100.7"}),
            "198.51.100.7 remote|198.51.100.7 via proxy 127.0.0.1:4000");
  EXPECT_EQ(who(router, "[::ffff:10.0.0.5]:80", false, {"2001:db8::1"}),
            "[2001:db8::1] remote|[2001:db8::1] via proxy [::ffff:10.0.0.5]:80");
  // Not a trusted peer: the header is the client's word and ignored.
  EXPECT_EQ(who(router, "198.51.100.9:5000", false, {"127.0.0.1"}),
            "198.51.100.9:5000 remote|198.51.100.9:5000");
  // A trusted peer without a usable header is the client itself, but never a local one: it
  // speaks for someone else (a proxy on this machine forwarding without the header).
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {}), "127.0.0.1:4000 remote|127.0.0.1:4000");
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {"unknown"}),
            "127.0.0.1:4000 remote|127.0.0.1:4000");
}

TEST(RouterTrustedProxies, NoTrustedProxiesNeverBelievesTheHeader) {
  const auto router = who_router({});
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {"198.51.100.7"}),
            "127.0.0.1:4000 local|127.0.0.1:4000");
  EXPECT_EQ(who(router, "", false, {"198.51.100.7"}), " remote|");
}

TEST(RouterTrustedProxies, OversizedHeaderIsIgnoredAndReportedOnce) {
  std::string reported;
  const auto router = who_router({"127.0.0.1"}, &reported);
  std::vector<const char*> lines(40, "198.51.100.7");
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, lines), "127.0.0.1:4000 remote|127.0.0.1:4000");
  const std::string huge(2000, '1');
  EXPECT_EQ(who(router, "127.0.0.1:4000", true, {huge.c_str()}),
            "127.0.0.1:4000 remote|127.0.0.1:4000");
  EXPECT_EQ(reported, "forwarding header from proxy 127.0.0.1:4000 ignored: more than 32 entries;");
}
