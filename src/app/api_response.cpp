#include "app/api_response.hpp"

namespace app {
namespace {

constexpr size_t kMaxParameters = 32;

bool shallow(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > 1) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

http::Response json_response(const http::Request& request, http::Status status,
                             const nlohmann::json& body) {
  return http::make_response(request, status, "application/json",
                             body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response json_error(const http::Request& request, http::Status status,
                          std::string_view message) {
  return json_response(request, status, nlohmann::json{{"error", message}});
}

std::optional<std::map<std::string, std::string>> request_parameters(
    const http::RequestContext& ctx, std::string& error) {
  auto params = ctx.query;
  const auto& body = ctx.request.body();
  if (body.empty()) return params;
  const auto type = ctx.request[boost::beast::http::field::content_type];
  if (type.starts_with("application/x-www-form-urlencoded")) {
    auto form = http::parse_query(body);
    if (!form) {
      error = "malformed form body";
      return std::nullopt;
    }
    params.insert(form->begin(), form->end());  // the query wins
    return params;
  }
  if (!type.starts_with("application/json")) {
    error = "the body must be JSON or a form (or send the parameters in the query)";
    return std::nullopt;
  }
  // Our parameters are flat; refusing nesting up front keeps a hostile body cheap.
  if (!shallow(body)) {
    error = "the JSON body must be a flat object";
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    error = "the body is not a JSON object";
    return std::nullopt;
  }
  if (json.size() > kMaxParameters) {
    error = "too many parameters";
    return std::nullopt;
  }
  for (const auto& [key, value] : json.items()) {
    std::string text;
    if (value.is_string())
      text = value.get<std::string>();
    else if (value.is_number() || value.is_boolean())
      text = value.dump();
    else if (!value.is_null()) {
      error = "parameter '" + key.substr(0, 64) + "' must be a string";
      return std::nullopt;
    }
    params.emplace(key, std::move(text));
  }
  return params;
}

}  // namespace app
