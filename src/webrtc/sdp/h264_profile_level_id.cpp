#include "webrtc/sdp/h264_profile_level_id.hpp"

namespace webrtc::sdp {
namespace {

// constraint_setN_flag is bit (7 - N) of profile-iop (H.264 section 7.4.2.1.1).
constexpr uint8_t Cs0 = 0x80;
constexpr uint8_t Cs1 = 0x40;
constexpr uint8_t Cs3 = 0x10;
constexpr uint8_t Cs4 = 0x08;
constexpr uint8_t Cs5 = 0x04;

std::optional<int> hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// Annex A.2: a stream that sets the constraint flags of a smaller profile also conforms to it,
// which is how Constrained Baseline is signalled (RFC 6184 section 8.1, table 5).
std::optional<H264Profile> classify(uint8_t idc, uint8_t iop) noexcept {
  switch (idc) {
    case 0x42:  // Baseline; constraint_set1 means it also obeys Main: Constrained Baseline
      return (iop & Cs1) ? H264Profile::ConstrainedBaseline : H264Profile::Baseline;
    case 0x4d:  // Main; constraint_set0 means it also obeys Baseline
      return (iop & Cs0) ? H264Profile::ConstrainedBaseline : H264Profile::Main;
    case 0x58:  // Extended; with constraint_set0 it is Baseline, with set0+set1 CB
      if ((iop & (Cs0 | Cs1)) == (Cs0 | Cs1)) return H264Profile::ConstrainedBaseline;
      if (iop & Cs0) return H264Profile::Baseline;
      return std::nullopt;
    case 0x64:  // High; constraint_set4+5 is Constrained High (A.2.11)
      return (iop & (Cs4 | Cs5)) == (Cs4 | Cs5) ? H264Profile::ConstrainedHigh : H264Profile::High;
    case 0xf4:
      return H264Profile::PredictiveHigh444;
    default:
      return std::nullopt;
  }
}

bool valid_level(uint8_t level_idc) noexcept {
  switch (level_idc) {
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
    case 20:
    case 21:
    case 22:
    case 30:
    case 31:
    case 32:
    case 40:
    case 41:
    case 42:
    case 50:
    case 51:
    case 52:
    case 60:
    case 61:
    case 62:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view to_string(H264Profile profile) noexcept {
  switch (profile) {
    case H264Profile::ConstrainedBaseline:
      return "constrained-baseline";
    case H264Profile::Baseline:
      return "baseline";
    case H264Profile::Main:
      return "main";
    case H264Profile::ConstrainedHigh:
      return "constrained-high";
    case H264Profile::High:
      return "high";
    case H264Profile::PredictiveHigh444:
      break;
  }
  return "predictive-high-444";
}

std::optional<H264ProfileLevelId> H264ProfileLevelId::parse(std::string_view hex) noexcept {
  if (hex.size() != 6) return std::nullopt;
  uint8_t bytes[3] = {};
  for (size_t i = 0; i < 6; ++i) {
    auto d = hex_digit(hex[i]);
    if (!d) return std::nullopt;
    bytes[i / 2] = static_cast<uint8_t>((bytes[i / 2] << 4) | *d);
  }
  return from_sps(bytes[0], bytes[1], bytes[2]);
}

std::optional<H264ProfileLevelId> H264ProfileLevelId::from_sps(uint8_t profile_idc,
                                                               uint8_t constraints,
                                                               uint8_t level_idc) noexcept {
  // The two reserved_zero_2bits must be zero (section 7.4.2.1.1).
  if ((constraints & 0x03) != 0 || !valid_level(level_idc)) return std::nullopt;
  auto profile = classify(profile_idc, constraints);
  if (!profile) return std::nullopt;
  return H264ProfileLevelId{*profile, profile_idc, constraints, level_idc};
}

H264ProfileLevelId H264ProfileLevelId::default_for_sdp() noexcept {
  return H264ProfileLevelId{H264Profile::ConstrainedBaseline, 0x42, 0xe0, 0x1f};
}

bool H264ProfileLevelId::is_level_1b() const noexcept {
  // Annex A.3.1/A.3.2: level 1b is level_idc 11 with constraint_set3 in Baseline, Main and
  // Extended, and level_idc 9 in the High profiles.
  if (level_idc == 9) return true;
  bool low_profile = profile_idc == 0x42 || profile_idc == 0x4d || profile_idc == 0x58;
  return level_idc == 11 && low_profile && (profile_iop & Cs3);
}

int H264ProfileLevelId::level_rank() const noexcept {
  if (is_level_1b()) return 21;
  return level_idc * 2;
}

std::string H264ProfileLevelId::to_hex() const {
  static constexpr char Digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : {profile_idc, profile_iop, level_idc}) {
    out += Digits[b >> 4];
    out += Digits[b & 0x0f];
  }
  return out;
}

H264Match h264_match(H264Profile stream, H264Profile offered) noexcept {
  using P = H264Profile;
  if (stream == offered) return H264Match::Exact;
  switch (stream) {
    case P::ConstrainedBaseline:  // the common subset of every profile here
      return H264Match::Decodable;
    case P::Main:
    case P::ConstrainedHigh:
      if (offered == P::High || offered == P::PredictiveHigh444) return H264Match::Decodable;
      if (stream == P::Main && offered == P::ConstrainedHigh) return H264Match::Practical;
      return H264Match::None;
    case P::High:
      if (offered == P::PredictiveHigh444) return H264Match::Decodable;
      if (offered == P::ConstrainedHigh) return H264Match::Practical;
      return H264Match::None;
    case P::Baseline:  // differs from CB only by FMO, ASO and redundant slices
      return H264Match::Practical;
    case P::PredictiveHigh444:
      break;
  }
  return H264Match::None;
}

}  // namespace webrtc::sdp
