#include "whep_client/answer_info.hpp"

#include <algorithm>

#include "webrtc/sdp/offer_parser.hpp"
#include "whep_client/offer_builder.hpp"

namespace tools::whep_client {
namespace {

using webrtc::ice::CandidateTransport;
using webrtc::ice::IceCandidate;
namespace sdp = webrtc::sdp;

// Lower is better.
int address_rank(const IceCandidate& c) {
  const auto ip = c.address.ip_bytes();
  if (c.address.is_ipv4()) {
    if (ip[0] == 127 && ip[1] == 0 && ip[2] == 0 && ip[3] == 1) return 0;
    if (ip[0] == 127) return 1;
    return 2;
  }
  return 3;
}

bool better(const IceCandidate& a, const IceCandidate& b) {
  const int ra = address_rank(a);
  const int rb = address_rank(b);
  if (ra != rb) return ra < rb;
  return a.priority > b.priority;
}

std::optional<uint8_t> apt_of(const sdp::PayloadType& pt) {
  const std::string* apt = pt.fmtp_param("apt");
  if (apt == nullptr || apt->empty() || apt->size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char ch : *apt) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(ch - '0');
  }
  if (v > 127) return std::nullopt;
  return static_cast<uint8_t>(v);
}

void read_video(const sdp::MediaSection& m, AnswerInfo& out) {
  for (const auto& pt : m.payload_types) {
    if (pt.is("H264", 90000)) {
      out.video_pts.push_back(pt.pt);
    } else if (pt.is("rtx", 90000)) {
      if (auto apt = apt_of(pt)) out.rtx.push_back({pt.pt, *apt});
    }
  }
  // RFC 8285 4.2/4.3: ids 1..255 fit the one- or two-byte form; 4096+ are never ours.
  if (const sdp::Extmap* e = m.find_extmap(TransportCcUri); e && e->id >= 1 && e->id <= 255) {
    out.transport_cc_extension = static_cast<uint8_t>(e->id);
  }
  for (const auto& s : m.ssrcs) {
    if (std::find(out.video_ssrcs.begin(), out.video_ssrcs.end(), s.ssrc) ==
        out.video_ssrcs.end()) {
      out.video_ssrcs.push_back(s.ssrc);
    }
  }
}

void read_audio(const sdp::MediaSection& m, AnswerInfo& out) {
  for (const auto& pt : m.payload_types) {
    if (pt.is("opus", 48000)) {
      out.audio_pt = pt.pt;
      return;
    }
  }
}

void read_candidates(const sdp::MediaSection& m, AnswerInfo& out, bool& have) {
  for (const auto& line : m.candidates) {
    auto c = IceCandidate::parse(line);
    if (!c || c->transport != CandidateTransport::Udp || c->component != 1) continue;
    ++out.candidate_count;
    if (!have || better(*c, out.candidate)) {
      out.candidate = *c;
      have = true;
    }
  }
}

std::string read_transport(const sdp::MediaSection& m, AnswerInfo& out) {
  out.ice.ufrag = m.ice_ufrag;
  out.ice.pwd = m.ice_pwd;
  if (!out.ice.valid()) return "answer has no valid ice-ufrag/ice-pwd";
  bool have_fp = false;
  for (const auto& f : m.fingerprints) {
    if (auto fp = webrtc::dtls::Fingerprint::parse(f.algorithm + " " + f.value)) {
      out.fingerprint = *fp;
      have_fp = true;
      break;
    }
  }
  if (!have_fp) return "answer has no usable fingerprint (sha-256/384/512)";
  // RFC 5763 5: the answerer picks active or passive; we offered actpass.
  out.our_dtls_role = m.setup == sdp::SetupRole::Active ? webrtc::dtls::DtlsRole::Server
                                                        : webrtc::dtls::DtlsRole::Client;
  return {};
}

}  // namespace

AnswerResult parse_answer(std::string_view text) noexcept {
  AnswerResult result;
  try {
    sdp::ParseResult parsed = sdp::parse_session_description(text);
    if (!parsed) {
      result.error = "answer: " + parsed.error;
      return result;
    }
    const sdp::SessionDescription& d = *parsed.offer;
    AnswerInfo info;
    info.ice_lite = d.ice_lite;
    const sdp::MediaSection* first = nullptr;
    bool have_candidate = false;
    for (const auto& m : d.media) {
      if (m.rejected() || !m.is_rtp()) continue;
      if (first == nullptr) first = &m;
      if (m.kind == sdp::MediaKind::Video && info.video_pts.empty()) read_video(m, info);
      if (m.kind == sdp::MediaKind::Audio && !info.audio_pt) read_audio(m, info);
      read_candidates(m, info, have_candidate);
    }
    if (first == nullptr) {
      result.error = "answer accepts no media section";
      return result;
    }
    if (info.video_pts.empty()) {
      result.error = "answer has no H264/90000 video payload type";
      return result;
    }
    if (std::string err = read_transport(*first, info); !err.empty()) {
      result.error = std::move(err);
      return result;
    }
    if (!have_candidate) {
      result.error = "answer has no UDP candidate for component 1";
      return result;
    }
    result.answer = std::move(info);
  } catch (const std::exception& e) {  // allocation failure only; the parser never throws
    result.answer.reset();
    result.error = std::string("answer: ") + e.what();
  }
  return result;
}

}  // namespace tools::whep_client
