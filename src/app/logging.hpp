#pragma once
// One logger per subsystem tag ("app", "rtmp", ...) sharing one stderr sink.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace app {

// Returns false (and leaves the level unchanged) for an unknown level name.
bool setup_logging(const std::string& level);
std::shared_ptr<spdlog::logger> logger(const std::string& tag);

}  // namespace app
