#include "app/quality_choice.hpp"

#include <algorithm>

#include "media/video_transcoder.hpp"

namespace app {
namespace {

constexpr uint32_t MinReencodeBitrate = 500'000;
constexpr uint32_t MaxReencodeBitrate = 20'000'000;
constexpr uint32_t UnknownSourceBitrate = 4'000'000;

// Index on the ladder: 0 = source, 1.. = the rungs in config order; nullopt: not a quality.
std::optional<size_t> rank(std::string_view name, const Config& config) {
  if (name == SourceQuality) return 0;
  for (size_t i = 0; i < config.renditions.size(); ++i) {
    if (config.renditions[i].name == name) return i + 1;
  }
  return std::nullopt;
}

// The rung as it would be encoded from this source, or nullopt when it is the source itself.
std::optional<QualityChoice> encoded_rung(const Rendition& rung, const SourceVideo& source) {
  const auto [w, h] =
      media::VideoTranscoder::output_size(source.width, source.height, rung.width, rung.height);
  const bool smaller = w < source.width || h < source.height;
  const uint32_t source_bps = source.kbps * 1000;
  const bool cheaper = source_bps == 0 || rung.bitrate < source_bps;
  if (!smaller && !cheaper) return std::nullopt;
  const uint32_t bitrate = source_bps == 0 ? rung.bitrate : std::min(rung.bitrate, source_bps);
  return QualityChoice{rung.name, true, rung.width, rung.height, bitrate};
}

// The source encoded again at its own size: B-frames removed, or another codec.
QualityChoice reencoded_source(const SourceVideo& source) {
  const uint32_t bitrate =
      source.kbps == 0 ? UnknownSourceBitrate
                       : std::clamp(source.kbps * 1000, MinReencodeBitrate, MaxReencodeBitrate);
  return {std::string(SourceQuality), true, 0, 0, bitrate};
}

QualityChoice source_choice(const Config& config, const SourceVideo& source) {
  if (!source.bframes || !config.reencode_bframes) return {std::string(SourceQuality)};
  return reencoded_source(source);
}

std::string offer_list(const Config& config, const SourceVideo& source) {
  std::string list;
  for (const auto& name : offered_qualities(config, source))
    list += (list.empty() ? "" : ", ") + name;
  return list;
}

}  // namespace

QualityResult choose_quality(std::string_view wanted, std::string_view cap, const Config& config,
                             const SourceVideo& source) {
  if (wanted.empty()) wanted = AutoQuality;
  if (wanted == AutoQuality) wanted = config.default_quality;
  if (wanted == AutoQuality) wanted = SourceQuality;
  auto index = rank(wanted, config);
  if (!index) {
    return {std::nullopt, "unknown quality '" + std::string(wanted) +
                              "'; this stream offers: " + offer_list(config, source)};
  }
  if (const auto limit = cap.empty() ? std::nullopt : rank(cap, config)) {
    index = std::max(*index, *limit);
  }
  // From the chosen rung upwards, the first that is really a smaller picture (a cap of 480p on
  // a 360p source is the source).
  for (size_t i = *index; i > 0; --i) {
    if (auto rung = encoded_rung(config.renditions[i - 1], source)) return {std::move(rung), {}};
  }
  return {source_choice(config, source), {}};
}

std::vector<std::string> offered_qualities(const Config& config, const SourceVideo& source) {
  std::vector<std::string> out{std::string(AutoQuality), std::string(SourceQuality)};
  for (const auto& rung : config.renditions) {
    if (encoded_rung(rung, source)) out.push_back(rung.name);
  }
  return out;
}

bool wants_adaptive(std::string_view wanted, const Config& config) {
  if (!config.adaptive_bitrate) return false;
  if (wanted.empty()) wanted = config.default_quality;
  return wanted == AutoQuality;
}

std::vector<QualityChoice> adaptive_ladder(std::string_view cap, const Config& config,
                                           const SourceVideo& source) {
  std::vector<QualityChoice> out;
  auto top = choose_quality(SourceQuality, cap, config, source);
  if (!top.choice) return out;
  out.push_back(*top.choice);
  const size_t below = *rank(top.choice->name, config);  // the rungs after the top one
  for (size_t i = below; i < config.renditions.size(); ++i) {
    if (auto rung = encoded_rung(config.renditions[i], source)) out.push_back(std::move(*rung));
  }
  if (out.size() < 2) out.clear();  // nothing to adapt between
  return out;
}

uint32_t ladder_bitrate(const QualityChoice& choice, const SourceVideo& source) {
  if (choice.encoded) return choice.bitrate;
  return source.kbps == 0 ? UnknownSourceBitrate : source.kbps * 1000;
}

QualityChoice as_vp8(QualityChoice choice, const SourceVideo& source) {
  if (!choice.encoded) {
    choice = reencoded_source(source);
  }
  choice.codec = media::Codec::VP8;
  return choice;
}

std::vector<std::string> ladder_names(const Config& config, std::string_view cap) {
  std::vector<std::string> out{std::string(AutoQuality)};
  const size_t first = cap.empty() ? 0 : rank(cap, config).value_or(0);
  if (first == 0) out.emplace_back(SourceQuality);
  for (size_t i = first == 0 ? 0 : first - 1; i < config.renditions.size(); ++i)
    out.push_back(config.renditions[i].name);
  return out;
}

}  // namespace app
