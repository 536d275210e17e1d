// Reading the YAML file through the key table: strict (unknown keys, wrong types and duplicate
// keys are errors), every message carries "<file>:<line>:", and hostile input (deep nesting,
// binary bytes, huge files) is refused before yaml-cpp sees it.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "app/config.hpp"
#include "app/config_keys.hpp"

namespace app {
namespace {

using config_detail::KeyDef;
using config_detail::RawValue;
using config_detail::Shape;
using config_detail::ValueError;

constexpr size_t kMaxConfigBytes = 1u << 20;
constexpr size_t kMaxNesting = 64;  // real files nest 3 deep; yaml-cpp recurses per level

// MediaMTX keys that a seed-style file may carry and that we accept without acting on them.
const std::set<std::string, std::less<>> kIgnoredMediaMtxKeys = {"logDestinations",
                                                                 "logFile",
                                                                 "readTimeout",
                                                                 "writeTimeout",
                                                                 "api",
                                                                 "apiAddress",
                                                                 "metrics",
                                                                 "metricsAddress",
                                                                 "pprof",
                                                                 "playback",
                                                                 "rtsp",
                                                                 "rtspAddress",
                                                                 "srt",
                                                                 "srtAddress",
                                                                 "hlsAddress",
                                                                 "paths",
                                                                 "pathDefaults",
                                                                 "authMethod",
                                                                 "authInternalUsers",
                                                                 "webrtcAllowOrigin",
                                                                 "webrtcTrustedProxies",
                                                                 "rtspTransports",
                                                                 "protocols",
                                                                 "hlsVariant",
                                                                 "hlsSegmentCount",
                                                                 "hlsSegmentDuration"};

// MediaMTX keys an operator may believe still work: ignoring them silently could leave a node
// running in clear text or open while its operator thinks otherwise.
std::string_view ignored_key_risk(std::string_view name) {
  if (name == "webrtcTrustedProxies") {
    return "set the top-level trustedProxies instead (one list for the API and WHEP listeners, "
           "docs/reverse-proxy.md); without it X-Forwarded-For is never believed";
  }
  if (name == "authMethod" || name == "authInternalUsers") {
    return "access is decided by tokens, the teacher passcode and the publish password "
           "(docs/security.md)";
  }
  return {};
}

std::string at_line(std::string_view source, int line) {
  return std::string(source) + (line >= 0 ? ":" + std::to_string(line + 1) : "") + ": ";
}

// Line-based pre-scan: block indentation levels, "- "/"? " indicators and open flow brackets
// approximate the nesting depth yaml-cpp would recurse into.
void check_text(std::string_view text, std::string_view source) {
  if (text.size() > kMaxConfigBytes) {
    throw ConfigError(std::string(source) + ": larger than 1 MiB; not a config file?");
  }
  std::vector<size_t> indents;
  size_t flow_depth = 0;
  int line = 0;
  for (size_t pos = 0; pos < text.size(); ++line) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto row = text.substr(pos, end - pos);
    pos = end + 1;
    for (char ch : row) {
      const auto u = static_cast<unsigned char>(ch);
      if ((u < 0x20 && ch != '\t' && ch != '\r') || u == 0x7f) {
        throw ConfigError(at_line(source, line) + "control character " + std::to_string(u) +
                          " (is this a text file?)");
      }
    }
    const size_t indent = row.find_first_not_of(' ');
    if (indent == std::string_view::npos || row[indent] == '#' || row[indent] == '\r') continue;
    if (row[indent] == '\t') {
      throw ConfigError(at_line(source, line) + "tab in indentation; YAML indents with spaces");
    }
    while (!indents.empty() && indents.back() > indent)
      indents.pop_back();
    if (indents.empty() || indents.back() < indent) indents.push_back(indent);
    size_t indicators = 0;
    size_t i = indent;
    while (i + 1 < row.size() && (row[i] == '-' || row[i] == '?') && row[i + 1] == ' ') {
      ++indicators;
      i += 2;
      while (i < row.size() && row[i] == ' ')
        ++i;
    }
    size_t deepest = flow_depth;
    char quote = 0;
    for (; i < row.size(); ++i) {
      const char ch = row[i];
      if (quote) {
        if (ch == '\\' && quote == '"')
          ++i;
        else if (ch == quote)
          quote = 0;
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
      } else if (ch == '#' && (i == 0 || row[i - 1] == ' ')) {
        break;
      } else if (ch == '[' || ch == '{') {
        deepest = std::max(deepest, ++flow_depth);
      } else if ((ch == ']' || ch == '}') && flow_depth > 0) {
        --flow_depth;
      }
    }
    if (indents.size() + indicators + deepest > kMaxNesting) {
      throw ConfigError(at_line(source, line) + "nested deeper than " +
                        std::to_string(kMaxNesting) + " levels");
    }
  }
}

class Reader {
 public:
  Reader(Config& config, std::string_view source) : c_(config), source_(source) {}

