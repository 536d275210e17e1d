#include "webrtc/sdp/codec_selector.hpp"

#include <gtest/gtest.h>

#include "webrtc/sdp/sdp_test_support.hpp"

namespace webrtc::sdp {
namespace {

using test::minimal_offer;
using test::parse_fixture;

H264ProfileLevelId stream(std::string_view hex) {
  return *H264ProfileLevelId::parse(hex);
}

// Streams as phones and OBS publish them (1080p30 needs level 4.0 = 0x28).
const H264ProfileLevelId ConstrainedBaseline = stream("42c028");
const H264ProfileLevelId PlainBaseline = stream("428028");
const H264ProfileLevelId Main = stream("4d0028");
const H264ProfileLevelId High = stream("640028");

struct Expect {
  H264ProfileLevelId stream;
  std::optional<uint8_t> pt;
  std::optional<uint8_t> rtx;
  H264Match match;
};

void check_browser(const char* fixture, const std::vector<Expect>& cases) {
  SessionDescription sd = parse_fixture(fixture);
  ASSERT_FALSE(sd.media.empty());
  const MediaSection& video = sd.media[0];
  for (const auto& c : cases) {
    auto choice = choose_h264(video, c.stream);
    SCOPED_TRACE(std::string(fixture) + " stream " + c.stream.to_hex());
    ASSERT_EQ(choice.has_value(), c.pt.has_value());
    if (!choice) continue;
    EXPECT_EQ(choice->pt, *c.pt);
    EXPECT_EQ(choice->rtx_pt, c.rtx);
    EXPECT_EQ(choice->match, c.match);
    EXPECT_TRUE(choice->level_ok);  // every browser offers level-asymmetry-allowed=1
  }
}

TEST(ChooseH264, Chrome) {
  // 102 42001f, 108 42e01f, 116 4d001f, 41 f4001f (packetization-mode=1); 104 etc. are mode 0.
  check_browser("chrome_recvonly_offer.sdp", {{ConstrainedBaseline, 108, 109, H264Match::Exact},
                                              {PlainBaseline, 102, 103, H264Match::Exact},
                                              {Main, 116, 117, H264Match::Exact},
                                              {High, 41, 42, H264Match::Decodable}});
}

TEST(ChooseH264, Firefox) {
  check_browser("firefox_recvonly_offer.sdp",
                {{ConstrainedBaseline, 126, 127, H264Match::Exact},
                 {PlainBaseline, 105, 106, H264Match::Exact},
                 {Main, std::nullopt, std::nullopt, H264Match::None},
                 {High, std::nullopt, std::nullopt, H264Match::None}});
}

TEST(ChooseH264, Safari) {
  check_browser("safari_recvonly_offer.sdp", {{ConstrainedBaseline, 98, 99, H264Match::Exact},
                                              {PlainBaseline, 96, 97, H264Match::Practical},
                                              {Main, 96, 97, H264Match::Practical},
                                              {High, 96, 97, H264Match::Practical}});
}

TEST(ChooseH264, GStreamerWithoutProfileLevelIdMeansConstrainedBaseline) {
  check_browser("gstreamer_recvonly_offer.sdp",
                {{ConstrainedBaseline, 96, 97, H264Match::Exact},
                 {PlainBaseline, 96, 97, H264Match::Practical},
                 {Main, std::nullopt, std::nullopt, H264Match::None},
                 {High, std::nullopt, std::nullopt, H264Match::None}});
}

TEST(ChooseH264, PolicyKnobs) {
  SessionDescription safari = parse_fixture("safari_recvonly_offer.sdp");
  EXPECT_FALSE(choose_h264(safari.media[0], Main, H264Policy{.allow_practical = false}));
  SessionDescription firefox = parse_fixture("firefox_recvonly_offer.sdp");
  auto any = choose_h264(firefox.media[0], High, H264Policy{.allow_mismatch = true});
  ASSERT_TRUE(any);
  EXPECT_EQ(any->pt, 126);
  EXPECT_EQ(any->match, H264Match::None);
}

TEST(ChooseH264, PrefersLevelThatFitsWithoutAsymmetry) {
  std::string text = minimal_offer(
      "a=rtpmap:98 H264/90000\na=fmtp:98 packetization-mode=1;profile-level-id=42e028\n");
  text.replace(text.find("SAVPF 96"), 8, "SAVPF 96 98");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  auto c = choose_h264(r.offer->media[0], stream("42e028"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->pt, 98);  // 96 offers only level 3.1 and no asymmetry
  EXPECT_TRUE(c->level_ok);
  auto low = choose_h264(r.offer->media[0], stream("42e01e"));
  ASSERT_TRUE(low);
  EXPECT_EQ(low->pt, 96);  // both fit: offer order wins
  EXPECT_FALSE(low->rtx_pt);
}

TEST(ChooseH264, SkipsModeZeroAndUnknownProfiles) {
  std::string text = minimal_offer();
  text.replace(text.find("packetization-mode=1"), 20, "packetization-mode=0");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  EXPECT_FALSE(choose_h264(r.offer->media[0], ConstrainedBaseline));
  std::string unknown = minimal_offer();
  unknown.replace(unknown.find("42e01f"), 6, "6e001f");  // High 10
  ParseResult u = parse_offer(unknown);
  ASSERT_TRUE(u) << u.error;
  EXPECT_FALSE(choose_h264(u.offer->media[0], ConstrainedBaseline, H264Policy{true, true}));
}

TEST(ChooseOpus, EachBrowser) {
  struct Case {
    const char* fixture;
    uint8_t pt;
    std::optional<uint32_t> minptime;
  };
  for (const Case& c : {Case{"chrome_recvonly_offer.sdp", 111, 10},
                        Case{"firefox_recvonly_offer.sdp", 109, std::nullopt},
                        Case{"safari_recvonly_offer.sdp", 111, 10},
                        Case{"gstreamer_recvonly_offer.sdp", 111, std::nullopt}}) {
    SessionDescription sd = parse_fixture(c.fixture);
    auto opus = choose_opus(sd.media[1]);
    ASSERT_TRUE(opus) << c.fixture;
    EXPECT_EQ(opus->pt, c.pt) << c.fixture;
    EXPECT_EQ(opus->minptime, c.minptime) << c.fixture;
    EXPECT_TRUE(opus->useinbandfec) << c.fixture;
  }
}

TEST(ChooseOpus, NoneWithoutOpusAndChannelsOnlyTwoOrOmitted) {
  std::string text =
      minimal_offer("m=audio 9 UDP/TLS/RTP/SAVPF 0 8 112\na=mid:1\na=rtpmap:112 opus/48000\n");
  EXPECT_EQ(test::parse_error(text), "m=audio (mid 1) has no ice-ufrag");  // not bundled
  text.replace(text.find("BUNDLE 0"), 8, "BUNDLE 0 1");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  // opus/48000 (channels omitted, as webrtcbin writes it without encoding-params) is Opus.
  auto opus = choose_opus(r.offer->media[1]);
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->pt, 112);
  // Another explicit channel count is not RFC 7587 Opus.
  text.replace(text.find("opus/48000"), 10, "opus/48000/1");
  ParseResult mono = parse_offer(text);
  ASSERT_TRUE(mono) << mono.error;
  EXPECT_FALSE(choose_opus(mono.offer->media[1]));
}

TEST(ChooseVp8, RealFirefoxEsrAndChrome) {
  SessionDescription firefox = parse_fixture("firefox_esr_debian_offer.sdp");
  auto ff = choose_vp8(firefox.media[0]);
  ASSERT_TRUE(ff);
  EXPECT_EQ(ff->pt, 120);
  EXPECT_EQ(ff->rtx_pt, 124);
  EXPECT_EQ(ff->max_fs, 12288u);
  EXPECT_EQ(ff->max_fr, 60u);
  SessionDescription chrome = parse_fixture("chrome_recvonly_offer.sdp");
  auto ch = choose_vp8(chrome.media[0]);
  ASSERT_TRUE(ch);
  EXPECT_EQ(ch->pt, 96);
  EXPECT_EQ(ch->rtx_pt, 97);
  EXPECT_FALSE(ch->max_fs || ch->max_fr);
  EXPECT_FALSE(choose_vp8(chrome.media[1]));  // the audio section
}

TEST(ChooseVp8, NameCaseInsensitiveClockExactRtxOptional) {
  std::string text = minimal_offer("a=rtpmap:98 vp8/90000\na=rtpmap:100 VP8/48000\n");
  text.replace(text.find("SAVPF 96"), 8, "SAVPF 96 100 98");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  auto c = choose_vp8(r.offer->media[0]);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->pt, 98);  // 100 has the wrong clock rate
  EXPECT_FALSE(c->rtx_pt);
  ParseResult h264_only = parse_offer(minimal_offer());
  ASSERT_TRUE(h264_only) << h264_only.error;
  EXPECT_FALSE(choose_vp8(h264_only.offer->media[0]));
}

}  // namespace
}  // namespace webrtc::sdp

// Captured from Debian's firefox-esr 153 (no OpenH264 plugin): VP8/VP9/AV1 and Opus only.
TEST(CodecSelector, RealFirefoxWithoutH264OffersNothingForVideoButOpus) {
  const auto offer = webrtc::sdp::test::parse_fixture("firefox_esr_debian_offer.sdp");
  ASSERT_EQ(offer.media.size(), 2u);
  const auto stream = *webrtc::sdp::H264ProfileLevelId::parse("42e01f");
  EXPECT_FALSE(webrtc::sdp::choose_h264(offer.media[0], stream));
  const auto opus = webrtc::sdp::choose_opus(offer.media[1]);
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->pt, 109);
  EXPECT_TRUE(opus->useinbandfec);
}
