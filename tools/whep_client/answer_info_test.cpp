#include "whep_client/answer_info.hpp"

#include <gtest/gtest.h>

#include <random>

#include "whep_client/offer_builder.hpp"
#include "whep_client/whep_test_support.hpp"

namespace tools::whep_client {
namespace {

std::string offer(bool transport_cc = false) {
  OfferParams p;
  p.session_id = 1;
  p.transport_cc = transport_cc;
  p.ice = {"cLnT", "clientpassword0123456789"};
  p.fingerprint = test::make_dtls_context()->certificate().fingerprint().to_sdp();
  return build_offer(p);
}

const std::string& answer() {
  static const std::string a = test::FakeServer(offer()).answer;
  return a;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

TEST(AnswerInfo, ReadsTheRealAnswerBuildersOutput) {
  AnswerResult r = parse_answer(answer());
  ASSERT_TRUE(r) << r.error << "\n" << answer();
  const AnswerInfo& a = *r.answer;
  EXPECT_EQ(a.ice.ufrag, "srv1");
  EXPECT_EQ(a.ice.pwd, "serverpassword0123456789");
  EXPECT_TRUE(a.ice_lite);
  EXPECT_FALSE(a.fingerprint.empty());
  EXPECT_EQ(a.our_dtls_role, webrtc::dtls::DtlsRole::Client);
  EXPECT_EQ(a.candidate.address, test::ServerAddress);
  EXPECT_EQ(a.video_pts, (std::vector<uint8_t>{offer_pt::H264Baseline}));
  ASSERT_EQ(a.rtx.size(), 1u);
  EXPECT_EQ(a.rtx[0].rtx_pt, offer_pt::H264BaselineRtx);
  EXPECT_EQ(a.rtx[0].apt, offer_pt::H264Baseline);
  EXPECT_EQ(a.audio_pt, offer_pt::Opus);
  EXPECT_NE(std::find(a.video_ssrcs.begin(), a.video_ssrcs.end(), test::VideoSsrc),
            a.video_ssrcs.end());
}

TEST(AnswerInfo, ReadsTheTransportCcExtensionIdWhenAnswered) {
  EXPECT_FALSE(parse_answer(answer()).answer->transport_cc_extension);
  // The server's own parameters (src/app/whep_service.cpp) echo the offered id.
  auto parsed = webrtc::sdp::parse_offer(offer(true));
  ASSERT_TRUE(parsed) << parsed.error;
  webrtc::sdp::AnswerParams p;
  p.ice_ufrag = "srv1";
  p.ice_pwd = "serverpassword0123456789";
  p.fingerprint_sha256 = test::make_dtls_context()->certificate().fingerprint().to_sdp().substr(8);
  p.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host"};
  p.stream_profile = *webrtc::sdp::H264ProfileLevelId::parse("42e01f");
  p.transport_cc = true;
  p.header_extensions = {TransportCcUri};
  const std::string text = webrtc::sdp::build_answer(*parsed.offer, p);
  AnswerResult r = parse_answer(text);
  ASSERT_TRUE(r) << r.error << "\n" << text;
  EXPECT_EQ(r.answer->transport_cc_extension, OfferTransportCcExtension);
  // Another id chosen by the answerer is taken as given; a two-byte-form id too.
  const std::string other = replace(text, "a=extmap:3 ", "a=extmap:200 ");
  EXPECT_EQ(parse_answer(other).answer->transport_cc_extension, 200);
  const std::string bad = replace(text, "a=extmap:3 ", "a=extmap:4096 ");
  ASSERT_TRUE(parse_answer(bad));
  EXPECT_FALSE(parse_answer(bad).answer->transport_cc_extension);
}

TEST(AnswerInfo, PrefersLoopbackUdpCandidate) {
  const std::string line = "a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\n";
  std::string text = replace(answer(), line,
                             "a=candidate:3 1 tcp 2130706431 127.0.0.1 8189 typ host tcptype "
                             "passive\r\n"
                             "a=candidate:2 1 udp 2130706431 192.0.2.7 9000 typ host\r\n"
                             "a=candidate:4 1 udp 1000 ::1 9001 typ host\r\n" +
                                 line);
  AnswerResult r = parse_answer(text);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.answer->candidate.address, test::ServerAddress);
  EXPECT_EQ(r.answer->candidate_count, 3u);  // TCP skipped

  text = replace(answer(), line,
                 "a=candidate:2 1 udp 100 192.0.2.7 9000 typ host\r\n"
                 "a=candidate:4 1 udp 200 ::1 9001 typ host\r\n");
  r = parse_answer(text);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.answer->candidate.address.to_string(), "192.0.2.7:9000");
}

TEST(AnswerInfo, ActiveSetupMakesUsTheDtlsServer) {
  AnswerResult r = parse_answer(replace(answer(), "a=setup:passive", "a=setup:active"));
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.answer->our_dtls_role, webrtc::dtls::DtlsRole::Server);
}

TEST(AnswerInfo, ExplainsWhatIsMissing) {
  EXPECT_EQ(parse_answer(replace(answer(), "a=candidate:", "a=x-candidate:")).error,
            "answer has no UDP candidate for component 1");
  EXPECT_EQ(parse_answer(replace(answer(), "H264/90000", "VP8/90000")).error,
            "answer has no H264/90000 video payload type");
  EXPECT_NE(parse_answer("").error, "");
  EXPECT_NE(parse_answer("v=0\r\n").error, "");
  EXPECT_FALSE(parse_answer(replace(answer(), "a=fingerprint:sha-256", "a=fingerprint:md5")));
}

TEST(AnswerInfo, TruncatedAnswersNeverCrash) {
  const std::string& a = answer();
  for (size_t n = 0; n < a.size(); n += 7) {
    AnswerResult r = parse_answer(std::string_view(a).substr(0, n));
    EXPECT_EQ(r.answer.has_value(), r.error.empty());
  }
}

TEST(AnswerInfo, RandomGarbageAndMutationsNeverCrash) {
  std::mt19937 rng(1234);
  const std::string& a = answer();
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    if (i % 2 == 0) {
      s.resize(rng() % 600);
      for (auto& c : s)
        c = static_cast<char>(rng());
    } else {
      s = a;
      for (int k = 0; k < 8; ++k)
        s[rng() % s.size()] = static_cast<char>(rng());
    }
    AnswerResult r = parse_answer(s);
    EXPECT_EQ(r.answer.has_value(), r.error.empty());
  }
}

}  // namespace
}  // namespace tools::whep_client
