#include "webrtc/sdp/offer_parser.hpp"

#include "webrtc/sdp/sdp_attributes.hpp"
#include "webrtc/sdp/sdp_tokens.hpp"

namespace webrtc::sdp {
namespace {

using detail::iequals;

std::string section_name(const MediaSection& m, size_t index) {
  std::string name = "m=" + m.media;
  if (!m.mid.empty()) return name + " (mid " + m.mid + ")";
  return name + " (section " + std::to_string(index + 1) + ")";
}

class OfferParser {
 public:
  explicit OfferParser(bool offer_rules) : offer_rules_(offer_rules) {}
  ParseResult run(std::string_view text);

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool fail_line(std::string_view message) {
    return fail("line " + std::to_string(line_no_) + ": " + std::string(message));
  }
  bool check(const std::string& attribute_error) {
    return attribute_error.empty() || fail_line(attribute_error);
  }
  bool line(std::string_view text);
  bool typed_line(char type, std::string_view value);
  bool media_line(std::string_view value);
  bool attribute(std::string_view value);
  bool transport_attribute(std::string_view name, std::string_view value, bool& handled);
  bool session_attribute(std::string_view name, std::string_view value);
  bool media_attribute(std::string_view name, std::string_view value);
  bool finish();
  bool resolve_transport(MediaSection& m, size_t index);
  bool check_ids();

