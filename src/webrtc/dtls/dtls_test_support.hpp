#pragma once
// The two identities of the DTLS tests, as in a real call: the server process and a browser.
// Made once per test binary (certificate generation is the slow part).
#include <chrono>
#include <memory>

#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_context.hpp"

namespace webrtc::dtls::test {

inline const std::shared_ptr<const DtlsContext>& server_context() {
  static auto ctx =
      DtlsContext::create(DtlsCertificate::generate(std::chrono::system_clock::now()));
  return ctx;
}
inline const std::shared_ptr<const DtlsContext>& client_context() {
  static auto ctx =
      DtlsContext::create(DtlsCertificate::generate(std::chrono::system_clock::now()));
  return ctx;
}

}  // namespace webrtc::dtls::test
