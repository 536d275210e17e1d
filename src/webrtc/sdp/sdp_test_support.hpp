#pragma once
// Test-only helpers: fixture loading and a minimal valid offer to mutate.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "webrtc/sdp/offer_parser.hpp"

namespace webrtc::sdp::test {

inline std::string load_fixture(const std::string& name) {
  std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline SessionDescription parse_fixture(const std::string& name) {
  std::string text = load_fixture(name);
  EXPECT_FALSE(text.empty()) << name;
  ParseResult r = parse_offer(text);
  EXPECT_TRUE(r) << name << ": " << r.error;
  return r ? *r.offer : SessionDescription{};
}

// Smallest offer our parser accepts; tests append or replace lines. LF endings on purpose.
inline std::string minimal_offer(const std::string& video_extra = "") {
  return "v=0\n"
         "o=- 1 2 IN IP4 127.0.0.1\n"
         "s=-\n"
         "t=0 0\n"
         "a=group:BUNDLE 0\n"
         "m=video 9 UDP/TLS/RTP/SAVPF 96\n"
         "c=IN IP4 0.0.0.0\n"
         "a=mid:0\n"
         "a=ice-ufrag:abcd\n"
         "a=ice-pwd:abcdefghijklmnopqrstuv\n"
         "a=fingerprint:sha-256 "
         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
         "DD:EE:FF\n"
         "a=setup:actpass\n"
         "a=recvonly\n"
         "a=rtcp-mux\n"
         "a=rtpmap:96 H264/90000\n"
         "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\n" +
         video_extra;
}

inline std::string parse_error(const std::string& text) {
  ParseResult r = parse_offer(text);
  EXPECT_FALSE(r) << "expected a parse error";
  return r.error;
}

}  // namespace webrtc::sdp::test