  void read_root(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) fail(root, "the file must be a map of keys like 'rtmpAddress: :1935'");
    for_each_key(root, [&](const std::string& name, const YAML::Node& key, const YAML::Node& v) {
      if (name == "airclass") {
        if (v.IsNull()) return;
        if (!v.IsMap()) fail(v, "key 'airclass': expected a map of keys");
        for_each_key(v, [&](const std::string& n, const YAML::Node& k, const YAML::Node& val) {
          read_key("airclass", n, k, val);
        });
      } else if (kIgnoredMediaMtxKeys.count(name)) {
        if (name == "apiAddress") {
          c_.warnings.push_back(at_line(source_, key.Mark().line) +
                                "top-level 'apiAddress' is MediaMTX's and ignored; the token "
                                "API listens on 'airclass.apiAddress'");
        } else if (const auto risk = ignored_key_risk(name); !risk.empty()) {
          c_.warnings.push_back(at_line(source_, key.Mark().line) + "MediaMTX's '" + name +
                                "' is ignored: " + std::string(risk));
        }
      } else {
        read_key("", name, key, v);
      }
    });
  }

 private:
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    throw ConfigError(at_line(source_, node.Mark().line) + message);
  }

  static int line_or(int line, const YAML::Node& fallback) {
    return line >= 0 ? line : fallback.Mark().line;
  }

  // Iterates a map, refusing non-scalar and duplicate keys (yaml-cpp keeps both pairs).
  template <typename Visit>
  void for_each_key(const YAML::Node& map, Visit visit) {
    std::map<std::string, int> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) fail(kv.first, "keys must be plain names");
      const auto name = kv.first.Scalar();
      const int line = kv.first.Mark().line;
      const auto [it, fresh] = seen.emplace(name, line);
      if (!fresh) {
        fail(kv.first,
             "duplicate key '" + name + "' (first on line " + std::to_string(it->second + 1) + ")");
      }
      visit(name, kv.first, kv.second);
    }
  }

  void read_key(std::string_view section, const std::string& name, const YAML::Node& key,
                const YAML::Node& v) {
    const KeyDef* def = config_detail::find_key(section, name);
    if (!def) fail(key, unknown_key_message(section, name));
    // A null value ("tokenSecret:") has the mark of the next token: report the key's line.
    const YAML::Node& at = v.IsNull() || v.Mark().line < 0 ? key : v;
    const RawValue raw = to_raw(*def, at, v);
    try {
      def->set(c_, raw);
    } catch (const ValueError& e) {
      // An item's fault names the item and its line ("renditions[1].name: ...").
      if (e.whole_message) throw ConfigError(at_line(source_, line_or(e.line, at)) + e.what());
      fail(at, "key '" + def->full_name() + "': " + config_detail::describe(*def, e));
    }
  }

  std::string unknown_key_message(std::string_view section, const std::string& name) const {
    std::vector<std::string> same, other;
    for (const auto& k : config_detail::key_table()) {
      (k.section == section ? same : other)
          .push_back(k.section == section ? std::string(k.name) : k.full_name());
    }
    if (section.empty()) same.push_back("airclass");
    auto hint = config_detail::suggest(name, same);
    if (hint.empty()) {
      // The right key in the wrong place: "maxViewers" at the top level.
      for (const auto& full : other) {
        const auto bare = full.substr(full.rfind('.') + 1);
        if (std::equal(name.begin(), name.end(), bare.begin(), bare.end(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) ==
                     std::tolower(static_cast<unsigned char>(b));
            })) {
          hint = full;
        }
      }
    }
    const auto full = section.empty() ? name : std::string(section) + "." + name;
    return "unknown key '" + full + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?");
  }

  std::string shape_of(const YAML::Node& v) const {
    if (v.IsSequence()) return "a list";
    if (v.IsMap()) return "a map";
    return "'" + v.Scalar() + "'";
  }

  [[noreturn]] void wrong_shape(const KeyDef& def, const YAML::Node& at, const YAML::Node& v) {
    const bool hide = def.secret && def.shape != Shape::IceList && v.IsScalar();
    const auto got = hide ? std::string("a text") : shape_of(v);
    fail(at, "key '" + def.full_name() + "': expected " + def.expected + ", got " + got);
  }

  RawValue to_raw(const KeyDef& def, const YAML::Node& at, const YAML::Node& v) {
    RawValue raw;
    if (v.IsNull()) return raw;
    switch (def.shape) {
      case Shape::Scalar:
        if (!v.IsScalar()) wrong_shape(def, at, v);
        raw.scalar = v.Scalar();
        break;
      case Shape::List:
        if (!v.IsSequence()) wrong_shape(def, at, v);
        for (const auto& item : v) {
          if (!item.IsScalar()) wrong_shape(def, item, item);
          raw.items.push_back(item.Scalar());
        }
        break;
      case Shape::IceList:
        if (!v.IsSequence()) wrong_shape(def, at, v);
        for (const auto& item : v)
          read_ice_server(def, item, raw.ice);
        break;
      case Shape::RenditionList:
        if (!v.IsSequence()) wrong_shape(def, at, v);
        for (const auto& item : v)
          raw.renditions.push_back(read_rendition(item, raw.renditions.size()));
        break;
    }
    return raw;
  }

  // MediaMTX form: {url, username, password}; also the browser form {urls, credential}.
  void read_ice_server(const KeyDef& def, const YAML::Node& item, std::vector<IceServer>& out) {
    if (!item.IsMap()) wrong_shape(def, item, item);
    IceServer server;
    std::vector<std::string> urls;
    for_each_key(item, [&](const std::string& name, const YAML::Node& key, const YAML::Node& v) {
      const bool list_ok = name == "urls" && v.IsSequence();
      if (!v.IsScalar() && !v.IsNull() && !list_ok) {
        fail(key, "key '" + def.full_name() + "." + name + "': expected a text");
      }
      if (name == "url" || name == "urls") {
        if (list_ok) {
          for (const auto& u : v)
            urls.push_back(u.IsScalar() ? u.Scalar() : "");
        } else {
          urls.push_back(v.Scalar());
        }
      } else if (name == "username") {
        server.username = v.Scalar();
      } else if (name == "password" || name == "credential") {
        server.credential = v.Scalar();
      } else if (name != "clientOnly") {  // MediaMTX: every server here is for clients
        const auto hint = config_detail::suggest(
            name, {"url", "urls", "username", "password", "credential", "clientOnly"});
        fail(key, "unknown key '" + name + "' in " + def.full_name() +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
    });
    if (urls.empty()) fail(item, "key '" + def.full_name() + "': a server without 'url'");
    for (auto& url : urls)
      out.push_back(IceServer{url, server.username, server.credential});
  }

  // {name: 720p, width: 1280, height: 720, bitrate: 2500k}; the values are checked by the key.
  config_detail::RawRendition read_rendition(const YAML::Node& item, size_t index) {
    const std::string label = "renditions[" + std::to_string(index) + "]";
    if (!item.IsMap()) {
      fail(item, label + ": expected a map {name, width, height, bitrate}, got " + shape_of(item));
    }
    config_detail::RawRendition raw;
    raw.line = item.Mark().line;
    for_each_key(item, [&](const std::string& name, const YAML::Node& key, const YAML::Node& v) {
      config_detail::RawField* field = name == "name"      ? &raw.name
                                       : name == "width"   ? &raw.width
                                       : name == "height"  ? &raw.height
                                       : name == "bitrate" ? &raw.bitrate
                                                           : nullptr;
      if (!field) {
        const auto hint = config_detail::suggest(name, {"name", "width", "height", "bitrate"});
        fail(key, "unknown key '" + name + "' in " + label +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      if (!v.IsScalar() && !v.IsNull()) {
        fail(key, label + "." + name + ": expected a single value, got " + shape_of(v));
      }
      *field =
          config_detail::RawField{v.IsNull() ? std::string() : v.Scalar(), key.Mark().line, true};
    });
    return raw;
  }

  Config& c_;
  std::string_view source_;
};

}  // namespace

Config parse_config(const std::string& yaml_text, std::string_view source) {
  check_text(yaml_text, source);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at_line(source, e.mark.line) + "not valid YAML: " + e.msg);
  }
  Config c;
  try {
    Reader(c, source).read_root(root);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at_line(source, e.mark.line) + "unexpected structure: " + e.msg);
  }
  return c;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot open config file '" + path + "'");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_config(text, path);
}

}  // namespace app
