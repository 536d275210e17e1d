// libFuzzer target: the node's YAML configuration reader. Any text either parses or is a
// ConfigError (no other exception, no crash); a configuration that parses is printed and must
// read back, since print_config promises YAML that parse_config accepts (unless it masks a set
// secret).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  app::Config config;
  try {
    config = app::parse_config(text, "fuzz");
  } catch (const app::ConfigError&) {
    return 0;
  }
  // A set secret prints as the mask "***", which the reader refuses on purpose.
  const std::string printed = app::print_config(config);
  if (printed.find("\"***\"") != std::string::npos) return 0;
  try {
    (void)app::parse_config(printed, "printed");
  } catch (const app::ConfigError&) {
    __builtin_trap();
  }
  return 0;
}
