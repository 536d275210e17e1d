#pragma once
// H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1): the fields a server needs to describe
// a stream (profile, level, picture size after cropping, frame rate from the VUI).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace media {

struct H264Sps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;  // constraint_set0..5 flags in the high bits, as coded
  uint8_t level_idc = 0;
  uint32_t sps_id = 0;
  uint32_t chroma_format_idc = 1;  // 4:2:0 unless a high profile says otherwise
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t log2_max_frame_num = 4;
  uint32_t pic_order_cnt_type = 0;
  uint32_t max_num_ref_frames = 0;
  bool frame_mbs_only = true;
  uint32_t width = 0;  // luma samples, after the frame cropping rectangle
  uint32_t height = 0;
  bool timing_info_present = false;
  uint32_t num_units_in_tick = 0;
  uint32_t time_scale = 0;
  double fps = 0;  // time_scale / (2 * num_units_in_tick) when the VUI has timing info

  // One SPS NAL unit including its one-byte NAL header (type 7), with emulation prevention
  // bytes still in place, as carried in avcC or between Annex-B start codes.
  static std::optional<H264Sps> parse(std::span<const uint8_t> nal) noexcept;
};

// Removes emulation_prevention_three_byte (H.264 7.4.1: 0x000003 -> 0x0000). The output is
// never longer than the input.
std::vector<uint8_t> h264_unescape(std::span<const uint8_t> in);

// "Baseline", "Constrained Baseline", "Main", "High", ... for logs and the status page.
const char* h264_profile_name(uint8_t profile_idc, uint8_t constraint_flags) noexcept;

}  // namespace media
