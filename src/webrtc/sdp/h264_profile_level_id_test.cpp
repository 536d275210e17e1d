#include "webrtc/sdp/h264_profile_level_id.hpp"

#include <gtest/gtest.h>

namespace webrtc::sdp {
namespace {

H264Profile profile_of(std::string_view hex) {
  auto p = H264ProfileLevelId::parse(hex);
  EXPECT_TRUE(p.has_value()) << hex;
  return p ? p->profile : H264Profile::PredictiveHigh444;
}

// RFC 6184 section 8.1 examples and the values browsers offer.
TEST(H264ProfileLevelId, ClassifiesOfferedProfiles) {
  EXPECT_EQ(profile_of("42e01f"), H264Profile::ConstrainedBaseline);  // Chrome, Firefox, Safari
  EXPECT_EQ(profile_of("42c01f"), H264Profile::ConstrainedBaseline);  // x264 baseline
  EXPECT_EQ(profile_of("4d801f"), H264Profile::ConstrainedBaseline);  // Main + constraint_set0
  EXPECT_EQ(profile_of("58c01f"), H264Profile::ConstrainedBaseline);
  EXPECT_EQ(profile_of("42001f"), H264Profile::Baseline);
  EXPECT_EQ(profile_of("42801f"), H264Profile::Baseline);  // Android encoders: set0 only
  EXPECT_EQ(profile_of("58801f"), H264Profile::Baseline);
  EXPECT_EQ(profile_of("4d001f"), H264Profile::Main);
  EXPECT_EQ(profile_of("4d401f"), H264Profile::Main);
  EXPECT_EQ(profile_of("640c1f"), H264Profile::ConstrainedHigh);  // Safari
  EXPECT_EQ(profile_of("64001f"), H264Profile::High);
  EXPECT_EQ(profile_of("640032"), H264Profile::High);
  EXPECT_EQ(profile_of("f4001f"), H264Profile::PredictiveHigh444);
  EXPECT_EQ(profile_of("42E01F"), H264Profile::ConstrainedBaseline);
}

TEST(H264ProfileLevelId, RejectsMalformedAndUnknown) {
  for (const char* bad : {"", "42e01", "42e01f0", "42g01f", "6e001f", "7a001f", "42e31f", "42e0ff",
                          "4200 1f", "+2e01f"}) {
    EXPECT_FALSE(H264ProfileLevelId::parse(bad).has_value()) << bad;
  }
}

TEST(H264ProfileLevelId, LevelsAndLevel1b) {
  auto l31 = *H264ProfileLevelId::parse("42e01f");
  auto l40 = *H264ProfileLevelId::parse("640028");
  auto l1 = *H264ProfileLevelId::parse("42e00a");
  auto l1b = *H264ProfileLevelId::parse("42f00b");  // level_idc 11 + constraint_set3
  auto l11 = *H264ProfileLevelId::parse("42e00b");
  auto high1b = *H264ProfileLevelId::parse("640009");
  EXPECT_TRUE(l1b.is_level_1b());
  EXPECT_FALSE(l11.is_level_1b());
  EXPECT_TRUE(high1b.is_level_1b());
  EXPECT_LT(l1.level_rank(), l1b.level_rank());
  EXPECT_LT(l1b.level_rank(), l11.level_rank());
  EXPECT_LT(l31.level_rank(), l40.level_rank());
  EXPECT_EQ(l40.to_hex(), "640028");
  EXPECT_EQ(H264ProfileLevelId::default_for_sdp().to_hex(), "42e01f");
}

TEST(H264ProfileLevelId, FromSpsBytes) {
  auto p = H264ProfileLevelId::from_sps(0x64, 0x00, 0x28);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->profile, H264Profile::High);
  EXPECT_FALSE(H264ProfileLevelId::from_sps(0x64, 0x01, 0x28));  // reserved bits set
  EXPECT_FALSE(H264ProfileLevelId::from_sps(0x6e, 0x00, 0x28));  // High 10: no browser
}

TEST(H264ProfileLevelId, MatchTable) {
  using P = H264Profile;
  EXPECT_EQ(h264_match(P::High, P::High), H264Match::Exact);
  EXPECT_EQ(h264_match(P::ConstrainedBaseline, P::High), H264Match::Decodable);
  EXPECT_EQ(h264_match(P::ConstrainedBaseline, P::Baseline), H264Match::Decodable);
  EXPECT_EQ(h264_match(P::Main, P::High), H264Match::Decodable);
  EXPECT_EQ(h264_match(P::ConstrainedHigh, P::High), H264Match::Decodable);
  EXPECT_EQ(h264_match(P::Main, P::ConstrainedHigh), H264Match::Practical);
  EXPECT_EQ(h264_match(P::High, P::ConstrainedHigh), H264Match::Practical);
  EXPECT_EQ(h264_match(P::Baseline, P::ConstrainedBaseline), H264Match::Practical);
  EXPECT_EQ(h264_match(P::Main, P::ConstrainedBaseline), H264Match::None);
  EXPECT_EQ(h264_match(P::High, P::Main), H264Match::None);
  EXPECT_EQ(h264_match(P::High, P::Baseline), H264Match::None);
  EXPECT_EQ(h264_match(P::ConstrainedHigh, P::Main), H264Match::None);
}

}  // namespace
}  // namespace webrtc::sdp
