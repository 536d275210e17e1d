#include "whep_client/offer_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "webrtc/sdp/answer_builder.hpp"
#include "webrtc/sdp/offer_parser.hpp"

namespace tools::whep_client {
namespace {

namespace sdp = webrtc::sdp;

const char* const Fp =
    "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:"
    "BB:CC:DD:EE:FF";

OfferParams params(bool audio = true, bool transport_cc = false) {
  OfferParams p;
  p.transport_cc = transport_cc;
  p.session_id = 123456789;
  p.ice = {"cLnT", "clientpassword0123456789"};
  p.fingerprint = Fp;
  p.audio = audio;
  return p;
}

sdp::AnswerParams answer_params(std::string_view stream) {
  sdp::AnswerParams a;
  a.ice_ufrag = "srv1";
  a.ice_pwd = "serverpassword0123456789";
  a.fingerprint_sha256 = std::string(Fp).substr(8);
  a.stream_profile = *sdp::H264ProfileLevelId::parse(stream);
  return a;
}

TEST(OfferBuilder, OurServersParserAcceptsItAsABrowserOffer) {
  const std::string text = build_offer(params());
  sdp::ParseResult r = sdp::parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  const sdp::SessionDescription& o = *r.offer;
  EXPECT_EQ(o.bundle_mids, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(o.media.size(), 2u);
  const sdp::MediaSection& v = o.media[0];
  EXPECT_EQ(v.kind, sdp::MediaKind::Video);
  EXPECT_EQ(v.mid, "0");
  EXPECT_EQ(v.direction, sdp::Direction::RecvOnly);
  EXPECT_TRUE(v.rtcp_mux);
  EXPECT_EQ(v.setup, sdp::SetupRole::ActPass);
  EXPECT_EQ(v.ice_ufrag, "cLnT");
  EXPECT_EQ(v.ice_pwd, "clientpassword0123456789");
  ASSERT_EQ(v.fingerprints.size(), 1u);
  EXPECT_EQ(v.fingerprints[0].algorithm + " " + v.fingerprints[0].value, Fp);
  EXPECT_TRUE(v.candidates.empty());
  for (uint8_t pt : {offer_pt::H264Baseline, offer_pt::H264High}) {
    const sdp::PayloadType* p = v.find(pt);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->is("H264", 90000));
    ASSERT_NE(p->fmtp_param("packetization-mode"), nullptr);
    EXPECT_EQ(*p->fmtp_param("packetization-mode"), "1");
    for (const char* fb : {"nack", "nack pli", "ccm fir"})
      EXPECT_TRUE(v.has_rtcp_fb(pt, fb)) << fb;
  }
  EXPECT_EQ(*v.find(offer_pt::H264Baseline)->fmtp_param("profile-level-id"), "42e01f");
  EXPECT_EQ(*v.find(offer_pt::H264High)->fmtp_param("profile-level-id"), "640c1f");
  EXPECT_EQ(sdp::find_rtx(v, offer_pt::H264Baseline), offer_pt::H264BaselineRtx);
  EXPECT_EQ(sdp::find_rtx(v, offer_pt::H264High), offer_pt::H264HighRtx);
  const sdp::MediaSection& a = o.media[1];
  EXPECT_EQ(a.kind, sdp::MediaKind::Audio);
  EXPECT_EQ(a.mid, "1");
  EXPECT_EQ(a.direction, sdp::Direction::RecvOnly);
  ASSERT_NE(a.find(offer_pt::Opus), nullptr);
  EXPECT_TRUE(a.find(offer_pt::Opus)->is("opus", 48000));
  EXPECT_EQ(a.find(offer_pt::Opus)->channels, 2);
  EXPECT_NE(text.find("\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
}

TEST(OfferBuilder, AnswerBuilderPicksTheMatchingProfileAndOpus) {
  sdp::ParseResult r = sdp::parse_offer(build_offer(params()));
  ASSERT_TRUE(r) << r.error;
  // A Constrained Baseline stream goes to 42e01f, a High 4.0 stream to 640c1f (level
  // asymmetry is allowed, as browsers offer it).
  sdp::AnswerPlan cb = sdp::plan_answer(*r.offer, answer_params("42e01f"));
  ASSERT_NE(cb.video(), nullptr);
  EXPECT_EQ(cb.video()->h264->pt, offer_pt::H264Baseline);
  EXPECT_EQ(cb.video()->h264->rtx_pt, offer_pt::H264BaselineRtx);
  sdp::AnswerPlan high = sdp::plan_answer(*r.offer, answer_params("640028"));
  ASSERT_NE(high.video(), nullptr);
  EXPECT_EQ(high.video()->h264->pt, offer_pt::H264High);
  ASSERT_NE(cb.audio(), nullptr);
  EXPECT_EQ(cb.audio()->opus->pt, offer_pt::Opus);
}

TEST(OfferBuilder, TransportCcOffersTheExtensionAndFeedbackLikeChromium) {
  const std::string text = build_offer(params(true, true));
  sdp::ParseResult r = sdp::parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  ASSERT_EQ(r.offer->media.size(), 2u);
  for (const sdp::MediaSection& m : r.offer->media) {
    const sdp::Extmap* e = m.find_extmap(TransportCcUri);
    ASSERT_NE(e, nullptr) << m.mid;
    EXPECT_EQ(e->id, OfferTransportCcExtension);
  }
  for (uint8_t pt : {offer_pt::H264Baseline, offer_pt::H264High}) {
    EXPECT_TRUE(r.offer->media[0].has_rtcp_fb(pt, "transport-cc"));
    EXPECT_FALSE(r.offer->media[0].has_rtcp_fb(pt, "goog-remb"));
  }
  EXPECT_TRUE(r.offer->media[1].has_rtcp_fb(offer_pt::Opus, "transport-cc"));
  EXPECT_EQ(text.find("goog-remb"), std::string::npos);

  // The server's answer parameters (src/app/whep_service.cpp) echo the id and the feedback.
  sdp::AnswerParams a = answer_params("42e01f");
  a.transport_cc = true;
  a.goog_remb = true;
  a.header_extensions = {TransportCcUri};
  sdp::AnswerPlan plan = sdp::plan_answer(*r.offer, a);
  ASSERT_NE(plan.video(), nullptr);
  ASSERT_EQ(plan.video()->extmaps.size(), 1u);
  EXPECT_EQ(plan.video()->extmaps[0].id, OfferTransportCcExtension);
  const auto& fb = plan.video()->rtcp_fb;
  EXPECT_NE(std::find(fb.begin(), fb.end(), "transport-cc"), fb.end());
  EXPECT_EQ(std::find(fb.begin(), fb.end(), "goog-remb"), fb.end());  // not offered
}

TEST(OfferBuilder, WithoutTransportCcThereIsNoExtension) {
  const std::string text = build_offer(params());
  EXPECT_EQ(text.find("extmap"), std::string::npos);
  EXPECT_EQ(text.find("transport-cc"), std::string::npos);
}

TEST(OfferBuilder, NoAudioOffersOnlyVideo) {
  const std::string text = build_offer(params(false));
  sdp::ParseResult r = sdp::parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  ASSERT_EQ(r.offer->media.size(), 1u);
  EXPECT_EQ(r.offer->bundle_mids, (std::vector<std::string>{"0"}));
  EXPECT_EQ(text.find("m=audio"), std::string::npos);
}

}  // namespace
}  // namespace tools::whep_client
