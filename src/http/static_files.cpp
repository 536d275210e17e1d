#include "http/static_files.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

namespace http {
namespace fs = std::filesystem;
namespace {

// RFC 3986 segments we refuse outright; the canonical-prefix check below is the real fence.
bool safe_segments(std::string_view path) {
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto seg = path.substr(start, end - start);
    if (seg == ".." || seg == "." || (!seg.empty() && seg.front() == '.')) return false;
    start = end + 1;
  }
  return true;
}

bool inside(const fs::path& root, const fs::path& p) {
  const auto r = root.native();
  const auto s = p.native();
  return s.size() > r.size() && s.compare(0, r.size(), r) == 0 && s[r.size()] == '/';
}

}  // namespace

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  root_ = fs::weakly_canonical(root, ec);
  if (ec) root_ = std::move(root);
}

bool StaticFiles::ready() const {
  std::error_code ec;
  return fs::is_regular_file(root_ / "index.html", ec);
}

std::string_view StaticFiles::content_type(std::string_view ext) noexcept {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webp") return "image/webp";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

Response StaticFiles::serve(const RequestContext& ctx) const {
  const auto& req = ctx.request;
  std::string_view path = ctx.path;
  if (!safe_segments(path)) return make_error(req, Status::not_found, "not found");
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  if (path.empty()) return file(req, root_ / "index.html", false);
  std::error_code ec;
  const auto candidate = fs::weakly_canonical(root_ / fs::path(path), ec);
  if (!ec && inside(root_, candidate) && fs::is_regular_file(candidate, ec)) {
    // Vite names what it builds into assets/ by content hash: safe to cache for good.
    return file(req, candidate, path.starts_with("assets/"));
  }
  const auto last = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/'));
  if (last.find('.') == std::string_view::npos && !path.starts_with("api/")) {
    return file(req, root_ / "index.html", false);  // a client-side route
  }
  return make_error(req, Status::not_found, "not found");
}

Response StaticFiles::file(const Request& req, const fs::path& path, bool immutable) const {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return make_error(req, Status::not_found, "the web app is not built (run make)");
  if (size > MaxFileBytes) return make_error(req, Status::internal_server_error, "file too large");
  const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  const auto etag = "\"" + std::to_string(size) + "-" + std::to_string(mtime) + "\"";
  if (req[boost::beast::http::field::if_none_match] == etag) {
    auto res = make_response(req, Status::not_modified, "", "");
    res.set(boost::beast::http::field::etag, etag);
    return res;
  }
  std::ifstream in(path, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return make_error(req, Status::internal_server_error, "read error");
  auto res = make_response(req, Status::ok, std::string(content_type(path.extension().native())),
                           std::move(body));
  res.set(boost::beast::http::field::etag, etag);
  res.set(boost::beast::http::field::cache_control,
          immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace http
