#include "webrtc/sdp/offer_parser.hpp"

#include <gtest/gtest.h>

#include "webrtc/sdp/h264_profile_level_id.hpp"
#include "webrtc/sdp/sdp_test_support.hpp"

namespace webrtc::sdp {
namespace {

using test::minimal_offer;
using test::parse_error;
using test::parse_fixture;

std::vector<uint8_t> pts(const MediaSection& m) {
  std::vector<uint8_t> out;
  for (const auto& p : m.payload_types)
    out.push_back(p.pt);
  return out;
}

// profile-level-id of every packetization-mode=1 H264 payload type, in offer order.
std::vector<std::string> h264_profiles(const MediaSection& m) {
  std::vector<std::string> out;
  for (const auto& p : m.payload_types) {
    const std::string* mode = p.fmtp_param("packetization-mode");
    if (!p.is("H264", 90000) || mode == nullptr || *mode != "1") continue;
    const std::string* plid = p.fmtp_param("profile-level-id");
    out.push_back(plid ? *plid : "-");
  }
  return out;
}

TEST(OfferParser, ChromeFixture) {
  SessionDescription sd = parse_fixture("chrome_recvonly_offer.sdp");
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(sd.extmap_allow_mixed);
  EXPECT_EQ(sd.ice_options, std::vector<std::string>{});
  const MediaSection& v = sd.media[0];
  EXPECT_EQ(v.kind, MediaKind::Video);
  EXPECT_EQ(v.mid, "0");
  EXPECT_EQ(v.port, 9);
  EXPECT_EQ(v.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(v.direction, Direction::RecvOnly);
  EXPECT_EQ(v.payload_types.size(), 34u);
  EXPECT_EQ(pts(v).front(), 96);
  EXPECT_EQ(pts(v).back(), 49);
  EXPECT_EQ(h264_profiles(v), (std::vector<std::string>{"42001f", "42e01f", "4d001f", "f4001f"}));
  EXPECT_EQ(v.ice_ufrag, "K4cY");
  EXPECT_EQ(v.ice_pwd, "/LoEjs5/D6MIql3L5w/ighS1");
  ASSERT_EQ(v.fingerprints.size(), 1u);
  EXPECT_EQ(v.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(v.fingerprints[0].value.substr(0, 11), "A9:0F:0A:7F");
  EXPECT_EQ(v.setup, SetupRole::ActPass);
  EXPECT_TRUE(v.rtcp_mux);
  EXPECT_TRUE(v.rtcp_rsize);
  EXPECT_EQ(v.extmaps.size(), 11u);
  ASSERT_NE(v.find_extmap("urn:ietf:params:rtp-hdrext:sdes:mid"), nullptr);
  EXPECT_EQ(v.find_extmap("urn:ietf:params:rtp-hdrext:sdes:mid")->id, 9);
  const PayloadType* h264 = v.find(102);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->encoding, "H264");
  EXPECT_EQ(h264->clock_rate, 90000u);
  EXPECT_EQ(h264->rtcp_fb,
            (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(*h264->fmtp_param("level-asymmetry-allowed"), "1");
  EXPECT_EQ(*v.find(103)->fmtp_param("apt"), "102");
  EXPECT_TRUE(v.candidates.empty());  // generated without network

  const MediaSection& a = sd.media[1];
  EXPECT_EQ(a.kind, MediaKind::Audio);
  EXPECT_EQ(a.mid, "1");
  EXPECT_EQ(pts(a), (std::vector<uint8_t>{111, 63, 9, 0, 8, 13, 110, 126}));
  ASSERT_NE(a.find(111), nullptr);
  EXPECT_TRUE(a.find(111)->is("opus", 48000));
  EXPECT_EQ(a.find(111)->channels, 2);
  EXPECT_EQ(*a.find(111)->fmtp_param("minptime"), "10");
  EXPECT_EQ(a.find(63)->fmtp_raw, "111/111");
  EXPECT_EQ(a.find(0)->encoding, "PCMU");
}

TEST(OfferParser, FirefoxFixture) {
  SessionDescription sd = parse_fixture("firefox_recvonly_offer.sdp");
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.ice_options, std::vector<std::string>{"trickle"});
  ASSERT_EQ(sd.fingerprints.size(), 1u);  // session level in Firefox
  const MediaSection& v = sd.media[0];
  EXPECT_EQ(v.mid, "0");
  EXPECT_EQ(v.port, 52418);
  EXPECT_EQ(v.connection, "IN IP4 192.168.1.23");
  EXPECT_EQ(h264_profiles(v), (std::vector<std::string>{"42e01f", "42001f"}));
  EXPECT_EQ(v.ice_ufrag, "5c2e91b4");
  ASSERT_EQ(v.fingerprints.size(), 1u);  // resolved from session level
  EXPECT_EQ(v.fingerprints[0].value.substr(0, 5), "4F:0B");
  EXPECT_EQ(v.candidates.size(), 3u);
  EXPECT_EQ(v.candidates[0], "candidate:0 1 UDP 2122252543 192.168.1.23 52418 typ host");
  EXPECT_TRUE(v.end_of_candidates);
  ASSERT_EQ(v.ssrcs.size(), 1u);
  EXPECT_EQ(v.ssrcs[0].ssrc, 2829421871u);
  EXPECT_EQ(v.ssrcs[0].attribute, "cname");
  EXPECT_EQ(v.extmaps[3].id, 6);
  EXPECT_EQ(v.extmaps[3].direction, "recvonly");
  const MediaSection& a = sd.media[1];
  EXPECT_EQ(a.port, 0);
  EXPECT_TRUE(a.bundle_only);
  EXPECT_FALSE(a.rejected());
  EXPECT_EQ(pts(a), (std::vector<uint8_t>{109, 9, 0, 8, 101}));
  EXPECT_EQ(a.find(9)->channels, 1);
  EXPECT_EQ(a.find(101)->fmtp_raw, "0-15");
}

TEST(OfferParser, SafariFixture) {
  SessionDescription sd = parse_fixture("safari_recvonly_offer.sdp");
  ASSERT_EQ(sd.media.size(), 2u);
  const MediaSection& v = sd.media[0];
  EXPECT_EQ(h264_profiles(v), (std::vector<std::string>{"640c1f", "42e01f"}));
  EXPECT_EQ(H264ProfileLevelId::parse("640c1f")->profile, H264Profile::ConstrainedHigh);
  EXPECT_EQ(v.ice_ufrag, "hZ3q");
  EXPECT_EQ(v.candidates.size(), 2u);
  EXPECT_NE(v.candidates[0].find(".local 61238 typ host"), std::string::npos);
  // Safari writes "a=rtcp-fb:96 goog-remb " with a trailing space.
  EXPECT_TRUE(v.has_rtcp_fb(96, "goog-remb"));
  EXPECT_TRUE(v.has_rtcp_fb(96, "nack pli"));
  EXPECT_EQ(sd.media[1].mid, "1");
  EXPECT_EQ(sd.media[1].direction, Direction::RecvOnly);
}

TEST(OfferParser, GStreamerFixture) {
  SessionDescription sd = parse_fixture("gstreamer_recvonly_offer.sdp");
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.bundle_mids, (std::vector<std::string>{"video0", "audio1"}));
  const MediaSection& v = sd.media[0];
  EXPECT_EQ(v.mid, "video0");
  EXPECT_EQ(pts(v), (std::vector<uint8_t>{96, 97}));
  EXPECT_EQ(h264_profiles(v), std::vector<std::string>{"-"});
  EXPECT_EQ(v.ice_ufrag.size(), 32u);
  EXPECT_EQ(v.candidates.size(), 3u);
  const MediaSection& a = sd.media[1];
  EXPECT_TRUE(a.bundle_only);
  EXPECT_TRUE(a.find(111)->is("opus", 48000));  // written OPUS
  EXPECT_TRUE(a.candidates.empty());
}

TEST(OfferParser, AcceptsLfAndCrlfAlike) {
  std::string lf = minimal_offer();
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  ParseResult a = parse_offer(lf);
  ParseResult b = parse_offer(crlf);
  ASSERT_TRUE(a) << a.error;
  ASSERT_TRUE(b) << b.error;
  EXPECT_EQ(a.offer->media[0].ice_pwd, b.offer->media[0].ice_pwd);
  EXPECT_EQ(b.offer->media[0].ice_pwd, "abcdefghijklmnopqrstuv");
}

TEST(OfferParser, SessionLevelAttributesApplyToSections) {
  std::string text =
      "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=ice-lite\na=ice-ufrag:sess\n"
      "a=ice-pwd:0123456789012345678901\na=fingerprint:sha-1 "
      "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33\na=setup:active\n"
      "a=sendonly\na=extmap-allow-mixed\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n";
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  const MediaSection& m = r.offer->media[0];
  EXPECT_TRUE(r.offer->ice_lite);
  EXPECT_EQ(m.ice_ufrag, "sess");
  EXPECT_EQ(m.fingerprints[0].algorithm, "sha-1");
  EXPECT_EQ(m.fingerprints[0].value.substr(30), "AA:BB:CC:DD:EE:FF:00:11:22:33");  // uppercased
  EXPECT_EQ(m.setup, SetupRole::Active);
  EXPECT_EQ(m.direction, Direction::SendOnly);
  EXPECT_TRUE(m.extmap_allow_mixed);
  EXPECT_EQ(m.mid, "");
}

TEST(OfferParser, BundledSectionInheritsTransportFromTaggedSection) {
  std::string text = minimal_offer() +
                     "m=audio 0 UDP/TLS/RTP/SAVPF 111\na=mid:1\na=bundle-only\na=rtcp-mux\n"
                     "a=rtpmap:111 opus/48000/2\n";
  text.replace(text.find("a=group:BUNDLE 0"), 16, "a=group:BUNDLE 0 1");
  ParseResult r = parse_offer(text);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.offer->media[1].ice_ufrag, "abcd");
  EXPECT_EQ(r.offer->media[1].fingerprints.size(), 1u);
  EXPECT_EQ(r.offer->media[1].setup, SetupRole::ActPass);
}

TEST(OfferParser, RejectedSectionNeedsNoTransport) {
  ParseResult r =
      parse_offer(minimal_offer() + "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\na=mid:2\n");
  ASSERT_TRUE(r) << r.error;
  EXPECT_TRUE(r.offer->media[1].rejected());
  EXPECT_EQ(r.offer->media[1].kind, MediaKind::Application);
  EXPECT_EQ(r.offer->media[1].formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_TRUE(r.offer->media[1].payload_types.empty());
}

TEST(OfferParser, FmtpRtcpFbAndSsrcDetails) {
  ParseResult r = parse_offer(minimal_offer(
      "a=rtcp-fb:* nack\na=rtcp-fb:96   ccm    fir\na=rtcp-fb:77 nack pli\n"
      "a=rtpmap:77 VP8/90000\na=ssrc-group:FID 1 2\na=ssrc:1 msid:s t\na=ssrc:2 cname:x\n"
      "a=msid:s t\na=extmap:14/sendrecv urn:x two words\n"));
  ASSERT_TRUE(r) << r.error;
  const MediaSection& m = r.offer->media[0];
  EXPECT_EQ(m.rtcp_fb_all, std::vector<std::string>{"nack"});
  EXPECT_EQ(m.find(96)->rtcp_fb, std::vector<std::string>{"ccm fir"});
  EXPECT_TRUE(m.has_rtcp_fb(96, "nack"));  // via *
  EXPECT_FALSE(m.has_rtcp_fb(96, "nack pli"));
  EXPECT_EQ(m.find(77), nullptr);  // not on the m-line: ignored
  EXPECT_EQ(*m.find(96)->fmtp_param("profile-level-id"), "42e01f");
  EXPECT_EQ(m.ssrc_groups, std::vector<std::string>{"FID 1 2"});
  ASSERT_EQ(m.ssrcs.size(), 2u);
  EXPECT_EQ(m.ssrcs[0].value, "s t");
  EXPECT_EQ(m.msids, std::vector<std::string>{"s t"});
  EXPECT_EQ(m.extmaps[0].attributes, "two words");
}

TEST(OfferParser, ClearErrors) {
  EXPECT_EQ(parse_error(""), "offer is empty");
  EXPECT_EQ(parse_error("o=- 1 1 IN IP4 0.0.0.0\n"), "offer does not start with v=0");
  EXPECT_EQ(parse_error("v=0\ns=-\n"), "offer has no o= line");
  EXPECT_EQ(parse_error("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n"), "offer has no m= sections");
  std::string no_ufrag = minimal_offer();
  no_ufrag.erase(no_ufrag.find("a=ice-ufrag:abcd\n"), 17);
  EXPECT_EQ(parse_error(no_ufrag), "offer has no ice-ufrag");
  std::string no_fp = minimal_offer();
  no_fp.erase(no_fp.find("a=fingerprint"), no_fp.find("a=setup") - no_fp.find("a=fingerprint"));
  EXPECT_EQ(parse_error(no_fp), "offer has no fingerprint");
  std::string passive = minimal_offer();
  passive.replace(passive.find("actpass"), 7, "passive");
  EXPECT_NE(parse_error(passive).find("a=setup:passive"), std::string::npos);
  std::string no_pts = minimal_offer();
  no_pts.replace(no_pts.find("SAVPF 96"), 8, "SAVPF");
  EXPECT_EQ(parse_error(no_pts), "line 6: m=video has no payload types");
  EXPECT_EQ(parse_error(minimal_offer("a=rtpmap:96 H264/90000\n")),
            "line 17: duplicate a=rtpmap for payload type 96");
  EXPECT_EQ(parse_error(minimal_offer("x=1\n")), "line 17: unknown line type 'x'");
  EXPECT_EQ(parse_error(minimal_offer("a=ice-ufrag:ab\n")).substr(0, 20), "line 17: a=ice-ufrag");
  EXPECT_EQ(parse_error(minimal_offer("a=fingerprint:sha-256 00:11\n")),
            "line 17: a=fingerprint sha-256 digest has the wrong length");
  EXPECT_EQ(parse_error(minimal_offer("a=extmap:0 urn:x\n")), "line 17: a=extmap has a bad id");
  EXPECT_EQ(parse_error(minimal_offer("a=mid:1\n")), "line 17: duplicate a=mid");
  EXPECT_EQ(parse_error(minimal_offer("a=candidate:1 1 udp\n")), "line 17: malformed a=candidate");
  std::string bad_bundle = minimal_offer();
  bad_bundle.replace(bad_bundle.find("BUNDLE 0"), 8, "BUNDLE 0 9");
  EXPECT_EQ(parse_error(bad_bundle), "BUNDLE group names mid 9 but no m= section has it");
  EXPECT_EQ(parse_error(minimal_offer("m=audio 9 UDP/TLS/RTP/SAVPF 0\na=mid:0\n")),
            "offer uses mid 0 twice");
  EXPECT_EQ(parse_error(minimal_offer("m=video 9 RTP/SAVPF 96 96\n")),
            "line 17: m=video lists payload type 96 twice");
  EXPECT_EQ(parse_error(minimal_offer("m=video 9 RTP/SAVPF 128\n")),
            "line 17: m=video has a bad payload type '128'");
  EXPECT_EQ(parse_error(minimal_offer("m=video 70000 RTP/SAVPF 96\n")),
            "line 17: m=video has a bad port");
  EXPECT_EQ(parse_error(minimal_offer("a=fmtp:96 x=1\n")),
            "line 17: duplicate a=fmtp for payload type 96");
  EXPECT_EQ(parse_error(minimal_offer("a=setup:sometimes\n")),
            "line 17: a=setup has an unknown role");
}

TEST(OfferParser, ToleratesBlankLinesAndUnknownAttributes) {
  ParseResult r =
      parse_offer(minimal_offer("\n  \na=unknown-thing:1 2 3\na=x-google-flag:conf\n"
                                "i=info\nb=AS:2000\n"));
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.offer->media[0].bandwidths, std::vector<std::string>{"AS:2000"});
}

}  // namespace
}  // namespace webrtc::sdp
