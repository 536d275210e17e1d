#pragma once
// Which picture a viewer gets: the publisher's stream passed through ("source") or one rung of
// the rendition ladder, from what the viewer asked for (?quality=), the cap its token carries,
// the node's default and what the source is. Pure: the WHEP service asks, RenditionFeeds runs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "media/frame.hpp"

namespace app {

inline constexpr std::string_view SourceQuality = "source";
inline constexpr std::string_view AutoQuality = "auto";

// What the published video is, as the stream's statistics see it.
struct SourceVideo {
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t kbps = 0;     // measured video bitrate; 0 when not known yet
  bool bframes = false;  // the source reorders frames: browsers cannot play it as it is
};

struct QualityChoice {
  std::string name;      // "source" or a rung's name
  bool encoded = false;  // false: the publisher's stream, passed through untouched
  // When encoded: the encoder's bounding box (0 = the source's size) and bit/s.
  uint32_t max_width = 0;
  uint32_t max_height = 0;
  uint32_t bitrate = 0;
  // What it is encoded to: H.264, or VP8 for a browser that offers no H.264 (always encoded).
  media::Codec codec = media::Codec::H264;
  bool operator==(const QualityChoice&) const = default;

  // The encoder it shares with other viewers: "480p", "480p/vp8".
  std::string key() const { return codec == media::Codec::VP8 ? name + "/vp8" : name; }
};

// The same picture for a browser without H.264: always encoded, the source at its own size and
// (bounded) bitrate.
QualityChoice as_vp8(QualityChoice choice, const SourceVideo& source);

struct QualityResult {
  std::optional<QualityChoice> choice;
  std::string error;  // when no choice: says what the stream offers
};

// `wanted`: "", "auto", "source" or a rung name; `cap`: the token's max_quality ("" = none).
// Auto is the node's defaultQuality (itself "auto" = the source) until bandwidth estimation
// chooses per viewer. A cap lowers what is asked above it; a rung that would not make the
// picture smaller or the bitrate lower than the source's is the source itself (never upscale,
// never above the source's bitrate); a source with B-frames is re-encoded without them when
// reencodeBFrames is on.
QualityResult choose_quality(std::string_view wanted, std::string_view cap, const Config& config,
                             const SourceVideo& source);

// Whether `wanted` (?quality=, "" when not given) asks for adaptive bitrate: auto, directly or
// through defaultQuality, with adaptiveBitrate on.
bool wants_adaptive(std::string_view wanted, const Config& config);

// The rungs an adaptive viewer moves over, best first: what "source" is for it (the cap and
// B-frame re-encoding applied), then every smaller encoded rung below that. Empty when there is
// nothing to move between (no ladder, or a source as small as the smallest rung).
std::vector<QualityChoice> adaptive_ladder(std::string_view cap, const Config& config,
                                           const SourceVideo& source);
// What a rung costs on the wire, bit/s: the encoder's target, or the source's measured rate.
uint32_t ladder_bitrate(const QualityChoice& choice, const SourceVideo& source);

// What a viewer of this source can ask for, best first: "auto", "source", then each rung that
// is not the source itself.
std::vector<std::string> offered_qualities(const Config& config, const SourceVideo& source);

// The node's ladder as a page offers it before it knows the source, best first: "auto",
// "source", the rungs; a cap drops what is above it.
std::vector<std::string> ladder_names(const Config& config, std::string_view cap);

}  // namespace app
