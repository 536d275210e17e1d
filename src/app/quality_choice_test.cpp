#include "app/quality_choice.hpp"

#include <gtest/gtest.h>

namespace app {
namespace {

Config ladder() {
  Config c;
  c.renditions = {
      {"720p", 1280, 720, 2'500'000}, {"480p", 854, 480, 1'000'000}, {"240p", 426, 240, 300'000}};
  return c;
}

const SourceVideo Phone1080{1920, 1080, 8000, false};

QualityChoice pick(std::string_view wanted, std::string_view cap, const Config& c,
                   const SourceVideo& s) {
  auto r = choose_quality(wanted, cap, c, s);
  EXPECT_TRUE(r.choice) << r.error;
  return r.choice.value_or(QualityChoice{});
}

TEST(QualityChoice, AutoIsTheSourcePassedThroughByDefault) {
  const auto c = ladder();
  EXPECT_EQ(pick("", "", c, Phone1080), (QualityChoice{"source"}));
  EXPECT_EQ(pick("auto", "", c, Phone1080), (QualityChoice{"source"}));
  EXPECT_EQ(pick("source", "", c, Phone1080), (QualityChoice{"source"}));
}

TEST(QualityChoice, RungIsEncodedWithItsBoxAndBitrate) {
  const auto c = ladder();
  EXPECT_EQ(pick("480p", "", c, Phone1080), (QualityChoice{"480p", true, 854, 480, 1'000'000}));
}

TEST(QualityChoice, DefaultQualityStandsForAuto) {
  auto c = ladder();
  c.default_quality = "720p";
  EXPECT_EQ(pick("auto", "", c, Phone1080).name, "720p");
  EXPECT_EQ(pick("source", "", c, Phone1080).name, "source");
}

TEST(QualityChoice, TokenCapLowersOnlyWhatIsAboveIt) {
  const auto c = ladder();
  EXPECT_EQ(pick("source", "720p", c, Phone1080).name, "720p");
  EXPECT_EQ(pick("auto", "480p", c, Phone1080).name, "480p");
  EXPECT_EQ(pick("240p", "720p", c, Phone1080).name, "240p");
  EXPECT_EQ(pick("480p", "source", c, Phone1080).name, "480p");
}

TEST(QualityChoice, NeverUpscalesNorExceedsTheSourceBitrate) {
  const auto c = ladder();
  const SourceVideo small{640, 360, 600, false};
  EXPECT_EQ(pick("720p", "", c, small), (QualityChoice{"source"}));
  // Smaller than the source: encoded, at no more than the source's own bitrate.
  EXPECT_EQ(pick("240p", "", c, small), (QualityChoice{"240p", true, 426, 240, 300'000}));
  // Same size, lower bitrate than a 4 Mbit/s 720p phone: still worth encoding.
  const SourceVideo hd{1280, 720, 4000, false};
  EXPECT_EQ(pick("720p", "", c, hd), (QualityChoice{"720p", true, 1280, 720, 2'500'000}));
  const SourceVideo hd_low{1280, 720, 2000, false};
  EXPECT_EQ(pick("720p", "", c, hd_low), (QualityChoice{"source"}));
  EXPECT_EQ(offered_qualities(c, small), (std::vector<std::string>{"auto", "source", "240p"}));
}

TEST(QualityChoice, BFrameSourceIsReencodedAtItsOwnSizeUnlessSwitchedOff) {
  auto c = ladder();
  const SourceVideo obs{1920, 1080, 6000, true};
  EXPECT_EQ(pick("source", "", c, obs), (QualityChoice{"source", true, 0, 0, 6'000'000}));
  EXPECT_EQ(pick("480p", "", c, obs).name, "480p");
  c.reencode_bframes = false;
  EXPECT_EQ(pick("source", "", c, obs), (QualityChoice{"source"}));
}

TEST(QualityChoice, UnknownNameSaysWhatTheStreamOffers) {
  const auto c = ladder();
  const auto r = choose_quality("4k", "", c, Phone1080);
  EXPECT_FALSE(r.choice);
  EXPECT_EQ(r.error, "unknown quality '4k'; this stream offers: auto, source, 720p, 480p, 240p");
}

TEST(QualityChoice, EmptyLadderIsSourceOnly) {
  Config c;
  c.renditions.clear();
  EXPECT_EQ(pick("auto", "", c, Phone1080).name, "source");
  EXPECT_FALSE(choose_quality("480p", "", c, Phone1080).choice);
}

TEST(QualityChoice, Vp8IsAlwaysEncodedAndKeyedApart) {
  const auto c = ladder();
  const auto source = as_vp8(pick("source", "", c, Phone1080), Phone1080);
  EXPECT_EQ(source, (QualityChoice{"source", true, 0, 0, 8'000'000, media::Codec::VP8}));
  EXPECT_EQ(source.key(), "source/vp8");
  const auto small = as_vp8(pick("480p", "", c, Phone1080), Phone1080);
  EXPECT_EQ(small, (QualityChoice{"480p", true, 854, 480, 1'000'000, media::Codec::VP8}));
  EXPECT_EQ(pick("480p", "", c, Phone1080).key(), "480p");
}

TEST(QualityChoice, LadderNamesForThePageStopAtTheCap) {
  const auto c = ladder();
  using V = std::vector<std::string>;
  EXPECT_EQ(ladder_names(c, ""), (V{"auto", "source", "720p", "480p", "240p"}));
  EXPECT_EQ(ladder_names(c, "source"), (V{"auto", "source", "720p", "480p", "240p"}));
  EXPECT_EQ(ladder_names(c, "480p"), (V{"auto", "480p", "240p"}));
}

}  // namespace
}  // namespace app

namespace app {
namespace {

std::vector<std::string> names(const std::vector<QualityChoice>& ladder) {
  std::vector<std::string> out;
  for (const auto& q : ladder)
    out.push_back(q.key());
  return out;
}

TEST(AdaptiveLadder, AutoAdaptsUnlessTurnedOffOrAnotherDefault) {
  auto c = ladder();
  EXPECT_TRUE(wants_adaptive("", c));
  EXPECT_TRUE(wants_adaptive("auto", c));
  EXPECT_FALSE(wants_adaptive("source", c));
  EXPECT_FALSE(wants_adaptive("480p", c));
  c.default_quality = "480p";
  EXPECT_FALSE(wants_adaptive("", c));  // no quality named: the node's default, fixed
  EXPECT_TRUE(wants_adaptive("auto", c));
  c.adaptive_bitrate = false;
  EXPECT_FALSE(wants_adaptive("auto", c));
}

TEST(AdaptiveLadder, SourceThenEveryRungBestFirst) {
  const auto c = ladder();
  const auto l = adaptive_ladder("", c, Phone1080);
  EXPECT_EQ(names(l), (std::vector<std::string>{"source", "720p", "480p", "240p"}));
  EXPECT_FALSE(l[0].encoded);
  EXPECT_EQ(ladder_bitrate(l[0], Phone1080), 8'000'000u);
  EXPECT_EQ(ladder_bitrate(l[2], Phone1080), 1'000'000u);
}

TEST(AdaptiveLadder, CapStartsTheLadderBelowIt) {
  const auto c = ladder();
  EXPECT_EQ(names(adaptive_ladder("480p", c, Phone1080)),
            (std::vector<std::string>{"480p", "240p"}));
  EXPECT_TRUE(adaptive_ladder("240p", c, Phone1080).empty());  // one rung: nothing to adapt
}

TEST(AdaptiveLadder, SmallSourceKeepsOnlyRealRungs) {
  const auto c = ladder();
  const SourceVideo small{640, 360, 600, false};
  // 720p and 480p would not be smaller nor cheaper than a 360p source at 600 kbit/s.
  EXPECT_EQ(names(adaptive_ladder("", c, small)), (std::vector<std::string>{"source", "240p"}));
  Config none;
  none.renditions.clear();
  EXPECT_TRUE(adaptive_ladder("", none, Phone1080).empty());
}

TEST(AdaptiveLadder, BFrameSourceTopIsItsReencode) {
  const auto c = ladder();
  const SourceVideo obs{1920, 1080, 6000, true};
  const auto l = adaptive_ladder("", c, obs);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].name, "source");
  EXPECT_TRUE(l[0].encoded);
  EXPECT_EQ(ladder_bitrate(l[0], obs), 6'000'000u);
}

}  // namespace
}  // namespace app
