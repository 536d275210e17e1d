// airclass: the classroom streaming node. RTMP in, WebRTC out, one binary.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"

int main(int argc, char** argv) {
  CLI::App cli{"AIRClass Live streaming node: RTMP ingest, WebRTC (WHEP) playback"};
  std::string config_path;
  std::string log_level;
  bool version = false;
  cli.add_option("-c,--config", config_path, "YAML config file (MediaMTX-style keys)")
      ->check(CLI::ExistingFile);
  cli.add_option("-l,--log-level", log_level, "debug, info, warn or error (overrides config)");
  cli.add_flag("-v,--version", version, "print the version and exit");
  CLI11_PARSE(cli, argc, argv);

  if (version) {
    std::printf("airclass %s\n", AIRCLASS_VERSION);
    return 0;
  }
  app::Config config;
  try {
    if (!config_path.empty()) config = app::load_config_file(config_path);
  } catch (const app::ConfigError& e) {
    std::fprintf(stderr, "airclass: %s\n", e.what());
    return 2;
  }
  if (!log_level.empty()) config.log_level = log_level;
  if (!app::setup_logging(config.log_level)) {
    std::fprintf(stderr, "airclass: unknown log level '%s'\n", config.log_level.c_str());
    return 2;
  }
  for (const auto& w : config.warnings)
    app::logger("app")->warn("config: {}", w);
  try {
    app::Server server(std::move(config));
    server.run();
  } catch (const std::exception& e) {
    app::logger("app")->critical("{}", e.what());
    return 1;
  }
  return 0;
}
