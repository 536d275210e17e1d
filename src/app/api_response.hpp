#pragma once
// JSON answers of the node's API: one shape for success and one for errors ({"error": "..."}),
// so web pages and scripts read every refusal the same way.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace app {

http::Response json_response(const http::Request& request, http::Status status,
                             const nlohmann::json& body);
http::Response json_error(const http::Request& request, http::Status status,
                          std::string_view message);

// Parameters from the query, then (for what the query lacks) from a JSON object or form body.
// Only string values are taken; nullopt and `error` set for a body that is not a flat object of
// strings, numbers or booleans, or nested deeper than that.
std::optional<std::map<std::string, std::string>> request_parameters(
    const http::RequestContext& ctx, std::string& error);

}  // namespace app
