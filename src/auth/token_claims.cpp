#include "auth/token_claims.hpp"

#include <array>
#include <utility>

namespace auth {
namespace {

constexpr std::array<std::string_view, 5> UserTypeNames = {"student", "teacher", "monitor",
                                                           "publisher", "node"};
constexpr std::array<std::string_view, 2> ActionNames = {"read", "publish"};

bool path_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

std::string_view check_fields(std::string_view sub, UserType type, std::string_view path,
                              Action action, std::string_view node, std::string_view max_quality) {
  if (!valid_name(sub, MaxSubjectSize))
    return "sub must be 1..128 bytes without control characters";
  if (static_cast<size_t>(type) >= UserTypeNames.size()) return "unknown user_type";
  if (static_cast<size_t>(action) >= ActionNames.size()) return "unknown action";
  if (action != action_for(type)) return "action does not match user_type";
  const auto normalized = normalize_path(path);
  if (!normalized || *normalized != path) return "path is not a normalized stream path";
  if (path == AnyPath && !(type == UserType::Monitor || type == UserType::Node))
    return "only monitor and node tokens may name every path";
  if (!node.empty() && !valid_name(node, MaxNodeSize))
    return "node must be 1..64 bytes without control characters";
  if (!max_quality.empty() && !valid_quality(max_quality))
    return "max_quality must be 1..16 of a-z and 0-9";
  return {};
}

}  // namespace

std::string_view to_string(UserType type) noexcept {
  const auto i = static_cast<size_t>(type);
  return i < UserTypeNames.size() ? UserTypeNames[i] : "unknown";
}

std::string_view to_string(Action action) noexcept {
  const auto i = static_cast<size_t>(action);
  return i < ActionNames.size() ? ActionNames[i] : "unknown";
}

std::optional<UserType> parse_user_type(std::string_view text) noexcept {
  for (size_t i = 0; i < UserTypeNames.size(); ++i)
    if (text == UserTypeNames[i]) return static_cast<UserType>(i);
  return std::nullopt;
}

std::optional<Action> parse_action(std::string_view text) noexcept {
  for (size_t i = 0; i < ActionNames.size(); ++i)
    if (text == ActionNames[i]) return static_cast<Action>(i);
  return std::nullopt;
}

std::optional<UserType> parse_viewer_type(std::string_view text) noexcept {
  const auto type = parse_user_type(text);
  if (type == UserType::Student || type == UserType::Teacher || type == UserType::Monitor)
    return type;
  return std::nullopt;
}

Action action_for(UserType type) noexcept {
  return type == UserType::Publisher ? Action::Publish : Action::Read;
}

std::optional<std::string> normalize_path(std::string_view path) {
  if (path == AnyPath) return std::string(AnyPath);
  if (path.size() > MaxPathSize + 2) return std::nullopt;  // room for one leading/trailing '/'
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  if (path.empty() || path.size() > MaxPathSize) return std::nullopt;
  size_t segment_start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const auto segment = path.substr(segment_start, i - segment_start);
      if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
      segment_start = i + 1;
    } else if (!path_char(path[i])) {
      return std::nullopt;
    }
  }
  return std::string(path);
}

bool valid_name(std::string_view text, size_t max) noexcept {
  if (text.empty() || text.size() > max) return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool valid_quality(std::string_view text) noexcept {
  if (text.empty() || text.size() > MaxQualitySize) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Grant Grant::make(UserType type, std::string sub, std::string path, std::string node) {
  return Grant{std::move(sub), type, std::move(path), action_for(type), std::move(node)};
}

std::string_view check_grant(const Grant& grant) {
  return check_fields(grant.sub, grant.user_type, grant.path, grant.action, grant.node,
                      grant.max_quality);
}

std::string_view check_claims(const TokenClaims& claims) {
  const auto why = check_fields(claims.sub, claims.user_type, claims.path, claims.action,
                                claims.node, claims.max_quality);
  if (!why.empty()) return why;
  if (!valid_name(claims.iss, MaxIssuerSize)) return "iss must be 1..128 bytes";
  if (claims.iat < 0 || claims.exp > MaxTimestamp || claims.exp <= claims.iat)
    return "exp must be after iat, both within 0..2^40";
  return {};
}

}  // namespace auth
