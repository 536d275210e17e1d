#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace http {
namespace {
namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("airclass-static-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "web" / "assets");
    write(base_ / "web" / "index.html", "<!doctype html><title>AIRClass</title>");
    write(base_ / "web" / "assets" / "app-1a2b3c.js", "console.log(1)");
    write(base_ / "web" / "logo.svg", "<svg/>");
    write(base_ / "web" / ".env", "SECRET=1");
    write(base_ / "secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", base_ / "web" / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  Response get(const std::string& target, const std::string& etag = {}) {
    StaticFiles files(base_ / "web");
    Router router;
    router.set_fallback([&files](const RequestContext& c) { return files.serve(c); });
    Request req{Verb::get, target, 11};
    if (!etag.empty()) req.set(boost::beast::http::field::if_none_match, etag);
    return router.dispatch(req, "127.0.0.1:1", true);
  }

  fs::path base_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  auto res = get("/");
  ASSERT_EQ(res.result(), Status::ok);
  EXPECT_EQ(res[boost::beast::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res[boost::beast::http::field::cache_control], "no-cache");
  EXPECT_NE(res.body().find("AIRClass"), std::string::npos);
  res = get("/assets/app-1a2b3c.js");
  ASSERT_EQ(res.result(), Status::ok);
  EXPECT_EQ(res[boost::beast::http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[boost::beast::http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(get("/logo.svg")[boost::beast::http::field::content_type], "image/svg+xml");
}

TEST_F(StaticFilesTest, EtagRevalidation) {
  const auto first = get("/");
  const std::string etag(first[boost::beast::http::field::etag]);
  ASSERT_FALSE(etag.empty());
  const auto again = get("/", etag);
  EXPECT_EQ(again.result(), Status::not_modified);
  EXPECT_TRUE(again.body().empty());
}

TEST_F(StaticFilesTest, ClientRoutesGetIndexMissingFilesGet404) {
  for (const char* route : {"/teacher", "/admin", "/monitor/room2"}) {
    const auto res = get(route);
    EXPECT_EQ(res.result(), Status::ok) << route;
    EXPECT_NE(res.body().find("AIRClass"), std::string::npos) << route;
  }
  EXPECT_EQ(get("/missing.js").result(), Status::not_found);
  EXPECT_EQ(get("/assets/gone-123.css").result(), Status::not_found);
}

TEST_F(StaticFilesTest, NothingOutsideTheFolder) {
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                             "/link.txt", "/.env", "/%00index.html", "/a\\..\\secret.txt",
                             "//secret.txt", "/assets/%2e%2e%2f%2e%2e%2fsecret.txt"}) {
    const auto res = get(target);
    EXPECT_EQ(res.body().find("outside"), std::string::npos) << target;
    EXPECT_EQ(res.body().find("SECRET"), std::string::npos) << target;
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string target = "/";
    for (int n = rng() % 40; n > 0; --n)
      target += "./%a\\\x01zé"[rng() % 10];
    const auto res = get(target);
    EXPECT_EQ(res.body().find("outside"), std::string::npos) << target;
  }
}

TEST(StaticFiles, NotReadyWithoutIndex) {
  StaticFiles files("/nonexistent/airclass-web");
  EXPECT_FALSE(files.ready());
}

}  // namespace
}  // namespace http
