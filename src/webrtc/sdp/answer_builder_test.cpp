#include "webrtc/sdp/answer_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "webrtc/sdp/offer_parser.hpp"
#include "webrtc/sdp/sdp_test_support.hpp"

namespace webrtc::sdp {
namespace {

using test::minimal_offer;
using test::parse_fixture;

constexpr const char* Fingerprint =
    "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:"
    "E8:F9";
constexpr const char* Candidate = "candidate:1 1 udp 2130706431 203.0.113.10 8189 typ host";
constexpr const char* MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr const char* TwccUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr const char* PlayoutDelayUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

AnswerParams params(std::string_view stream_hex = "42c028") {
  AnswerParams p;
  p.session_id = 4611686018427387904ull;
  p.session_version = 2;
  p.ice_ufrag = "srv1";
  p.ice_pwd = "serverpassword0123456789";
  p.fingerprint_sha256 = Fingerprint;
  p.candidates = {Candidate,
                  "candidate:2 1 tcp 1518280447 203.0.113.10 8189 typ host "
                  "tcptype passive"};
  p.stream_profile = *H264ProfileLevelId::parse(stream_hex);
  p.video_ssrc = 1111;
  p.video_rtx_ssrc = 2222;
  p.audio_ssrc = 3333;
  p.cname = "airclass";
  p.stream_id = "live";
  p.video_track_id = "video";
  p.audio_track_id = "audio";
  return p;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// The text of one m-section, from its m= line to the next.
std::string section_text(const std::string& answer, size_t index) {
  size_t pos = 0;
  for (size_t i = 0; i <= index; ++i)
    pos = answer.find("\r\nm=", pos + 1);
  if (pos == std::string::npos) return {};
  size_t end = answer.find("\r\nm=", pos + 1);
  return answer.substr(pos + 2, end == std::string::npos ? std::string::npos : end - pos);
}

// The session block, before the first m= line.
std::string session_text(const std::string& answer) {
  return answer.substr(0, answer.find("\r\nm=") + 2);
}

SessionDescription reparse(const std::string& answer) {
  ParseResult r = parse_session_description(answer);
  EXPECT_TRUE(r) << r.error << "\n" << answer;
  return r ? *r.offer : SessionDescription{};
}

// Every requirement on our answer that holds whatever the offer (see answer_builder.hpp).
void check_common(const SessionDescription& offer, const std::string& text, const AnswerParams& p) {
  ASSERT_EQ(text.rfind("v=0\r\no=- 4611686018427387904 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 0),
            0u);
  EXPECT_EQ(count(text, "\n"), count(text, "\r\n"));  // CRLF only
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
  EXPECT_EQ(count(text, "a=msid-semantic:WMS live\r\n"), 1u);
  SessionDescription a = reparse(text);
  EXPECT_TRUE(a.ice_lite);
  // Transport attributes only per section: webrtcbin refuses a fingerprint at both levels.
  EXPECT_TRUE(a.ice_ufrag.empty());
  EXPECT_TRUE(a.ice_pwd.empty());
  EXPECT_TRUE(a.fingerprints.empty());
  EXPECT_EQ(session_text(text).find("a=setup"), std::string::npos);
  ASSERT_EQ(a.media.size(), offer.media.size());
  for (size_t i = 0; i < a.media.size(); ++i) {
    const MediaSection& m = a.media[i];
    SCOPED_TRACE("section " + std::to_string(i));
    EXPECT_EQ(m.media, offer.media[i].media);
    EXPECT_EQ(m.mid, offer.media[i].mid);
    EXPECT_EQ(m.connection, "IN IP4 0.0.0.0");
    // Every section, rejected ones too, carries its own transport lines, once (JSEP 5.3.1).
    const std::string own = section_text(text, i);
    EXPECT_EQ(count(own, "\r\na=ice-ufrag:" + p.ice_ufrag + "\r\n"), 1u);
    EXPECT_EQ(count(own, "\r\na=ice-pwd:" + p.ice_pwd + "\r\n"), 1u);
    EXPECT_EQ(count(own, "\r\na=fingerprint:sha-256 " + std::string(Fingerprint) + "\r\n"), 1u);
    EXPECT_EQ(count(own, "\r\na=setup:passive\r\n"), 1u);
    EXPECT_EQ(m.ice_ufrag, p.ice_ufrag);
    EXPECT_EQ(m.ice_pwd, p.ice_pwd);
    ASSERT_EQ(m.fingerprints.size(), 1u);
    EXPECT_EQ(m.fingerprints[0].algorithm, "sha-256");
    EXPECT_EQ(m.fingerprints[0].value, Fingerprint);
    EXPECT_EQ(m.setup, SetupRole::Passive);
    if (m.port == 0) {
      EXPECT_EQ(m.direction, Direction::Inactive);
      EXPECT_EQ(m.formats, offer.media[i].formats);
      EXPECT_FALSE(a.in_bundle(m.mid));
      continue;
    }
    EXPECT_EQ(m.port, 9);
    EXPECT_TRUE(m.rtcp_mux);
    EXPECT_EQ(m.rtcp_rsize, offer.media[i].rtcp_rsize);
    if (!a.bundle_mids.empty()) {
      EXPECT_TRUE(a.in_bundle(m.mid));
    }
    bool tagged = a.bundle_mids.empty() || a.bundle_mids[0] == m.mid;
    EXPECT_EQ(m.candidates.size(), tagged ? p.candidates.size() : 0u);
    EXPECT_TRUE(m.end_of_candidates);  // nothing trickles later, in any section
    EXPECT_EQ(count(own, "a=end-of-candidates\r\n"), 1u);
    for (const auto& pt : m.payload_types) {
      const PayloadType* offered = offer.media[i].find(pt.pt);
      ASSERT_NE(offered, nullptr) << "answer payload type not offered";
      EXPECT_TRUE(pt.is(offered->encoding, offered->clock_rate));
    }
  }
}

void check_video(const MediaSection& v, uint8_t pt, std::optional<uint8_t> rtx,
                 const std::string& plid) {
  std::vector<uint8_t> want = {pt};
  if (rtx) want.push_back(*rtx);
  ASSERT_EQ(v.payload_types.size(), want.size());
  EXPECT_EQ(v.payload_types[0].pt, pt);
  EXPECT_TRUE(v.payload_types[0].is("H264", 90000));
  EXPECT_EQ(*v.payload_types[0].fmtp_param("packetization-mode"), "1");
  EXPECT_EQ(*v.payload_types[0].fmtp_param("profile-level-id"), plid);
  EXPECT_EQ(v.payload_types[0].rtcp_fb, (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
  EXPECT_EQ(v.direction, Direction::SendOnly);
  EXPECT_EQ(v.msids, std::vector<std::string>{"live video"});
  if (rtx) {
    EXPECT_TRUE(v.payload_types[1].is("rtx", 90000));
    EXPECT_EQ(*v.payload_types[1].fmtp_param("apt"), std::to_string(pt));
    EXPECT_EQ(v.ssrc_groups, std::vector<std::string>{"FID 1111 2222"});
    ASSERT_EQ(v.ssrcs.size(), 4u);
    EXPECT_EQ(v.ssrcs[2].ssrc, 2222u);
    EXPECT_EQ(v.ssrcs[2].attribute, "cname");
    EXPECT_EQ(v.ssrcs[3].value, "live video");
  } else {
    EXPECT_TRUE(v.ssrc_groups.empty());
    ASSERT_EQ(v.ssrcs.size(), 2u);
  }
  EXPECT_EQ(v.ssrcs[0].ssrc, 1111u);
  EXPECT_EQ(v.ssrcs[0].attribute, "cname");
  EXPECT_EQ(v.ssrcs[0].value, "airclass");
  EXPECT_EQ(v.ssrcs[1].attribute, "msid");
  EXPECT_EQ(v.ssrcs[1].value, "live video");
  EXPECT_TRUE(v.extmaps.empty());  // none unless asked for
}

void check_audio(const MediaSection& a, uint8_t pt, const std::string& fmtp) {
  ASSERT_EQ(a.payload_types.size(), 1u);
  EXPECT_EQ(a.payload_types[0].pt, pt);
  EXPECT_EQ(a.payload_types[0].encoding, "opus");
  EXPECT_EQ(a.payload_types[0].clock_rate, 48000u);
  EXPECT_EQ(a.payload_types[0].channels, 2);
  EXPECT_EQ(a.payload_types[0].fmtp_raw, fmtp);
  EXPECT_TRUE(a.payload_types[0].rtcp_fb.empty());
  EXPECT_EQ(a.direction, Direction::SendOnly);
  ASSERT_EQ(a.ssrcs.size(), 2u);
  EXPECT_EQ(a.ssrcs[0].ssrc, 3333u);
  EXPECT_EQ(a.ssrcs[1].value, "live audio");
}

struct BrowserCase {
  const char* fixture;
  uint8_t video_pt;
  uint8_t rtx_pt;
  std::string plid;
  uint8_t audio_pt;
  std::string audio_fmtp;
};

TEST(BuildAnswer, EveryBrowserOfferConstrainedBaselineStream) {
  for (const BrowserCase& c :
       {BrowserCase{"chrome_recvonly_offer.sdp", 108, 109, "42e01f", 111,
                    "minptime=10;useinbandfec=1"},
        BrowserCase{"firefox_recvonly_offer.sdp", 126, 127, "42e01f", 109, "useinbandfec=1"},
        BrowserCase{"safari_recvonly_offer.sdp", 98, 99, "42e01f", 111,
                    "minptime=10;useinbandfec=1"},
        BrowserCase{"gstreamer_recvonly_offer.sdp", 96, 97, "42e01f", 111, "useinbandfec=1"}}) {
    SCOPED_TRACE(c.fixture);
    SessionDescription offer = parse_fixture(c.fixture);
    AnswerParams p = params();
    std::string text = build_answer(offer, p);
    check_common(offer, text, p);
    SessionDescription a = reparse(text);
    ASSERT_EQ(a.media.size(), 2u);
    EXPECT_EQ(a.bundle_mids, offer.bundle_mids);
    check_video(a.media[0], c.video_pt, c.rtx_pt, c.plid);
    check_audio(a.media[1], c.audio_pt, c.audio_fmtp);
    EXPECT_EQ(count(text, "a=fmtp:" + std::to_string(c.video_pt) + " level-asymmetry-allowed=1;"),
              1u);
  }
}

TEST(BuildAnswer, SafariHighStreamUsesConstrainedHighPayloadType) {
  SessionDescription offer = parse_fixture("safari_recvonly_offer.sdp");
  AnswerParams p = params("640028");
  AnswerPlan plan = plan_answer(offer, p);
  ASSERT_NE(plan.video(), nullptr);
  EXPECT_EQ(plan.video()->h264->match, H264Match::Practical);
  std::string text = build_answer(offer, p, plan);
  check_common(offer, text, p);
  check_video(reparse(text).media[0], 96, 97, "640c1f");
}

TEST(BuildAnswer, FirefoxMainStreamRejectsVideoKeepsAudio) {
  SessionDescription offer = parse_fixture("firefox_recvonly_offer.sdp");
  AnswerParams p = params("4d0028");
  AnswerPlan plan = plan_answer(offer, p);
  EXPECT_EQ(plan.video(), nullptr);
  EXPECT_EQ(plan.sections[0].reject_reason,
            "no H264 payload type with packetization-mode=1 that decodes main (4d0028)");
  std::string text = build_answer(offer, p, plan);
  check_common(offer, text, p);
  SessionDescription a = reparse(text);
  EXPECT_EQ(a.media[0].port, 0);
  EXPECT_EQ(a.bundle_mids, std::vector<std::string>{"1"});
  EXPECT_EQ(a.media[1].candidates.size(), 2u);  // the audio section is now the tagged one
  EXPECT_NE(section_text(text, 0).find("m=video 0 UDP/TLS/RTP/SAVPF 120 124 121"),
            std::string::npos);
}

TEST(BuildAnswer, FeedbackAndExtensionsOnlyWhenAsked) {
  SessionDescription offer = parse_fixture("firefox_recvonly_offer.sdp");
  AnswerParams p = params();
  p.goog_remb = true;
  p.transport_cc = true;
  p.header_extensions = {MidUri, TwccUri, PlayoutDelayUri, "urn:not:offered"};
  AnswerPlan plan = plan_answer(offer, p);
  std::string text = build_answer(offer, p, plan);
  check_common(offer, text, p);
  SessionDescription a = reparse(text);
  EXPECT_EQ(a.media[0].payload_types[0].rtcp_fb,
            (std::vector<std::string>{"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"}));
  ASSERT_EQ(a.media[0].extmaps.size(), 3u);
  EXPECT_EQ(a.media[0].extmaps[0].id, 3);
  EXPECT_EQ(a.media[0].extmaps[0].uri, MidUri);
  EXPECT_EQ(a.media[0].extmaps[1].id, 7);
  EXPECT_EQ(a.media[0].extmaps[2].id, 6);
  EXPECT_EQ(a.media[0].extmaps[2].direction, "sendonly");  // offered 6/recvonly
  ASSERT_EQ(a.media[1].extmaps.size(), 1u);                // audio offers mid but not TWCC
  EXPECT_EQ(a.media[1].extmaps[0].id, 3);
  EXPECT_TRUE(a.media[1].payload_types[0].rtcp_fb.empty());  // Firefox offers no opus feedback
  EXPECT_EQ(plan.video()->extmaps.size(), 3u);

  SessionDescription chrome = parse_fixture("chrome_recvonly_offer.sdp");
  std::string chrome_text = build_answer(chrome, p);
  SessionDescription ca = reparse(chrome_text);
  EXPECT_EQ(ca.media[1].payload_types[0].rtcp_fb, std::vector<std::string>{"transport-cc"});
  EXPECT_EQ(ca.media[0].find_extmap(TwccUri)->id, 4);
}

TEST(BuildAnswer, RejectsDataChannelAndAudioWithoutOpus) {
  std::string text = minimal_offer(
      "m=audio 9 UDP/TLS/RTP/SAVPF 0 8\na=mid:1\na=rtcp-mux\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=mid:2\na=sctp-port:5000\n");
  text.replace(text.find("BUNDLE 0"), 8, "BUNDLE 0 1 2");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params();
  AnswerPlan plan = plan_answer(*r.offer, p);
  EXPECT_EQ(plan.sections[1].reject_reason, "no opus/48000/2 offered");
  EXPECT_EQ(plan.sections[2].reject_reason, "data channels are not supported");
  std::string answer = build_answer(*r.offer, p, plan);
  check_common(*r.offer, answer, p);
  EXPECT_EQ(section_text(answer, 1),
            "m=audio 0 UDP/TLS/RTP/SAVPF 0 8\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:srv1\r\n"
            "a=ice-pwd:serverpassword0123456789\r\na=fingerprint:sha-256 " +
                std::string(Fingerprint) + "\r\na=setup:passive\r\na=mid:1\r\na=inactive\r\n");
  EXPECT_NE(answer.find("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"), std::string::npos);
  EXPECT_NE(answer.find("a=group:BUNDLE 0\r\n"), std::string::npos);
  ASSERT_NE(plan.video(), nullptr);
  EXPECT_EQ(plan.audio(), nullptr);
}

// A bundled audio section offering Opus with the given extra lines.
std::string offer_with_audio(const std::string& audio_lines, const std::string& formats) {
  std::string text = minimal_offer("m=audio 9 UDP/TLS/RTP/SAVPF " + formats +
                                   "\na=mid:1\na=recvonly\na=rtcp-mux\n"
                                   "a=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1\n" +
                                   audio_lines);
  text.replace(text.find("BUNDLE 0"), 8, "BUNDLE 0 1");
  return text;
}

TEST(BuildAnswer, AudioNackAndRtxAnsweredWhenOffered) {
  ParseResult r = parse_offer(
      offer_with_audio("a=rtcp-fb:111 nack\na=rtpmap:112 rtx/48000\na=fmtp:112 apt=111\n"
                       "a=rtcp-fb:111 transport-cc\n",
                       "111 112"));
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params();
  p.audio_rtx_ssrc = 4444;
  p.transport_cc = true;
  AnswerPlan plan = plan_answer(*r.offer, p);
  ASSERT_NE(plan.audio(), nullptr);
  EXPECT_TRUE(plan.audio()->opus->nack);
  EXPECT_EQ(plan.audio()->opus->rtx_pt, 112);
  EXPECT_EQ(plan.audio()->rtx_pt(), 112);
  std::string text = build_answer(*r.offer, p, plan);
  check_common(*r.offer, text, p);
  SessionDescription a = reparse(text);
  const MediaSection& audio = a.media[1];
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111", "112"}));
  ASSERT_EQ(audio.payload_types.size(), 2u);
  EXPECT_EQ(audio.payload_types[0].rtcp_fb, (std::vector<std::string>{"nack", "transport-cc"}));
  EXPECT_TRUE(audio.payload_types[1].is("rtx", 48000));
  EXPECT_EQ(*audio.payload_types[1].fmtp_param("apt"), "111");
  EXPECT_EQ(audio.ssrc_groups, std::vector<std::string>{"FID 3333 4444"});
  ASSERT_EQ(audio.ssrcs.size(), 4u);
  EXPECT_EQ(audio.ssrcs[2].ssrc, 4444u);
  EXPECT_EQ(audio.ssrcs[2].value, "airclass");
  EXPECT_EQ(audio.ssrcs[3].value, "live audio");
  // Audio RTX does not leak into the video section, which was offered no RTX.
  EXPECT_TRUE(a.media[0].ssrc_groups.empty());
  EXPECT_EQ(a.media[0].formats, std::vector<std::string>{"96"});
  EXPECT_EQ(count(text, "a=rtpmap:112 rtx/48000\r\n"), 1u);
}

// A real webrtcbin offer (GStreamer 1.22, do-nack on both transceivers): webrtcbin refuses an
// answer without a=setup in each section; this one also asks for audio NACK and RTX.
TEST(BuildAnswer, RealWebrtcbinOfferWithAudioNackGetsAudioRtx) {
  SessionDescription offer = parse_fixture("gstreamer_webrtcbin_audio_nack_offer.sdp");
  AnswerParams p = params();
  p.audio_rtx_ssrc = 4444;
  std::string text = build_answer(offer, p);
  check_common(offer, text, p);
  SessionDescription a = reparse(text);
  ASSERT_EQ(a.media.size(), 2u);
  EXPECT_EQ(a.bundle_mids, (std::vector<std::string>{"video0", "audio1"}));
  check_video(a.media[0], 96, 97, "42e01f");
  const MediaSection& audio = a.media[1];
  EXPECT_EQ(audio.port, 9);  // offered bundle-only with port 0
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111", "98"}));
  EXPECT_TRUE(audio.payload_types[0].is("opus", 48000));
  EXPECT_EQ(audio.payload_types[0].channels, 2);  // offered OPUS/48000, answered as RFC 7587
  EXPECT_EQ(audio.payload_types[0].rtcp_fb, std::vector<std::string>{"nack"});
  EXPECT_TRUE(audio.payload_types[1].is("rtx", 48000));
  EXPECT_EQ(*audio.payload_types[1].fmtp_param("apt"), "111");
  EXPECT_EQ(audio.ssrc_groups, std::vector<std::string>{"FID 3333 4444"});
  EXPECT_EQ(count(section_text(text, 0), "\r\na=candidate:"), 2u);
  EXPECT_EQ(count(section_text(text, 1), "\r\na=candidate:"), 0u);  // bundled: the tag only
}

TEST(BuildAnswer, AudioRtxNeedsNackAndTheAudioClock) {
  struct Case {
    const char* lines;
    const char* formats;
    bool nack;
  };
  for (const Case& c : {
           // NACK alone: answered (retransmitted on the audio SSRC), no RTX.
           Case{"a=rtcp-fb:111 nack\n", "111", true},
           // RTX without NACK: nothing would ask for a retransmission.
           Case{"a=rtpmap:112 rtx/48000\na=fmtp:112 apt=111\n", "111 112", false},
           // RTX at the video clock cannot repair Opus (RFC 4588 8.6).
           Case{"a=rtcp-fb:111 nack\na=rtpmap:112 rtx/90000\na=fmtp:112 apt=111\n", "111 112",
                true},
           // RTX for another payload type.
           Case{"a=rtcp-fb:111 nack\na=rtpmap:112 rtx/48000\na=fmtp:112 apt=110\n", "111 112",
                true},
           // "nack pli" is not generic NACK.
           Case{"a=rtcp-fb:111 nack pli\na=rtpmap:112 rtx/48000\na=fmtp:112 apt=111\n", "111 112",
                false},
       }) {
    SCOPED_TRACE(c.lines);
    ParseResult r = parse_offer(offer_with_audio(c.lines, c.formats));
    ASSERT_TRUE(r) << r.error;
    AnswerParams p = params();
    p.audio_rtx_ssrc = 4444;
    AnswerPlan plan = plan_answer(*r.offer, p);
    ASSERT_NE(plan.audio(), nullptr);
    EXPECT_EQ(plan.audio()->opus->nack, c.nack);
    EXPECT_EQ(plan.audio()->rtx_pt(), std::nullopt);
    std::string text = build_answer(*r.offer, p, plan);
    check_common(*r.offer, text, p);
    SessionDescription a = reparse(text);
    EXPECT_EQ(a.media[1].formats, std::vector<std::string>{"111"});
    EXPECT_EQ(a.media[1].payload_types[0].rtcp_fb,
              c.nack ? std::vector<std::string>{"nack"} : std::vector<std::string>{});
    EXPECT_TRUE(a.media[1].ssrc_groups.empty());
    EXPECT_EQ(count(text, "4444"), 0u);
  }
}

TEST(BuildAnswer, NoAudioInStreamRejectsAudio) {
  SessionDescription offer = parse_fixture("chrome_recvonly_offer.sdp");
  AnswerParams p = params();
  p.audio_available = false;
  std::string text = build_answer(offer, p);
  check_common(offer, text, p);
  EXPECT_EQ(reparse(text).media[1].port, 0);
  EXPECT_NE(text.find("a=group:BUNDLE 0\r\n"), std::string::npos);
}

// avSync: no puts the audio in a stream of its own, so the browser does not hold the video back
// to the audio's jitter buffer.
TEST(BuildAnswer, AudioInItsOwnStreamWhenNotLipSynced) {
  SessionDescription offer = parse_fixture("chrome_recvonly_offer.sdp");
  AnswerParams p = params();
  p.audio_stream_id = "live-audio";
  std::string text = build_answer(offer, p);
  EXPECT_EQ(count(text, "a=msid-semantic:WMS live live-audio\r\n"), 1u);
  SessionDescription a = reparse(text);
  ASSERT_EQ(a.media.size(), 2u);
  EXPECT_EQ(a.media[0].msids, std::vector<std::string>{"live video"});
  EXPECT_EQ(a.media[1].msids, std::vector<std::string>{"live-audio audio"});
  ASSERT_EQ(a.media[1].ssrcs.size(), 2u);
  EXPECT_EQ(a.media[1].ssrcs[1].value, "live-audio audio");
  EXPECT_EQ(a.media[0].ssrcs[1].value, "live video");
}

TEST(BuildAnswer, ViewerThatWillNotReceiveGetsInactive) {
  std::string text = minimal_offer();
  text.replace(text.find("a=recvonly"), 10, "a=sendonly");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params();
  std::string answer = build_answer(*r.offer, p);
  check_common(*r.offer, answer, p);
  SessionDescription a = reparse(answer);
  EXPECT_EQ(a.media[0].port, 9);
  EXPECT_EQ(a.media[0].direction, Direction::Inactive);
  EXPECT_TRUE(a.media[0].ssrcs.empty());
  EXPECT_TRUE(a.media[0].msids.empty());
}

TEST(BuildAnswer, SecondVideoSectionIsRejected) {
  std::string text = minimal_offer(
      "m=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:1\na=rtcp-mux\na=recvonly\n"
      "a=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1\n");
  text.replace(text.find("BUNDLE 0"), 8, "BUNDLE 0 1");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  AnswerPlan plan = plan_answer(*r.offer, params());
  EXPECT_EQ(plan.sections[0].outcome, SectionOutcome::Video);
  EXPECT_EQ(plan.sections[1].outcome, SectionOutcome::Rejected);
  EXPECT_EQ(plan.sections[1].reject_reason, "only one video track is sent");
  EXPECT_EQ(plan.bundle_mids, std::vector<std::string>{"0"});
}

TEST(BuildAnswer, SectionsOutsideBundleOrWithoutRtcpMuxAreRejected) {
  std::string text = minimal_offer(
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:1\na=rtcp-mux\na=rtpmap:111 opus/48000/2\n"
      "a=ice-ufrag:efgh\na=ice-pwd:abcdefghijklmnopqrstuv\n"
      "a=fingerprint:sha-256 "
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
      "EE:FF\n");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(plan_answer(*r.offer, params()).sections[1].reject_reason, "not in the BUNDLE group");
  std::string no_mux = minimal_offer();
  no_mux.erase(no_mux.find("a=rtcp-mux\n"), 11);
  ParseResult m = parse_offer(no_mux);
  ASSERT_TRUE(m) << m.error;
  EXPECT_EQ(plan_answer(*m.offer, params()).sections[0].reject_reason, "rtcp-mux not offered");
}

TEST(BuildAnswer, GoldenMinimalAnswer) {
  ParseResult r = parse_offer(minimal_offer());
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params();
  p.candidates = {Candidate};
  EXPECT_EQ(build_answer(*r.offer, p),
            "v=0\r\n"
            "o=- 4611686018427387904 2 IN IP4 0.0.0.0\r\n"
            "s=-\r\n"
            "t=0 0\r\n"
            "a=group:BUNDLE 0\r\n"
            "a=ice-lite\r\n"
            "a=msid-semantic:WMS live\r\n"
            "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
            "c=IN IP4 0.0.0.0\r\n"
            "a=ice-ufrag:srv1\r\n"
            "a=ice-pwd:serverpassword0123456789\r\n"
            "a=fingerprint:sha-256 " +
                std::string(Fingerprint) +
                "\r\n"
                "a=setup:passive\r\n"
                "a=mid:0\r\n"
                "a=sendonly\r\n"
                "a=rtcp-mux\r\n"
                "a=msid:live video\r\n"
                "a=rtpmap:96 H264/90000\r\n"
                "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"
                "a=ssrc:1111 cname:airclass\r\n"
                "a=ssrc:1111 msid:live video\r\n"
                "a=" +
                Candidate +
                "\r\n"
                "a=end-of-candidates\r\n");
}

// The VP8 video section of an answer: VP8 and its RTX, the H.264 answer's feedback, our SSRCs.
void check_vp8_video(const MediaSection& v, uint8_t pt, std::optional<uint8_t> rtx,
                     const std::vector<std::string>& feedback) {
  ASSERT_EQ(v.payload_types.size(), rtx ? 2u : 1u);
  EXPECT_EQ(v.payload_types[0].pt, pt);
  EXPECT_TRUE(v.payload_types[0].is("VP8", 90000));
  EXPECT_TRUE(v.payload_types[0].fmtp_raw.empty());
  EXPECT_EQ(v.payload_types[0].rtcp_fb, feedback);
  EXPECT_EQ(v.direction, Direction::SendOnly);
  EXPECT_EQ(v.msids, std::vector<std::string>{"live video"});
  if (rtx) {
    EXPECT_TRUE(v.payload_types[1].is("rtx", 90000));
    EXPECT_EQ(*v.payload_types[1].fmtp_param("apt"), std::to_string(pt));
    EXPECT_EQ(v.ssrc_groups, std::vector<std::string>{"FID 1111 2222"});
    ASSERT_EQ(v.ssrcs.size(), 4u);
  } else {
    EXPECT_TRUE(v.ssrc_groups.empty());
    ASSERT_EQ(v.ssrcs.size(), 2u);
  }
  EXPECT_EQ(v.ssrcs[1].value, "live video");
}

// Debian's firefox-esr without OpenH264 (a real capture) offers VP8, VP9 and AV1 only.
TEST(BuildAnswer, FirefoxEsrWithoutH264GetsVp8WhenTheServerHasIt) {
  SessionDescription offer = parse_fixture("firefox_esr_debian_offer.sdp");
  AnswerParams p = params();
  p.vp8_available = true;
  AnswerPlan plan = plan_answer(offer, p);
  ASSERT_TRUE(plan.video() && plan.video()->vp8 && !plan.video()->h264);
  EXPECT_EQ(plan.video()->payload_type(), 120);
  EXPECT_EQ(plan.video()->rtx_pt(), 124);
  std::string text = build_answer(offer, p, plan);
  check_common(offer, text, p);
  SessionDescription a = reparse(text);
  ASSERT_EQ(a.media.size(), 2u);
  EXPECT_EQ(a.media[0].formats, (std::vector<std::string>{"120", "124"}));
  check_vp8_video(a.media[0], 120, 124, {"nack", "nack pli", "ccm fir"});
  EXPECT_TRUE(a.media[1].payload_types[0].is("opus", 48000));

  // REMB and TWCC exactly as for H.264: only when we act on them and the offer has them.
  p.goog_remb = true;
  p.transport_cc = true;
  SessionDescription b = reparse(build_answer(offer, p));
  check_vp8_video(b.media[0], 120, 124,
                  {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"});
}

TEST(BuildAnswer, H264WinsOverVp8WhenBothAreUsable) {
  SessionDescription offer = parse_fixture("chrome_recvonly_offer.sdp");
  AnswerParams p = params();
  p.vp8_available = true;
  AnswerPlan plan = plan_answer(offer, p);
  ASSERT_TRUE(plan.video() && plan.video()->h264 && !plan.video()->vp8);
  std::string text = build_answer(offer, p, plan);
  check_video(reparse(text).media[0], 108, 109, "42e01f");
  EXPECT_EQ(count(text, "VP8"), 0u);
}

TEST(BuildAnswer, WithoutVp8RenditionOrVp8OfferTheReasonNamesBoth) {
  SessionDescription firefox = parse_fixture("firefox_esr_debian_offer.sdp");
  AnswerPlan no_rendition = plan_answer(firefox, params());  // vp8_available false
  EXPECT_EQ(no_rendition.sections[0].reject_reason,
            "no H264 payload type with packetization-mode=1 that decodes constrained-baseline "
            "(42c028)");
  // A Main stream to the H.264-only minimal offer (42e01f): neither codec fits.
  ParseResult r = parse_offer(minimal_offer());
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params("4d0028");
  p.vp8_available = true;
  EXPECT_EQ(plan_answer(*r.offer, p).sections[0].reject_reason,
            "no H264 payload type with packetization-mode=1 that decodes main (4d0028) and no "
            "VP8/90000 payload type");
}

// VP8 alone, no feedback and no RTX offered: the smallest VP8 answer.
TEST(BuildAnswer, Vp8WithoutFeedbackOrRtx) {
  std::string text = minimal_offer();
  text.replace(text.find("a=rtpmap:96 H264/90000"), 22, "a=rtpmap:96 VP8/90000");
  text.erase(text.find("a=fmtp:96"));
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  AnswerParams p = params();
  p.vp8_available = true;
  std::string answer = build_answer(*r.offer, p);
  check_vp8_video(reparse(answer).media[0], 96, std::nullopt, {});
  EXPECT_NE(answer.find("a=msid:live video\r\na=rtpmap:96 VP8/90000\r\na=ssrc:1111 cname:"),
            std::string::npos);
}

}  // namespace
}  // namespace webrtc::sdp
