#pragma once
// The key table behind app::Config: one row per key, shared by the YAML reader, the
// environment, `--set` and `--print-config`. Internal to src/app.
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"

namespace app::config_detail {

enum class Shape : uint8_t { Scalar, List, IceList, RenditionList };

// One field of a list-of-maps item as written; `line` is its 0-based line in a file, -1 when
// the value came from the environment or the command line.
struct RawField {
  std::string text;
  int line = -1;
  bool present = false;
};

// A rendition before conversion: {name, width, height, bitrate} or "name=WxH@bitrate".
struct RawRendition {
  RawField name, width, height, bitrate;
  int line = -1;  // of the item
};

// A value before conversion: YAML nodes and env/CLI text both become one of these.
struct RawValue {
  std::string scalar;
  std::vector<std::string> items;
  std::vector<IceServer> ice;
  std::vector<RawRendition> renditions;
};

// A setter's complaint: the offending text (the caller drops it for secret keys), or for an
// item of a list of maps the whole message ("renditions[1].name: expected ..., got 'HD'") and
// the item's line in the file (-1: unknown, the key's line is used).
class ValueError : public std::runtime_error {
 public:
  explicit ValueError(const std::string& got) : std::runtime_error(got) {}
  ValueError(const std::string& message, int line)
      : std::runtime_error(message), whole_message(true), line(line) {}
  bool whole_message = false;
  int line = -1;
};

struct KeyDef {
  std::string_view section;  // "" (top level) or "airclass"
  std::string_view name;
  std::string_view group;  // heading in --print-config and airclass.yml
  std::string_view description;
  std::string expected;  // "an address like :1935": completes "expected ..."
  Shape shape = Shape::Scalar;
  bool secret = false;
  std::function<void(Config&, const RawValue&)> set;  // throws ValueError
  std::function<std::string(const Config&)> show;     // YAML text; secrets masked

  std::string full_name() const;  // "airclass.apiAddress"
  std::string env_name() const;   // "AIRCLASS_API_ADDRESS"
};

const std::vector<KeyDef>& key_table();
const KeyDef* find_key(std::string_view section, std::string_view name) noexcept;

// "expected an address like :1935, got 'abc'"; secrets: the value is not shown.
std::string describe(const KeyDef& key, const ValueError& e);

// Env/CLI text to a RawValue: lists comma-separated, ICE items "url|username|credential",
// rendition items "name=WIDTHxHEIGHT@BITRATE".
RawValue raw_from_text(const KeyDef& key, std::string_view text);

// ---- value helpers (config_values.cpp) ----
std::string env_name_for(std::string_view key_name);  // "webrtcLocalUDPAddress" -> "..._UDP_..."
// The closest candidate, case-insensitive edit distance <= 3 (or a case-only difference);
// empty when none is close.
std::string suggest(std::string_view wrong, const std::vector<std::string>& candidates);
std::optional<bool> parse_bool(std::string_view text) noexcept;
std::optional<int64_t> parse_integer(std::string_view text) noexcept;
std::optional<uint64_t> parse_size(std::string_view text) noexcept;  // 1048576, 32MiB, 64k
std::optional<double> parse_decimal(std::string_view text) noexcept;
std::string format_duration(std::chrono::milliseconds d);  // shortest exact unit: 10s, 2m
std::string format_decimal(double v);                      // shortest text that reads back
std::string yaml_scalar(std::string_view text);            // plain when safe, else double-quoted
std::string yaml_quoted(std::string_view text);            // always double-quoted, escaped
bool is_valid_stream_path(std::string_view path) noexcept;
bool is_valid_public_url(std::string_view url) noexcept;
std::vector<std::string> split_list(std::string_view text, char separator);  // trims items

// ---- the rendition ladder (config_values.cpp) ----
std::optional<uint32_t> parse_bitrate(std::string_view text) noexcept;  // 2500k, 2.5M, 300000
std::string format_bitrate(uint32_t bits_per_second);                   // 2500k, 1M, 300123
bool is_quality_name(std::string_view name) noexcept;                   // 1..16 of [a-z0-9]
// "720p=1280x720@2500k" to its fields; throws ValueError naming renditions[index].
RawRendition parse_rendition_item(std::string_view item, size_t index);
// Checks every item (name syntax and uniqueness, sizes, bitrates, count) and converts; throws
// a whole-message ValueError naming the item and field.
std::vector<Rendition> to_renditions(const std::vector<RawRendition>& raw);

}  // namespace app::config_detail
