#pragma once
// What an AIRClass token says: who (sub, user_type), may do what (action) on which stream
// (path), for how long (iat, exp), issued by whom (iss), optionally on which node only (node)
// and at most which picture quality (max_quality).
// JSON claim names: iss, sub, user_type, path, action, iat, exp, node, max_quality (RFC 7519 4.1
// for the registered ones; the others are private claims, RFC 7519 4.3). node and max_quality
// are left out of the token when empty.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

enum class UserType : uint8_t {
  Student,    // watches (read)
  Teacher,    // watches their own broadcast (read); publishing uses a Publisher token or passcode
  Monitor,    // supervisor or wall display (read)
  Publisher,  // RTMP ingest (publish), path-specific
  Node,       // a sub node pulling the stream from the main node over RTMP (read)
};

enum class Action : uint8_t { Read, Publish };

std::string_view to_string(UserType type) noexcept;
std::string_view to_string(Action action) noexcept;
std::optional<UserType> parse_user_type(std::string_view text) noexcept;
std::optional<Action> parse_action(std::string_view text) noexcept;
// Only the three types `POST /api/token?user_type=` may name; Publisher and Node tokens are
// minted by the server itself and must never be handed out by that endpoint.
std::optional<UserType> parse_viewer_type(std::string_view text) noexcept;

// The one action each user type may hold: viewers read, publishers publish.
Action action_for(UserType type) noexcept;

inline constexpr size_t MaxSubjectSize = 128;
inline constexpr size_t MaxPathSize = 256;
inline constexpr size_t MaxNodeSize = 64;
inline constexpr size_t MaxIssuerSize = 128;
inline constexpr size_t MaxQualitySize = 16;
// iat and exp beyond this (about year 36800) are refused, so time arithmetic cannot overflow.
inline constexpr int64_t MaxTimestamp = int64_t{1} << 40;
// Read tokens of Monitor and Node may name every stream with this path.
inline constexpr std::string_view AnyPath = "*";

// "/live/stream/" -> "live/stream". Empty optional unless the result is 1..MaxPathSize
// characters of [A-Za-z0-9._~-] in '/'-separated non-empty segments, none "." or "..", or
// exactly AnyPath. Tokens store the normalized form.
std::optional<std::string> normalize_path(std::string_view path);

// A subject, node or issuer: 1..max bytes, no ASCII control characters (UTF-8 otherwise free).
bool valid_name(std::string_view text, size_t max) noexcept;

// A quality cap: "source" or a rendition's name, 1..MaxQualitySize of [a-z0-9]. What it names is
// the server's business (its ladder may change while the token lives).
bool valid_quality(std::string_view text) noexcept;

// What the token API asks the signer for; the signer adds iss, iat and exp.
struct Grant {
  std::string sub;
  UserType user_type = UserType::Student;
  std::string path;
  Action action = Action::Read;
  std::string node;  // empty: valid on any node of the cluster
  // The best quality the holder may watch ("720p", "source"); empty: no cap. Defaulted so that
  // positional initializers which stop at `node` stay complete.
  std::string max_quality = {};

  // A grant with the action the type implies (action_for).
  static Grant make(UserType type, std::string sub, std::string path, std::string node = {});
};

struct TokenClaims {
  std::string sub;
  UserType user_type = UserType::Student;
  std::string path;
  Action action = Action::Read;
  int64_t iat = 0;  // Unix seconds
  int64_t exp = 0;  // Unix seconds
  std::string iss;
  std::string node;              // empty when the token is not bound to a node
  std::string max_quality = {};  // empty when the token sets no quality cap

  bool operator==(const TokenClaims&) const = default;
};

// Why a grant or a set of claims is unacceptable ("" when it is fine). Checks sizes, characters,
// normalized path, AnyPath only for Monitor/Node reads, action == action_for(user_type) and
// max_quality empty or valid_quality.
// check_claims adds the issuer and iat < exp; the clock is the verifier's business.
std::string_view check_grant(const Grant& grant);
std::string_view check_claims(const TokenClaims& claims);

}  // namespace auth