  bool offer_rules_;
  SessionDescription sd_;
  MediaSection* current_ = nullptr;
  size_t line_no_ = 0;
  size_t lines_in_block_ = 0;  // lines in the session block or the current media section
  bool seen_v_ = false;
  bool seen_o_ = false;
  bool seen_s_ = false;
  std::string error_;
  // Session-level values kept apart from the model until media sections resolve them.
  std::optional<SetupRole> session_setup_;
};

ParseResult OfferParser::run(std::string_view text) {
  if (text.size() > MaxSdpSize) {
    return {std::nullopt, "offer is " + std::to_string(text.size()) + " bytes (limit " +
                              std::to_string(MaxSdpSize) + ")"};
  }
  bool ok = true;
  while (ok && !text.empty()) {
    size_t nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);  // RFC 8866 5: CRLF, accept LF
    ++line_no_;
    ok = line(l);
  }
  if (ok) ok = finish();
  if (!ok) return {std::nullopt, std::move(error_)};
  return {std::move(sd_), {}};
}

bool OfferParser::line(std::string_view text) {
  if (text.size() > MaxLineLength) {
    return fail("line " + std::to_string(line_no_) + " too long (" + std::to_string(text.size()) +
                " bytes, limit " + std::to_string(MaxLineLength) + ")");
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return fail_line("control character in line");
  }
  if (detail::trim(text).empty()) return true;  // tolerated: seen in logged Safari offers
  if (!seen_v_) {
    if (text != "v=0") return fail("offer does not start with v=0");
    seen_v_ = true;
    return true;
  }
  if (text.size() < 2 || text[1] != '=') return fail_line("expected <type>=<value>");
  if (++lines_in_block_ > (current_ ? MaxAttributesPerSection : MaxSessionAttributes)) {
    if (current_ == nullptr) return fail("session has too many lines");
    return fail(section_name(*current_, sd_.media.size() - 1) + " has more than " +
                std::to_string(MaxAttributesPerSection) + " lines");
  }
  return typed_line(text[0], text.substr(2));
}

// RFC 8866 section 5: the line types; any other type makes the description unusable.
bool OfferParser::typed_line(char type, std::string_view value) {
  switch (type) {
    case 'v':
      return fail_line("duplicate v= line");
    case 'o':
      if (current_ || seen_o_) return fail_line("o= must appear once, before m=");
      seen_o_ = true;
      sd_.origin = std::string(value);
      return true;
    case 's':
      if (current_ || seen_s_) return fail_line("s= must appear once, before m=");
      seen_s_ = true;
      sd_.session_name = std::string(value);
      return true;
    case 'c':
      (current_ ? current_->connection : sd_.connection) = std::string(value);
      return true;
    case 'b':
      if (current_) current_->bandwidths.emplace_back(value);
      return true;
    case 'm':
      return media_line(value);
    case 'a':
      return attribute(value);
    case 't':
    case 'r':
    case 'z':
    case 'i':
    case 'u':
    case 'e':
    case 'p':
    case 'k':
      return true;  // timing, informational and obsolete lines carry nothing we use
    default:
      break;
  }
  return fail_line(std::string("unknown line type '") + type + "'");
}

bool OfferParser::media_line(std::string_view value) {
  if (!seen_o_ || !seen_s_) return fail_line("m= before o= and s=");
  if (sd_.media.size() >= MaxMediaSections)
    return fail("offer has more than " + std::to_string(MaxMediaSections) + " m= sections");
  MediaSection m;
  m.direction = sd_.direction;
  m.extmap_allow_mixed = sd_.extmap_allow_mixed;
  if (!check(detail::parse_media_line(value, m))) return false;
  sd_.media.push_back(std::move(m));
  current_ = &sd_.media.back();
  lines_in_block_ = 0;
  return true;
}

bool OfferParser::attribute(std::string_view value) {
  size_t colon = value.find(':');
  std::string_view name = value.substr(0, colon);
  std::string_view arg =
      colon == std::string_view::npos ? std::string_view{} : detail::trim(value.substr(colon + 1));
  if (name.empty()) return fail_line("attribute without a name");
  bool handled = false;
  if (!transport_attribute(name, arg, handled)) return false;
  if (handled) return true;
  if (auto dir = detail::parse_direction(name)) {
    (current_ ? current_->direction : sd_.direction) = *dir;
    return true;
  }
  if (name == "extmap-allow-mixed") {
    (current_ ? current_->extmap_allow_mixed : sd_.extmap_allow_mixed) = true;
    return true;
  }
  return current_ ? media_attribute(name, arg) : session_attribute(name, arg);
}

// Attributes allowed at session and media level (RFC 8839 5.4, RFC 8122 5, RFC 4145 4).
bool OfferParser::transport_attribute(std::string_view name, std::string_view value,
                                      bool& handled) {
  handled = true;
  if (name == "ice-ufrag")
    return check(detail::parse_ice_ufrag(value, current_ ? current_->ice_ufrag : sd_.ice_ufrag));
  if (name == "ice-pwd")
    return check(detail::parse_ice_pwd(value, current_ ? current_->ice_pwd : sd_.ice_pwd));
  if (name == "fingerprint")
    return check(
        detail::parse_fingerprint(value, current_ ? current_->fingerprints : sd_.fingerprints));
  if (name == "setup")
    return check(detail::parse_setup(value, current_ ? current_->setup : session_setup_));
  handled = false;
  return true;
}

bool OfferParser::session_attribute(std::string_view name, std::string_view value) {
  if (name == "group") return check(detail::parse_group(value, sd_.bundle_mids));
  if (name == "ice-lite") {
    sd_.ice_lite = true;
  } else if (name == "ice-options") {
    std::string_view rest = value;
    while (!rest.empty() && sd_.ice_options.size() < 8)
      sd_.ice_options.emplace_back(detail::next_token(rest));
  }
  return true;  // msid-semantic and unknown attributes are ignored (RFC 8866 5.13)
}

bool OfferParser::media_attribute(std::string_view name, std::string_view value) {
  MediaSection& m = *current_;
  if (name == "mid") return check(detail::parse_mid(value, m.mid));
  if (name == "rtpmap") return check(detail::parse_rtpmap(value, m));
  if (name == "fmtp") return check(detail::parse_fmtp(value, m));
  if (name == "rtcp-fb") return check(detail::parse_rtcp_fb(value, m));
  if (name == "extmap") return check(detail::parse_extmap(value, m.extmaps));
  if (name == "ssrc") return check(detail::parse_ssrc(value, m.ssrcs));
  if (name == "candidate") return check(detail::parse_candidate(value, m.candidates));
  if (name == "ssrc-group") {
    m.ssrc_groups.emplace_back(value);
  } else if (name == "msid") {
    m.msids.emplace_back(value);
  } else if (name == "rtcp-mux") {
    m.rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    m.rtcp_rsize = true;
  } else if (name == "bundle-only") {
    m.bundle_only = true;
  } else if (name == "end-of-candidates") {
    m.end_of_candidates = true;
  }
  return true;
}

bool OfferParser::finish() {
  if (!seen_v_) return fail("offer is empty");
  if (!seen_o_) return fail("offer has no o= line");
  if (!seen_s_) return fail("offer has no s= line");
  if (sd_.media.empty()) return fail("offer has no m= sections");
  if (!check_ids()) return false;
  for (size_t i = 0; i < sd_.media.size(); ++i) {
    if (!resolve_transport(sd_.media[i], i)) return false;
  }
  return true;
}

bool OfferParser::check_ids() {
  for (size_t i = 0; i < sd_.media.size(); ++i) {
    const std::string& mid = sd_.media[i].mid;
    for (size_t j = 0; j < i && !mid.empty(); ++j) {
      if (sd_.media[j].mid == mid) return fail("offer uses mid " + mid + " twice");
    }
  }
  for (const auto& mid : sd_.bundle_mids) {
    if (sd_.find_mid(mid) == nullptr)
      return fail("BUNDLE group names mid " + mid + " but no m= section has it");
  }
  return true;
}

// Media level first, then session level, then the offerer-tagged BUNDLE section (RFC 8843
// section 7.2: bundled sections may omit transport attributes).
bool OfferParser::resolve_transport(MediaSection& m, size_t index) {
  const MediaSection* tag =
      sd_.bundle_mids.empty() || !sd_.in_bundle(m.mid) ? nullptr : sd_.find_mid(sd_.bundle_mids[0]);
  if (tag == &m) tag = nullptr;
  if (m.ice_ufrag.empty())
    m.ice_ufrag = !sd_.ice_ufrag.empty() ? sd_.ice_ufrag : tag ? tag->ice_ufrag : "";
  if (m.ice_pwd.empty()) m.ice_pwd = !sd_.ice_pwd.empty() ? sd_.ice_pwd : tag ? tag->ice_pwd : "";
  if (m.fingerprints.empty())
    m.fingerprints = !sd_.fingerprints.empty() ? sd_.fingerprints
                     : tag                     ? tag->fingerprints
                                               : std::vector<Fingerprint>{};
  if (!m.setup) m.setup = session_setup_ ? session_setup_ : tag ? tag->setup : std::nullopt;
  if (m.rejected()) return true;
  bool any_ufrag = !sd_.ice_ufrag.empty(), any_fp = !sd_.fingerprints.empty();
  for (const auto& other : sd_.media) {
    any_ufrag = any_ufrag || !other.ice_ufrag.empty();
    any_fp = any_fp || !other.fingerprints.empty();
  }
  std::string name = section_name(m, index);
  if (m.ice_ufrag.empty())
    return fail(any_ufrag ? name + " has no ice-ufrag" : "offer has no ice-ufrag");
  if (m.ice_pwd.empty()) return fail(name + " has no ice-pwd");
  if (m.fingerprints.empty())
    return fail(any_fp ? name + " has no fingerprint" : "offer has no fingerprint");
  // RFC 8842 section 5.2: an offer uses actpass; we can only be the DTLS server.
  if (offer_rules_ && (m.setup == SetupRole::Passive || m.setup == SetupRole::HoldConn))
    return fail(name + " has a=setup:" + std::string(to_string(*m.setup)) +
                "; the viewer must offer actpass or active");
  return true;
}

}  // namespace

ParseResult parse_offer(std::string_view text) noexcept {
  return OfferParser(true).run(text);
}

ParseResult parse_session_description(std::string_view text) noexcept {
  return OfferParser(false).run(text);
}

}  // namespace webrtc::sdp
