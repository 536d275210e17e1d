// libFuzzer target (style rule 10): parse, touch every accessor, and for every accepted offer
// build an answer and check our own parser accepts it. Seed corpus: tests/data/sdp/*.sdp.
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     src/webrtc/sdp/*[^t].cpp src/webrtc/sdp/offer_parser_fuzz.cpp -o sdp_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "webrtc/sdp/answer_builder.hpp"
#include "webrtc/sdp/offer_parser.hpp"

namespace {

size_t touch(const webrtc::sdp::SessionDescription& sd) {
  size_t n = sd.bundle_mids.size() + sd.ice_options.size();
  for (const auto& m : sd.media) {
    n += m.is_rtp() + m.rejected() + m.candidates.size() + m.ssrcs.size() + m.extmaps.size();
    for (const auto& p : m.payload_types) {
      n += p.fmtp.size() + p.rtcp_fb.size() + m.has_rtcp_fb(p.pt, "nack");
      if (const std::string* v = p.fmtp_param("profile-level-id"))
        n += webrtc::sdp::H264ProfileLevelId::parse(*v).has_value();
    }
    n += (sd.find_mid(m.mid) != nullptr);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  webrtc::sdp::ParseResult r = webrtc::sdp::parse_offer(text);
  if (!r) {
    if (r.error.empty()) std::abort();
    return 0;
  }
  touch(*r.offer);
  webrtc::sdp::AnswerParams params;
  params.ice_ufrag = "fuzz";
  params.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
  params.fingerprint_sha256 =
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
      "DD:EE:FF";
  params.header_extensions = {"urn:ietf:params:rtp-hdrext:sdes:mid"};
  params.cname = "c";
  params.stream_id = "s";
  params.video_track_id = "v";
  params.audio_track_id = "a";
  std::string answer = webrtc::sdp::build_answer(*r.offer, params);
  webrtc::sdp::ParseResult back = webrtc::sdp::parse_session_description(answer);
  if (!back || back.offer->media.size() != r.offer->media.size()) std::abort();
  return 0;
}
