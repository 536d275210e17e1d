// Hostile and broken config input: a clear ConfigError, never a crash or a hang.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "app/config.hpp"

using app::ConfigError;
using app::parse_config;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "bad.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// Parses or throws ConfigError; anything else fails the test.
void must_not_crash(const std::string& text) {
  try {
    parse_config(text, "fuzz.yml");
  } catch (const ConfigError&) {
  }
}

}  // namespace

TEST(ConfigGarbage, MalformedYamlIsRejectedCleanly) {
  EXPECT_NE(error_of("rtmp: [yes\n").find("bad.yml:"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n").find("bad.yml:1: the file must be a map"), std::string::npos);
  EXPECT_THROW(parse_config(std::string(1000, '[')), ConfigError);
  EXPECT_THROW(parse_config("{{{{::::}}}}"), ConfigError);
  EXPECT_THROW(parse_config("rtmp"), ConfigError);
  EXPECT_THROW(parse_config("? [a, b]\n: c\n"), ConfigError);  // a list as a key
  EXPECT_EQ(error_of("rtmp: yes\nwebrtc: no: yes\n").find("bad.yml:2: not valid YAML"), 0u);
}

TEST(ConfigGarbage, TabsAndBinaryBytes) {
  EXPECT_EQ(error_of("airclass:\n\tmaxViewers: 5\n"),
            "bad.yml:2: tab in indentation; YAML indents with spaces");
  EXPECT_EQ(error_of(std::string("rtmp: yes\nweb\0rtc: no\n", 22)),
            "bad.yml:2: control character 0 (is this a text file?)");
  EXPECT_NE(error_of("rtmp: yes\x1b[0m\n").find("bad.yml:1: control character 27"),
            std::string::npos);
  EXPECT_NE(error_of("\xff\xfe\xfd: \x80\x81\n"), "");  // not UTF-8: refused, no crash
  EXPECT_EQ(error_of("rtmp: yes   \t# tab before a comment is fine\r\nwebrtc: no\r\n"), "");
}

TEST(ConfigGarbage, DeepNestingIsRefusedBeforeParsing) {
  const std::string flow = "x: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  EXPECT_EQ(error_of(flow), "bad.yml:1: nested deeper than 64 levels");
  EXPECT_NE(error_of(std::string(10000, '{')).find("nested deeper than 64"), std::string::npos);
  std::string dashes = "x:\n";
  for (int i = 0; i < 10000; ++i)
    dashes += "- ";
  EXPECT_NE(error_of(dashes + "a\n").find("bad.yml:2: nested deeper"), std::string::npos);
  std::string block;
  for (int i = 0; i < 1000; ++i)  // 1000 levels of indentation: about 500 kB
    block += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  EXPECT_NE(error_of(block).find("nested deeper than 64"), std::string::npos);
  // Brackets inside quotes or comments are text, not nesting.
  EXPECT_EQ(error_of("airclass:\n  tokenIssuer: \"" + std::string(100, '[') + "\"  # " +
                     std::string(100, '{') + "\n"),
            "");
  // Deep but legal nesting under an ignored key still parses.
  EXPECT_EQ(error_of("paths:\n  " + std::string(30, '[') + std::string(30, ']') + "\n"), "");
}

TEST(ConfigGarbage, HugeInputIsRefused) {
  std::string huge(2u << 20, '#');
  EXPECT_NE(error_of(huge).find("larger than 1 MiB"), std::string::npos);
  const std::string path = testing::TempDir() + "airclass_config_huge.yml";
  {
    std::ofstream out(path);
    for (int i = 0; i < 200000; ++i)
      out << "# padding line to exceed the size limit\n";
  }
  try {
    app::load_config_file(path);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": larger than 1 MiB"), std::string::npos);
  }
  std::remove(path.c_str());
  EXPECT_THROW(app::load_config_file("/nonexistent/airclass.yml"), ConfigError);
}

TEST(ConfigGarbage, FileErrorsCarryPathAndLine) {
  const std::string path = testing::TempDir() + "airclass_config_lines.yml";
  std::ofstream(path) << "rtmp: yes\nairclass:\n  maxViewers: lots\n";
  try {
    app::load_config_file(path);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ":3: key 'airclass.maxViewers': expected an integer "
                                         "from 0 to 100000, got 'lots'");
  }
  std::remove(path.c_str());
}

TEST(ConfigGarbage, RandomBuffersNeverCrash) {
  std::mt19937 rng(20240611);
  const std::string alphabet = "ab:-[]{}#'\"\n \t,&*!|>?%@`\\0123456789yesno";
  for (int i = 0; i < 3000; ++i) {
    std::string text(rng() % 200, ' ');
    for (auto& ch : text) {
      ch = (i % 3 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    }
    must_not_crash(text);
  }
}

TEST(ConfigGarbage, MutatedValidFilesNeverCrash) {
  const std::string base =
      "rtmp: yes\nrtmpAddress: :1935\nwebrtcICEServers2: [{url: stun:a, username: u}]\n"
      "webrtcAdditionalHosts: [a, b]\nairclass:\n  mode: main\n  tokenTTL: 1h\n"
      "  defaultPath: live/stream\n  webrtcPublicUrl: http://x:1\n"
      "  renditions:\n    - {name: 720p, width: 1280, height: 720, bitrate: 2500k}\n"
      "    - name: 240p\n      height: 240\n      bitrate: 0.3M\n  studentMaxQuality: 240p\n";
  ASSERT_EQ(parse_config(base).renditions.size(), 2u);
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string text = base;
    for (int n = 0; n < 1 + static_cast<int>(rng() % 4); ++n) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = static_cast<char>(rng() % 128);
          break;
        case 1:
          text.erase(at, 1 + rng() % 5);
          break;
        default:
          text.insert(at, 1, "[]{}:- \n#'\""[rng() % 11]);
      }
      if (text.empty()) text = "x";
    }
    must_not_crash(text);
  }
}
