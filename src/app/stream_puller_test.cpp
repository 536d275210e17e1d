#include "app/stream_puller.hpp"

#include <gtest/gtest.h>

namespace app {
namespace {

TEST(PullSource, ParsesAnOriginsRtmpUrl) {
  EXPECT_EQ(parse_pull_source("rtmp://10.0.0.7:1936"), (PullSource{"10.0.0.7", 1936}));
  EXPECT_EQ(parse_pull_source("rtmp://sub-1.school.lan"), (PullSource{"sub-1.school.lan", 1935}));
  EXPECT_EQ(parse_pull_source("rtmp://[::1]:1937"), (PullSource{"::1", 1937}));
  EXPECT_EQ(parse_pull_source("rtmp://[::1]"), (PullSource{"::1", 1935}));
}

TEST(PullSource, ParsesAnRtmpsOrigin) {
  EXPECT_EQ(parse_pull_source("rtmps://sub-1.school.lan:8443"),
            (PullSource{"sub-1.school.lan", 8443, true}));
  EXPECT_EQ(parse_pull_source("rtmps://10.0.0.7"), (PullSource{"10.0.0.7", 1936, true}));
  EXPECT_FALSE(parse_pull_source("rtmps://"));
  EXPECT_FALSE(parse_pull_source("rtmpss://a:1"));
}

TEST(PullSource, RefusesWhatIsNotAnRtmpBase) {
  for (const char* bad : {"", "rtmp://", "http://a:1", "rtmp://a:0", "rtmp://a:99999", "rtmp://a b",
                          "rtmp:/a", "a:1935"}) {
    EXPECT_FALSE(parse_pull_source(bad)) << bad;
  }
}

}  // namespace
}  // namespace app
