// airclass: the classroom streaming node. RTMP in, WebRTC out, one binary.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string_view>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"

extern char** environ;

namespace {

// Only AIRCLASS_* variables are copied: nothing else from the environment reaches the config.
std::map<std::string, std::string> airclass_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view kv(*entry);
    const auto eq = kv.find('=');
    if (!kv.starts_with("AIRCLASS_") || eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

// Defaults < file < environment < command line; then the cross-field checks.
app::Config effective_config(const std::string& path, const std::string& log_level,
                             const std::vector<std::string>& settings) {
  app::Config config;
  if (!path.empty()) config = app::load_config_file(path);
  app::apply_environment(config, airclass_environment());
  if (!log_level.empty()) app::apply_setting(config, "logLevel", log_level, "--log-level");
  for (const auto& setting : settings) {
    const auto eq = setting.find('=');
    // Not echoed: a malformed setting may be a secret.
    if (eq == std::string::npos) throw app::ConfigError("--set: expected KEY=VALUE");
    const auto key = setting.substr(0, eq);
    app::apply_setting(config, key, std::string_view(setting).substr(eq + 1), "--set " + key);
  }
  app::validate(config);
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"AIRClass Live streaming node: RTMP ingest, WebRTC (WHEP) playback"};
  std::string config_path;
  std::string log_level;
  std::vector<std::string> settings;
  bool version = false;
  bool print = false;
  cli.add_option("-c,--config", config_path, "YAML config file (MediaMTX-style keys)");
  cli.add_option("-l,--log-level", log_level, "trace, debug, info, warn or error (overrides all)");
  cli.add_option("--set", settings,
                 "KEY=VALUE, repeatable: rtmpAddress=:1935, airclass.apiAddress=:8000 (or "
                 "apiAddress=:8000); overrides the file and AIRCLASS_* variables");
  cli.add_flag("--print-config", print, "print the effective configuration as YAML and exit");
  cli.add_flag("-v,--version", version, "print the version and exit");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (version) {
    std::printf("airclass %s\n", AIRCLASS_VERSION);
    return 0;
  }
  app::Config config;
  try {
    config = effective_config(config_path, log_level, settings);
  } catch (const app::ConfigError& e) {
    std::fprintf(stderr, "airclass: %s\n", e.what());
    return 2;
  }
  if (print) {
    for (const auto& w : config.warnings)
      std::fprintf(stderr, "airclass: warning: %s\n", w.c_str());
    std::fputs(app::print_config(config).c_str(), stdout);
    return 0;
  }
  if (!app::setup_logging(config.log_level)) {
    std::fprintf(stderr, "airclass: unknown log level '%s'\n", config.log_level.c_str());
    return 2;
  }
  for (const auto& w : config.warnings)
    app::logger("app")->warn("config: {}", w);
  try {
    app::Server server(std::move(config));
    server.run();
  } catch (const app::ConfigError& e) {  // a key file or secret the server could not use
    app::logger("app")->critical("config: {}", e.what());
    return 2;
  } catch (const std::exception& e) {
    app::logger("app")->critical("{}", e.what());
    return 1;
  }
  return 0;
}
