#include "whep_client/offer_builder.hpp"

#include <string_view>

namespace tools::whep_client {
namespace {

// Transport lines repeated in every section, as browsers do (JSEP 5.2.1).
void add_transport(std::string& out, const OfferParams& p, std::string_view mid) {
  out += "c=IN IP4 0.0.0.0\r\n";
  out += "a=rtcp:9 IN IP4 0.0.0.0\r\n";
  out += "a=ice-ufrag:" + p.ice.ufrag + "\r\n";
  out += "a=ice-pwd:" + p.ice.pwd + "\r\n";
  out += "a=fingerprint:" + p.fingerprint + "\r\n";
  out += "a=setup:actpass\r\n";
  out += "a=mid:";
  out += mid;
  out += "\r\n";
  out += "a=recvonly\r\n";
  out += "a=rtcp-mux\r\n";
}

// RFC 8285 8: one extmap line per section; BUNDLE makes the id transport-wide in practice.
void add_transport_cc_extension(std::string& out, const OfferParams& p) {
  if (!p.transport_cc) return;
  out += "a=extmap:" + std::to_string(OfferTransportCcExtension) + " " + TransportCcUri + "\r\n";
}

void add_h264(std::string& out, const OfferParams& p, uint8_t pt, uint8_t rtx_pt,
              std::string_view profile_level_id) {
  const std::string n = std::to_string(pt);
  const std::string r = std::to_string(rtx_pt);
  out += "a=rtpmap:" + n + " H264/90000\r\n";
  if (p.transport_cc) out += "a=rtcp-fb:" + n + " transport-cc\r\n";
  for (const char* fb : {"ccm fir", "nack", "nack pli"}) {
    out += "a=rtcp-fb:" + n + " " + fb + "\r\n";
  }
  out += "a=fmtp:" + n + " level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=";
  out += profile_level_id;
  out += "\r\n";
  // RFC 4588 8.6: the retransmission payload type names its original with apt.
  out += "a=rtpmap:" + r + " rtx/90000\r\n";
  out += "a=fmtp:" + r + " apt=" + n + "\r\n";
}

}  // namespace

std::string build_offer(const OfferParams& p) {
  std::string out;
  out.reserve(2048);
  out += "v=0\r\n";
  out += "o=- " + std::to_string(p.session_id) + " 2 IN IP4 127.0.0.1\r\n";
  out += "s=-\r\n";
  out += "t=0 0\r\n";
  out += p.audio ? "a=group:BUNDLE 0 1\r\n" : "a=group:BUNDLE 0\r\n";
  out += "a=msid-semantic: WMS\r\n";

  using namespace offer_pt;
  out += "m=video 9 UDP/TLS/RTP/SAVPF " + std::to_string(H264Baseline) + " " +
         std::to_string(H264BaselineRtx) + " " + std::to_string(H264High) + " " +
         std::to_string(H264HighRtx) + "\r\n";
  add_transport(out, p, "0");
  add_transport_cc_extension(out, p);
  out += "a=rtcp-rsize\r\n";
  add_h264(out, p, H264Baseline, H264BaselineRtx, "42e01f");
  add_h264(out, p, H264High, H264HighRtx, "640c1f");

  if (p.audio) {
    out += "m=audio 9 UDP/TLS/RTP/SAVPF " + std::to_string(Opus) + "\r\n";
    add_transport(out, p, "1");
    add_transport_cc_extension(out, p);
    out += "a=rtpmap:" + std::to_string(Opus) + " opus/48000/2\r\n";
    if (p.transport_cc) out += "a=rtcp-fb:" + std::to_string(Opus) + " transport-cc\r\n";
    out += "a=fmtp:" + std::to_string(Opus) + " minptime=10;useinbandfec=1\r\n";
  }
  return out;
}

}  // namespace tools::whep_client
