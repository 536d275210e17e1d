#include "media/h264_sps.hpp"

#include "media/bit_reader.hpp"

namespace media {
namespace {

constexpr size_t MaxSpsSize = 4096;       // real SPS are under 100 bytes; avcC allows 64 KiB
constexpr uint32_t MaxMbsPerSide = 1024;  // 16384 luma samples, beyond level 6.2

// 7.3.2.1.1: profiles that carry chroma_format_idc, bit depths and scaling matrices.
bool has_chroma_info(uint8_t profile_idc) noexcept {
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// 7.3.2.1.1.1 scaling_list(): only the bits are consumed; the values do not matter to us.
bool skip_scaling_list(BitReader& r, int size) noexcept {
  int32_t last_scale = 8;
  int32_t next_scale = 8;
  for (int j = 0; j < size && !r.failed(); ++j) {
    if (next_scale != 0) {
      const int32_t delta = r.se();
      if (delta < -128 || delta > 127) return false;  // delta_scale range, 7.4.2.1.1.1
      next_scale = (last_scale + delta + 256) % 256;
    }
    last_scale = next_scale == 0 ? last_scale : next_scale;
  }
  return !r.failed();
}

bool parse_chroma_info(BitReader& r, H264Sps& s) noexcept {
  s.chroma_format_idc = r.ue();
  if (s.chroma_format_idc > 3) return false;
  if (s.chroma_format_idc == 3) s.separate_colour_plane = r.flag();
  const uint32_t depth_luma = r.ue();
  const uint32_t depth_chroma = r.ue();
  if (depth_luma > 6 || depth_chroma > 6) return false;
  s.bit_depth_luma = 8 + depth_luma;
  s.bit_depth_chroma = 8 + depth_chroma;
  r.flag();        // qpprime_y_zero_transform_bypass_flag
  if (r.flag()) {  // seq_scaling_matrix_present_flag
    const int lists = s.chroma_format_idc != 3 ? 8 : 12;
    for (int i = 0; i < lists && !r.failed(); ++i) {
      if (r.flag() && !skip_scaling_list(r, i < 6 ? 16 : 64)) return false;
    }
  }
  return !r.failed();
}

bool parse_pic_order(BitReader& r, H264Sps& s) noexcept {
  s.pic_order_cnt_type = r.ue();
  if (s.pic_order_cnt_type == 0) {
    if (r.ue() > 12) return false;  // log2_max_pic_order_cnt_lsb_minus4 (7.4.2.1.1)
  } else if (s.pic_order_cnt_type == 1) {
    r.flag();  // delta_pic_order_always_zero_flag
    r.se();    // offset_for_non_ref_pic
    r.se();    // offset_for_top_to_bottom_field
    const uint32_t cycle = r.ue();
    if (cycle > 255) return false;
    for (uint32_t i = 0; i < cycle && !r.failed(); ++i)
      r.se();
  } else if (s.pic_order_cnt_type != 2) {
    return false;
  }
  return !r.failed();
}

// E.1.1 up to and including timing_info. A VUI cut short leaves fps at 0 (the SPS stays valid:
// the fields we need from it are all before the VUI).
void parse_vui_timing(BitReader& r, H264Sps& s) noexcept {
  if (r.flag()) {                      // aspect_ratio_info_present_flag
    if (r.bits(8) == 255) r.skip(32);  // Extended_SAR: sar_width, sar_height
  }
  if (r.flag()) r.skip(1);     // overscan_appropriate_flag
  if (r.flag()) {              // video_signal_type_present_flag
    r.skip(4);                 // video_format, video_full_range_flag
    if (r.flag()) r.skip(24);  // colour_primaries, transfer_characteristics, matrix_coeffs
  }
  if (r.flag()) {  // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  if (!r.flag()) return;  // timing_info_present_flag
  const uint32_t units = r.bits(32);
  const uint32_t scale = r.bits(32);
  if (r.failed() || units == 0 || scale == 0) return;
  s.timing_info_present = true;
  s.num_units_in_tick = units;
  s.time_scale = scale;
  s.fps = static_cast<double>(scale) / (2.0 * units);
}

// 7.4.2.1.1 frame cropping and Table 6-1 (SubWidthC, SubHeightC).
bool compute_size(BitReader& r, H264Sps& s) noexcept {
  const uint32_t width_mbs = r.ue() + 1u;
  const uint32_t height_map_units = r.ue() + 1u;
  s.frame_mbs_only = r.flag();
  if (!s.frame_mbs_only) r.flag();  // mb_adaptive_frame_field_flag
  r.flag();                         // direct_8x8_inference_flag
  uint32_t crop[4] = {0, 0, 0, 0};  // left, right, top, bottom
  if (r.flag()) {
    for (auto& c : crop)
      c = r.ue();
  }
  if (r.failed() || width_mbs == 0 || height_map_units == 0) return false;  // ue() wrapped
  const uint32_t field_factor = s.frame_mbs_only ? 1 : 2;
  if (width_mbs > MaxMbsPerSide || height_map_units > MaxMbsPerSide / field_factor) return false;
  const uint32_t chroma_array_type = s.separate_colour_plane ? 0 : s.chroma_format_idc;
  uint32_t crop_x = 1;
  uint32_t crop_y = field_factor;
  if (chroma_array_type != 0) {
    const uint32_t sub_width = chroma_array_type == 3 ? 1 : 2;
    const uint32_t sub_height = chroma_array_type == 1 ? 2 : 1;
    crop_x = sub_width;
    crop_y = sub_height * field_factor;
  }
  const uint64_t full_w = uint64_t{width_mbs} * 16;
  const uint64_t full_h = uint64_t{height_map_units} * 16 * field_factor;
  const uint64_t cut_w = (uint64_t{crop[0]} + crop[1]) * crop_x;
  const uint64_t cut_h = (uint64_t{crop[2]} + crop[3]) * crop_y;
  if (cut_w >= full_w || cut_h >= full_h) return false;
  s.width = static_cast<uint32_t>(full_w - cut_w);
  s.height = static_cast<uint32_t>(full_h - cut_h);
  return true;
}

}  // namespace

std::vector<uint8_t> h264_unescape(std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  out.reserve(in.size());
  int zeros = 0;
  for (const uint8_t b : in) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

std::optional<H264Sps> H264Sps::parse(std::span<const uint8_t> nal) noexcept {
  // 7.3.1: forbidden_zero_bit, nal_ref_idc, nal_unit_type (7 = SPS); then 3 fixed bytes.
  if (nal.size() < 4 || nal.size() > MaxSpsSize) return std::nullopt;
  if ((nal[0] & 0x80) != 0 || (nal[0] & 0x1f) != 7) return std::nullopt;
  const std::vector<uint8_t> rbsp = h264_unescape(nal.subspan(1));
  BitReader r(rbsp);
  H264Sps s;
  s.profile_idc = static_cast<uint8_t>(r.bits(8));
  s.constraint_flags = static_cast<uint8_t>(r.bits(8));
  s.level_idc = static_cast<uint8_t>(r.bits(8));
  s.sps_id = r.ue();
  if (r.failed() || s.sps_id > 31) return std::nullopt;
  if (has_chroma_info(s.profile_idc) && !parse_chroma_info(r, s)) return std::nullopt;
  const uint32_t log2_frame_num_minus4 = r.ue();
  if (log2_frame_num_minus4 > 12) return std::nullopt;
  s.log2_max_frame_num = log2_frame_num_minus4 + 4;
  if (!parse_pic_order(r, s)) return std::nullopt;
  s.max_num_ref_frames = r.ue();
  if (s.max_num_ref_frames > 16) return std::nullopt;
  r.flag();  // gaps_in_frame_num_value_allowed_flag
  if (!compute_size(r, s)) return std::nullopt;
  if (r.flag()) parse_vui_timing(r, s);  // vui_parameters_present_flag
  return s;
}

const char* h264_profile_name(uint8_t profile_idc, uint8_t constraint_flags) noexcept {
  const bool set1 = (constraint_flags & 0x40) != 0;
  const bool set3 = (constraint_flags & 0x10) != 0;
  switch (profile_idc) {
    case 66:
      return set1 ? "Constrained Baseline" : "Baseline";
    case 77:
      return "Main";
    case 88:
      return "Extended";
    case 100:
      return "High";
    case 110:
      return set3 ? "High 10 Intra" : "High 10";
    case 122:
      return set3 ? "High 4:2:2 Intra" : "High 4:2:2";
    case 244:
      return set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
    case 44:
      return "CAVLC 4:4:4 Intra";
    default:
      return "unknown";
  }
}

}  // namespace media
