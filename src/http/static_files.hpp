#pragma once
// Serves a built web app from one folder: files by path with their content type, Vite's
// content-hashed assets cached for a year, index.html revalidated every time (ETag), and any
// extension-less path that is not a file answered with index.html so client-side routes
// (/teacher, /admin) survive a reload. Nothing outside the folder is reachable.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace http {

class StaticFiles {
 public:
  static constexpr size_t MaxFileBytes = 16u << 20;

  explicit StaticFiles(std::filesystem::path root);
  // True when the folder holds an index.html.
  bool ready() const;
  // For a GET whose decoded path is `path` ("/", "/assets/app-1a2b.js", "/teacher").
  Response serve(const RequestContext& ctx) const;

  static std::string_view content_type(std::string_view extension) noexcept;

 private:
  Response file(const Request& request, const std::filesystem::path& file, bool immutable) const;

  std::filesystem::path root_;
};

}  // namespace http
