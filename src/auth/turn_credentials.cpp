#include "auth/turn_credentials.hpp"

#include "auth/token_claims.hpp"
#include "base/crypto.hpp"

namespace auth {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Standard base64 with '=' padding (RFC 4648 4): what coturn compares against, unlike the
// unpadded URL-safe alphabet of base64url.hpp.
std::string base64_encode(std::span<const uint8_t> data) {
  constexpr std::string_view Alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(Alphabet[(v >> shift) & 0x3F]);
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (rest == 2 ? uint32_t{data[i + 1]} << 8 : 0);
    out.push_back(Alphabet[(v >> 18) & 0x3F]);
    out.push_back(Alphabet[(v >> 12) & 0x3F]);
    out.push_back(rest == 2 ? Alphabet[(v >> 6) & 0x3F] : '=');
    out.push_back('=');
  }
  return out;
}

// ':' separates expiry from user id; '%' is the escape itself, so both are encoded.
std::string escape_user_id(std::string_view user_id) {
  std::string out;
  out.reserve(user_id.size());
  for (char c : user_id) {
    if (c == ':') {
      out += "%3A";
    } else if (c == '%') {
      out += "%25";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool has_control_character(std::string_view text) noexcept {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

}  // namespace

std::string turn_rest_credential(std::string_view secret, std::string_view username) {
  return base64_encode(base::hmac_sha1(as_bytes(secret), as_bytes(username)));
}

std::optional<TurnCredentials> mint_turn_credentials(std::string_view secret,
                                                     std::string_view user_id,
                                                     std::chrono::seconds ttl, int64_t now_unix,
                                                     std::string& error) {
  if (secret.empty() || secret.size() > MaxTurnSecretSize) {
    error = "TURN shared secret must be 1.." + std::to_string(MaxTurnSecretSize) + " bytes";
    return std::nullopt;
  }
  if (user_id.empty() || user_id.size() > MaxTurnUserIdSize || has_control_character(user_id)) {
    error = "TURN user id must be 1.." + std::to_string(MaxTurnUserIdSize) +
            " bytes without control characters";
    return std::nullopt;
  }
  if (ttl < MinTurnTtl || ttl > MaxTurnTtl) {
    error = "TURN credential lifetime must be " + std::to_string(MinTurnTtl.count()) + ".." +
            std::to_string(MaxTurnTtl.count()) + " seconds";
    return std::nullopt;
  }
  if (now_unix < 0 || now_unix > MaxTimestamp) {
    error = "current time out of range";
    return std::nullopt;
  }
  TurnCredentials out;
  out.expires = now_unix + ttl.count();
  out.username = std::to_string(out.expires) + ":" + escape_user_id(user_id);
  out.credential = turn_rest_credential(secret, out.username);
  return out;
}

}  // namespace auth
