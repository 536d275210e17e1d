#include "tls/tls_context_store.hpp"

namespace tls {

TlsContextStore::TlsContextStore(std::string name, std::string cert_file, std::string key_file)
    : name_(std::move(name)),
      cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      context_(make_server_context(cert_file_, key_file_)) {}

ContextPtr TlsContextStore::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string TlsContextStore::reload() {
  ContextPtr fresh;
  try {
    fresh = make_server_context(cert_file_, key_file_);
  } catch (const TlsError& e) {
    return e.what();
  }
  std::lock_guard lock(mutex_);
  context_ = std::move(fresh);
  return {};
}

std::string TlsContextStore::fingerprint() const {
  return certificate_fingerprint(*current());
}

}  // namespace tls
