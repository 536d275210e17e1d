#pragma once
// For config tests: what validate() says about a config, or "" when it takes it.
#include <string>

#include "app/config.hpp"

namespace app::test {

inline std::string validate_error(Config c) {
  try {
    validate(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace app::test
