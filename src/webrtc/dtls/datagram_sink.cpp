#include "webrtc/dtls/datagram_sink.hpp"

#include <openssl/bio.h>

#include <new>

namespace webrtc::dtls {
namespace {

int sink_write(BIO* bio, const char* data, int len) {
  auto* sink = static_cast<DatagramSink*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!sink || len <= 0 || static_cast<size_t>(len) > DatagramSink::MaxDatagram ||
      sink->datagrams.size() >= DatagramSink::MaxQueued) {
    return -1;
  }
  try {
    const auto* p = reinterpret_cast<const uint8_t*>(data);
    sink->datagrams.emplace_back(p, p + len);
  } catch (const std::bad_alloc&) {
    return -1;  // OpenSSL is C: no exception may cross it
  }
  return len;
}

long sink_ctrl(BIO* bio, int cmd, long, void*) {
  auto* sink = static_cast<DatagramSink*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write is already a finished datagram
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING:
      return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return sink ? static_cast<long>(sink->mtu) : 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // our MTU already means DTLS payload bytes per UDP datagram
    default:
      return 0;
  }
}

int sink_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int sink_destroy(BIO*) {
  return 1;
}

}  // namespace

bio_method_st* new_datagram_sink_method() noexcept {
  BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "airclass-dgram-sink");
  if (!m) return nullptr;
  if (!BIO_meth_set_write(m, sink_write) || !BIO_meth_set_ctrl(m, sink_ctrl) ||
      !BIO_meth_set_create(m, sink_create) || !BIO_meth_set_destroy(m, sink_destroy)) {
    BIO_meth_free(m);
    return nullptr;
  }
  return m;
}

void free_datagram_sink_method(bio_method_st* method) noexcept {
  BIO_meth_free(method);
}

bio_st* new_datagram_sink_bio(const bio_method_st* method, DatagramSink* sink) noexcept {
  BIO* bio = BIO_new(method);
  if (bio) BIO_set_data(bio, sink);
  return bio;
}

}  // namespace webrtc::dtls
