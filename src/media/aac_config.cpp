#include "media/aac_config.hpp"

#include "media/bit_reader.hpp"

namespace media {
namespace {

constexpr size_t MaxAscSize = 1024;  // real configs are 2 to 7 bytes; a PCE comment adds <= 255

// Table 1.18, samplingFrequencyIndex.
constexpr uint32_t SampleRates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                      22050, 16000, 12000, 11025, 8000,  7350};

// 1.6.2.1 GetAudioObjectType(): 5 bits, 31 escapes to 32 + 6 bits.
uint8_t read_object_type(BitReader& r) noexcept {
  const uint32_t t = r.bits(5);
  if (t == 31) return static_cast<uint8_t>(32 + r.bits(6));
  return static_cast<uint8_t>(t);
}

// samplingFrequencyIndex, 0xf escapes to an explicit 24-bit rate; 0 means invalid.
uint32_t read_sample_rate(BitReader& r) noexcept {
  const uint32_t index = r.bits(4);
  if (index == 0xf) return r.bits(24);
  return index < 13 ? SampleRates[index] : 0;
}

// Table 1.19 channelConfiguration -> channel count (configs 11-14 from the 2013 amendments).
uint8_t channels_of(uint8_t config) noexcept {
  switch (config) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return config;
    case 7:
    case 12:
    case 14:
      return 8;
    case 11:
      return 7;
    case 13:
      return 24;
    default:
      return 0;
  }
}

// 4.4.1.1 program_config_element(): counts channels; consumes the element so that a sync
// extension after it can be found. byte_alignment() is relative to the start of the ASC.
bool parse_pce(BitReader& r, uint8_t& channels) noexcept {
  r.skip(4 + 2 + 4);  // element_instance_tag, object_type, sampling_frequency_index
  const uint32_t front = r.bits(4), side = r.bits(4), back = r.bits(4);
  const uint32_t lfe = r.bits(2), assoc = r.bits(3), cc = r.bits(4);
  if (r.flag()) r.skip(4);  // mono_mixdown
  if (r.flag()) r.skip(4);  // stereo_mixdown
  if (r.flag()) r.skip(3);  // matrix_mixdown
  uint32_t count = lfe;
  for (uint32_t i = 0; i < front + side + back && !r.failed(); ++i) {
    count += r.flag() ? 2 : 1;  // is_cpe
    r.skip(4);                  // element_tag_select
  }
  r.skip(size_t{lfe} * 4 + size_t{assoc} * 4 + size_t{cc} * 5);
  r.skip((8 - r.position() % 8) % 8);
  r.skip(size_t{r.bits(8)} * 8);  // comment_field_bytes
  if (r.failed() || count == 0 || count > 255) return false;
  channels = static_cast<uint8_t>(count);
  return true;
}

// 4.4.1 GASpecificConfig() for the AAC object types we may meet.
bool parse_ga_specific(BitReader& r, AacConfig& c) noexcept {
  r.skip(1);                 // frameLengthFlag
  if (r.flag()) r.skip(14);  // dependsOnCoreCoder -> coreCoderDelay
  const bool extension = r.flag();
  if (c.channel_configuration == 0 && !parse_pce(r, c.channels)) return false;
  const uint8_t t = c.core_object_type;
  if (t == 6 || t == 20) r.skip(3);  // layerNr
  if (extension) {
    if (t == 22) r.skip(5 + 11);                              // numOfSubFrame, layer_length
    if (t == 17 || t == 19 || t == 20 || t == 23) r.skip(3);  // resilience flags
    r.skip(1);                                                // extensionFlag3
  }
  return !r.failed();
}

bool is_ga_object(uint8_t t) noexcept {
  switch (t) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 6:
    case 7:
    case 17:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
      return true;
    default:
      return false;
  }
}

// 1.6.2.1 backward-compatible signalling: syncExtensionType 0x2b7 after the core config.
void parse_sync_extension(BitReader& r, AacConfig& c) noexcept {
  if (r.bits_left() < 16 || r.bits(11) != 0x2b7) return;
  const uint8_t ext_type = read_object_type(r);
  if (ext_type != 5 && ext_type != 22) return;
  const bool sbr = r.flag();
  if (r.failed() || !sbr) return;
  const uint32_t rate = read_sample_rate(r);
  if (r.failed() || rate == 0) return;
  c.sbr = true;
  c.extension_sample_rate = rate;
  if (ext_type == 5 && r.bits_left() >= 12 && r.bits(11) == 0x548) c.ps = r.flag() && !r.failed();
}

}  // namespace

std::optional<AacConfig> AacConfig::parse(std::span<const uint8_t> asc) noexcept {
  if (asc.size() < 2 || asc.size() > MaxAscSize) return std::nullopt;
  BitReader r(asc);
  AacConfig c;
  c.object_type = read_object_type(r);
  c.core_object_type = c.object_type;
  c.sample_rate = read_sample_rate(r);
  c.channel_configuration = static_cast<uint8_t>(r.bits(4));
  if (r.failed() || c.object_type == 0 || c.sample_rate == 0) return std::nullopt;
  const bool explicit_sbr = c.object_type == 5 || c.object_type == 29;
  if (explicit_sbr) {
    c.sbr = true;
    c.ps = c.object_type == 29;
    c.extension_sample_rate = read_sample_rate(r);
    c.core_object_type = read_object_type(r);
    if (c.core_object_type == 22) r.skip(4);  // extensionChannelConfiguration
    if (r.failed() || c.extension_sample_rate == 0) return std::nullopt;
  }
  if (c.channel_configuration != 0) {
    c.channels = channels_of(c.channel_configuration);
    if (c.channels == 0) return std::nullopt;  // reserved configuration
  }
  if (!is_ga_object(c.core_object_type)) {
    // Not an AAC family we decode (e.g. USAC, ALS): report it, but no channels from a PCE.
    return c.channels != 0 ? std::optional<AacConfig>(c) : std::nullopt;
  }
  if (!parse_ga_specific(r, c)) return std::nullopt;
  switch (c.core_object_type) {  // error-resilient types carry epConfig (1.6.2.1)
    case 17:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
      r.skip(2);
      break;
    default:
      break;
  }
  if (!explicit_sbr) parse_sync_extension(r, c);
  return c;
}

AudioConfig AacConfig::to_audio_config(std::span<const uint8_t> asc) const {
  AudioConfig a;
  a.codec = Codec::AAC;
  a.record.assign(asc.begin(), asc.end());
  a.object_type = ps ? 29 : (sbr ? 5 : core_object_type);
  a.sample_rate = sample_rate;
  a.channels = ps && channels == 1 ? 2 : channels;  // PS decodes a mono core to stereo
  a.sbr = sbr;
  a.ps = ps;
  a.extension_sample_rate = extension_sample_rate;
  return a;
}

}  // namespace media
