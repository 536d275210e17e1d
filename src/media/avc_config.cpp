#include "media/avc_config.hpp"

#include <algorithm>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace media {
namespace {

constexpr size_t MaxRecordSize = 64 * 1024;  // real records are a few hundred bytes

// Reads `count` NAL units each preceded by a 16-bit length (5.3.3.1.1). A zero length or a length
// past the end rejects the record.
bool read_nal_array(base::ByteReader& r, size_t count, uint8_t nal_type,
                    std::vector<std::vector<uint8_t>>& out) {
  for (size_t i = 0; i < count; ++i) {
    const auto len = r.u16();
    if (!len || *len == 0) return false;
    const auto nal = r.bytes(*len);
    if (!nal || ((*nal)[0] & 0x1f) != nal_type) return false;
    out.emplace_back(nal->begin(), nal->end());
  }
  return true;
}

}  // namespace

std::optional<AvcConfig> AvcConfig::parse(std::span<const uint8_t> record) noexcept {
  if (record.size() > MaxRecordSize) return std::nullopt;
  base::ByteReader r(record);
  AvcConfig c;
  const auto version = r.u8();
  const auto profile = r.u8();
  const auto compat = r.u8();
  const auto level = r.u8();
  const auto length_byte = r.u8();  // reserved '111111' + lengthSizeMinusOne
  const auto sps_byte = r.u8();     // reserved '111' + numOfSequenceParameterSets
  if (!sps_byte || *version != 1) return std::nullopt;
  c.version = *version;
  c.profile = *profile;
  c.compatibility = *compat;
  c.level = *level;
  // Reserved bits are not checked: several encoders write them as zero.
  c.nalu_length_size = static_cast<uint8_t>((*length_byte & 0x03) + 1);
  const size_t sps_count = *sps_byte & 0x1f;
  if (sps_count == 0 || !read_nal_array(r, sps_count, 7, c.sps)) return std::nullopt;
  const auto pps_count = r.u8();
  if (!pps_count || *pps_count == 0 || !read_nal_array(r, *pps_count, 8, c.pps)) {
    return std::nullopt;
  }
  // High-profile trailer (chroma format, bit depths, SPS extensions) is optional and unused.
  auto sps = H264Sps::parse(c.sps.front());
  if (!sps) return std::nullopt;
  c.first_sps = *sps;
  return c;
}

VideoConfig AvcConfig::to_video_config(std::span<const uint8_t> record) const {
  VideoConfig v;
  v.codec = Codec::H264;
  v.record.assign(record.begin(), record.end());
  v.sps = sps;
  v.pps = pps;
  v.profile_idc = first_sps.profile_idc;
  v.constraint_flags = first_sps.constraint_flags;
  v.level_idc = first_sps.level_idc;
  v.width = first_sps.width;
  v.height = first_sps.height;
  v.fps = first_sps.fps;
  return v;
}

std::vector<uint8_t> make_avc_record(const VideoConfig& config) {
  std::vector<uint8_t> out;
  if (config.record.size() >= 5) {
    out = config.record;
    out[4] = 0xff;  // reserved bits set, lengthSizeMinusOne = 3
    return out;
  }
  if (config.sps.empty() || config.sps.front().size() < 4) return out;
  const auto& first = config.sps.front();
  base::ByteWriter w(out);
  w.u8(1);
  w.u8(first[1]);  // profile, compatibility, level as in the SPS (5.3.3.1.2)
  w.u8(first[2]);
  w.u8(first[3]);
  w.u8(0xff);
  const size_t sps_count = std::min<size_t>(config.sps.size(), 31);
  w.u8(static_cast<uint8_t>(0xe0 | sps_count));
  for (size_t i = 0; i < sps_count; ++i) {
    w.u16(static_cast<uint16_t>(config.sps[i].size()));
    w.bytes(config.sps[i]);
  }
  const size_t pps_count = std::min<size_t>(config.pps.size(), 255);
  w.u8(static_cast<uint8_t>(pps_count));
  for (size_t i = 0; i < pps_count; ++i) {
    w.u16(static_cast<uint16_t>(config.pps[i].size()));
    w.bytes(config.pps[i]);
  }
  return out;
}

}  // namespace media
