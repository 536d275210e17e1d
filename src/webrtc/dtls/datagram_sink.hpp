#pragma once
// Internal to webrtc/dtls. OpenSSL's DTLS layer buffers a flight and flushes it in chunks that
// fit the MTU; a memory BIO would concatenate those chunks and lose the datagram boundaries,
// so the write side is a sink BIO whose every BIO_write becomes one datagram.
#include <cstddef>
#include <cstdint>
#include <vector>

struct bio_st;
struct bio_method_st;

namespace webrtc::dtls {

struct DatagramSink {
  // A handshake flight is a handful of datagrams; anything beyond this is a bug or an attack
  // and fails the write (OpenSSL then fails the transport).
  static constexpr size_t MaxQueued = 64;
  static constexpr size_t MaxDatagram = 16 * 1024;

  std::vector<std::vector<uint8_t>> datagrams;
  size_t mtu = 1200;
};

// Process-lifetime method table owned by DtlsContext; nullptr on allocation failure.
bio_method_st* new_datagram_sink_method() noexcept;
void free_datagram_sink_method(bio_method_st* method) noexcept;
// A BIO writing into `sink`, which must outlive it. nullptr on allocation failure.
bio_st* new_datagram_sink_bio(const bio_method_st* method, DatagramSink* sink) noexcept;

}  // namespace webrtc::dtls
