#pragma once
// One listener's certificate and key, reloadable while the node runs (certbot renews the files,
// then SIGHUP). A reload builds a whole new context from the files and swaps it in: connections
// accepted afterwards get the new one, open connections keep theirs (each holds its context),
// so nothing is dropped. A reload that fails keeps serving the old certificate.
#include <memory>
#include <mutex>
#include <string>

#include "tls/tls_context.hpp"

namespace tls {

class TlsContextStore {
 public:
  // Loads the files now; throws TlsError (file and reason) when they are unusable.
  TlsContextStore(std::string name, std::string cert_file, std::string key_file);

  // The context for a connection being accepted now; any thread.
  ContextPtr current() const;
  // Reloads the files. Empty on success, else the reason (the old context stays); any thread.
  std::string reload();

  const std::string& name() const { return name_; }  // "API", "WHEP", "RTMPS"
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  // The current certificate's SHA-256 fingerprint, for logs.
  std::string fingerprint() const;

 private:
  const std::string name_;
  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mutex_;
  ContextPtr context_;
};

}  // namespace tls
