#include "http/router.hpp"

#include <boost/beast/version.hpp>

#include <algorithm>

#include "http/forwarded_for.hpp"

namespace http {
namespace {

constexpr size_t kMaxQueryParams = 32;

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto next = path.find('/', i);
    const auto end = next == std::string_view::npos ? path.size() : next;
    out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    const auto amp = query.find('&', i);
    const auto end = amp == std::string_view::npos ? query.size() : amp;
    const auto pair = query.substr(i, end - i);
    if (!pair.empty()) {
      if (out.size() >= kMaxQueryParams) return std::nullopt;
      const auto eq = pair.find('=');
      auto key = url_decode(pair.substr(0, eq), true);
      auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                : url_decode(pair.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      out[*key] = *value;
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return out;
}

void Router::add(Verb verb, std::string pattern, Handler handler) {
  routes_.push_back({verb, split_path(pattern), std::move(handler)});
}

void Router::set_fallback(Handler handler) {
  fallback_ = std::move(handler);
}

void Router::set_trusted_proxies(TrustedProxies proxies,
                                 std::function<void(std::string_view)> report) {
  trusted_ = std::move(proxies);
  report_ = std::move(report);
}

std::string RequestContext::client_description() const {
  return proxy_address.empty() ? remote_address : remote_address + " via proxy " + proxy_address;
}

Router::Client Router::identify(const Request& request, const std::string& peer,
                                bool peer_is_loopback) const {
  Client unforwarded{peer, peer_is_loopback, {}};
  if (trusted_.empty()) return unforwarded;
  const auto peer_ip = parse_forwarded_address(peer);
  if (!peer_ip || !trusted_.contains(*peer_ip)) return unforwarded;
  // One line more than entries allowed is enough to tell "too many".
  std::vector<std::string_view> xff, forwarded;
  for (auto [it, end] = request.equal_range("X-Forwarded-For");
       it != end && xff.size() <= MaxForwardedEntries; ++it)
    xff.push_back(it->value());
  for (auto [it, end] = request.equal_range("Forwarded");
       it != end && forwarded.size() <= MaxForwardedEntries; ++it)
    forwarded.push_back(it->value());
  const auto client = forwarded_client(*peer_ip, xff, forwarded, trusted_);
  if (client.issue != ForwardedIssue::None && report_ && !reported_->exchange(true)) {
    report_("forwarding header from proxy " + peer +
            " ignored: " + std::string(to_string(client.issue)));
  }
  // A trusted proxy that names no client (no header, or one ignored) still speaks for someone
  // else: its requests are never local, or every student behind a proxy on this machine would be.
  if (!client.via_proxy) return {peer, false, {}};
  const auto& a = client.address;
  return {a.is_v6() ? "[" + a.to_string() + "]" : a.to_string(), a.is_loopback(), peer};
}

bool Router::match(const Route& route, const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& params) {
  const auto& pat = route.segments;
  size_t rest_at = pat.size();
  for (size_t i = 0; i < pat.size(); ++i) {
    if (pat[i].size() > 5 && pat[i].ends_with("...}")) rest_at = i;
  }
  if (rest_at == pat.size()) {
    if (segments.size() != pat.size()) return false;
  } else if (segments.size() < pat.size()) {
    return false;
  }
  // Segments after a {rest...} pattern are matched from the end.
  const size_t tail = pat.size() - (rest_at == pat.size() ? pat.size() : rest_at + 1);
  auto match_one = [&](const std::string& p, const std::string& s) {
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params[p.substr(1, p.size() - 2)] = s;
      return true;
    }
    return p == s;
  };
  const size_t head = rest_at == pat.size() ? pat.size() : rest_at;
  for (size_t i = 0; i < head; ++i) {
    if (!match_one(pat[i], segments[i])) return false;
  }
  for (size_t i = 0; i < tail; ++i) {
    if (!match_one(pat[pat.size() - 1 - i], segments[segments.size() - 1 - i])) return false;
  }
  if (rest_at != pat.size()) {
    std::string rest;
    for (size_t i = head; i < segments.size() - tail; ++i) {
      if (!rest.empty()) rest += '/';
      rest += segments[i];
    }
    if (rest.empty()) return false;
    params[pat[rest_at].substr(1, pat[rest_at].size() - 5)] = rest;
  }
  return true;
}

Response Router::dispatch(const Request& request, const std::string& remote_address,
                          bool remote_is_loopback) const {
  const std::string_view target = request.target();
  const auto qpos = target.find('?');
  const auto raw_path = target.substr(0, qpos);
  auto path = url_decode(raw_path, false);
  auto query = parse_query(qpos == std::string_view::npos ? "" : target.substr(qpos + 1));
  if (!path || !query || path->empty() || path->front() != '/') {
    return make_error(request, Status::bad_request, "malformed request target");
  }
  const auto segments = split_path(*path);
  for (const auto& s : segments) {
    if (s == "..") return make_error(request, Status::bad_request, "malformed request target");
  }
  std::string allow;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route, segments, params)) continue;
    if (route.verb != request.method()) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(boost::beast::http::to_string(route.verb));
      continue;
    }
    auto client = identify(request, remote_address, remote_is_loopback);
    RequestContext ctx{request,        *path,           std::move(*query), std::move(params),
                       client.address, client.loopback, client.proxy};
    return route.handler(ctx);
  }
  if (!allow.empty()) {
    auto res = make_error(request, Status::method_not_allowed, "method not allowed");
    res.set(boost::beast::http::field::allow, allow);
    return res;
  }
  if (fallback_ && request.method() == Verb::get) {
    auto client = identify(request, remote_address, remote_is_loopback);
    RequestContext ctx{request,        *path,           std::move(*query), {},
                       client.address, client.loopback, client.proxy};
    return fallback_(ctx);
  }
  return make_error(request, Status::not_found, "not found");
}

Response make_response(const Request& request, Status status, std::string content_type,
                       std::string body) {
  Response res{status, request.version()};
  res.set(boost::beast::http::field::server, "airclass");
  if (!content_type.empty()) res.set(boost::beast::http::field::content_type, content_type);
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response make_json(const Request& request, Status status, std::string json_body) {
  return make_response(request, status, "application/json", std::move(json_body));
}

Response make_error(const Request& request, Status status, std::string reason) {
  if (reason.size() > MaxErrorReasonBytes) {
    size_t cut = MaxErrorReasonBytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80)
      --cut;
    reason.resize(cut);
  }
  for (auto& c : reason) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return make_response(request, status, "text/plain; charset=utf-8", std::move(reason) + "\n");
}

Response make_retry_later(const Request& request, Status status, std::chrono::seconds retry_after,
                          std::string reason) {
  auto res = make_error(request, status, std::move(reason));
  res.set(boost::beast::http::field::retry_after,
          std::to_string(std::max<int64_t>(retry_after.count(), 1)));
  return res;
}

}  // namespace http
