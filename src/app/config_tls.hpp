#pragma once
// The TLS part of the configuration: which listeners are encrypted, with which files, and the
// checks that make a bad certificate or key a clear error at start rather than at a
// browser's first handshake.
#include <string>

#include "app/config.hpp"

namespace app {

// The API's files: its own, or the WHEP listener's when they are left empty.
std::string api_cert_file(const Config& c);
std::string api_key_file(const Config& c);

// Loads every certificate and key that an enabled encryption needs (and clusterCA) and checks
// the listeners do not collide. Throws ConfigError naming the key, the file and the reason;
// adds warnings for half-encrypted setups browsers will refuse (mixed content).
void check_tls(Config& c);

}  // namespace app
