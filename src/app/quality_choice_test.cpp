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
