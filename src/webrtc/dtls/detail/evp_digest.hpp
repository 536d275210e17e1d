#pragma once
// The OpenSSL digest behind a fingerprint hash algorithm; shared by fingerprint.cpp and
// dtls_transport.cpp, kept out of the public headers.
#include <openssl/evp.h>

#include "webrtc/dtls/fingerprint.hpp"

namespace webrtc::dtls::detail {

const EVP_MD* evp_md(HashAlgorithm algorithm) noexcept;

}  // namespace webrtc::dtls::detail
