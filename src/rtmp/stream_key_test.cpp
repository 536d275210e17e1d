#include "rtmp/stream_key.hpp"

#include <gtest/gtest.h>

namespace rtmp {
namespace {

void expect_key(const StreamKey& k, const char* app, const char* name, const char* query) {
  EXPECT_EQ(k.app, app);
  EXPECT_EQ(k.name, name);
  EXPECT_EQ(k.query, query);
}

TEST(StreamKey, QueryOnStreamName) {  // OBS, ffmpeg, RootEncoder
  expect_key(make_stream_key("live", "stream?pwd=x", "rtmp://h:1935/live"), "live", "stream",
             "pwd=x");
}

TEST(StreamKey, QueryOnApp) {
  expect_key(make_stream_key("live?pwd=x", "stream", "rtmp://h/live?pwd=x"), "live", "stream",
             "pwd=x");
}

TEST(StreamKey, QueryOnlyOnTcUrl) {
  expect_key(make_stream_key("live", "stream", "rtmp://h/live?pwd=x"), "live", "stream", "pwd=x");
}

TEST(StreamKey, AppFromTcUrlWhenMissing) {
  expect_key(make_stream_key("", "/stream/", "rtmp://h:1935/live/"), "live", "stream", "");
  expect_key(make_stream_key("", "s", "garbage"), "", "s", "");
}

TEST(StreamKey, DistinctQueriesAreJoined) {
  const auto k = make_stream_key("live?a=1", "stream?pwd=x", "rtmp://h/live?a=1");
  expect_key(k, "live", "stream", "pwd=x&a=1");
  EXPECT_EQ(k.path(), "live/stream");
}

}  // namespace
}  // namespace rtmp

TEST(QueryParam, FindsDecodesAndRefuses) {
  using rtmp::query_param;
  EXPECT_EQ(query_param("pwd=s%3Dx+y&jwt=abc", "pwd"), "s=x+y");
  EXPECT_EQ(query_param("pwd=s&jwt=abc", "jwt"), "abc");
  EXPECT_EQ(query_param("jwt", "jwt"), "");
  EXPECT_EQ(query_param("a=1&pwd=first&pwd=second", "pwd"), "first");
  EXPECT_FALSE(query_param("pwdx=1", "pwd"));
  EXPECT_FALSE(query_param("", "pwd"));
  EXPECT_FALSE(query_param("pwd=%", "pwd"));
  EXPECT_FALSE(query_param("pwd=%4", "pwd"));
  EXPECT_FALSE(query_param("pwd=%zz", "pwd"));
  EXPECT_FALSE(query_param("pwd=" + std::string(rtmp::MaxQueryValueSize + 1, 'a'), "pwd"));
  EXPECT_EQ(query_param("&&pwd=%41%62", "pwd"), "Ab");
}
