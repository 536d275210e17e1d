// libFuzzer target for the STUN parser (style rule 10): every accessor, then parse→write→parse
// for binding requests and responses. Build with clang -fsanitize=fuzzer,address,undefined.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "webrtc/stun/stun_message.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webrtc::stun;
  const std::span<const uint8_t> in(data, size);
  const auto m = StunMessage::parse(in);
  check(m.has_value() <= StunMessage::is_stun(in));
  if (!m) return 0;
  const std::vector<uint8_t> key{'k', 'e', 'y'};
  (void)m->message_class();
  (void)m->method();
  (void)m->ice_controlling();
  (void)m->ice_controlled();
  (void)m->error_code();
  (void)m->verify_message_integrity(key);
  (void)m->verify_fingerprint();
  for (const auto& a : m->attributes())
    check(a.offset + a.length <= size);

  if (const auto mapped = m->xor_mapped_address()) {
    const auto bytes = StunWriter::binding_success(m->transaction_id(), *mapped, key);
    const auto again = StunMessage::parse(bytes);
    check(again && again->xor_mapped_address() == mapped && again->verify_message_integrity(key) &&
          again->verify_fingerprint());
  }
  if (const auto username = m->username()) {
    StunWriter::BindingRequest req;
    req.username = *username;
    req.priority = m->priority().value_or(1);
    req.use_candidate = m->use_candidate();
    const auto bytes = StunWriter::binding_request(m->transaction_id(), req, key);
    const auto again = StunMessage::parse(bytes);
    check(again && again->username() == username && again->priority() == req.priority &&
          again->use_candidate() == req.use_candidate && again->verify_fingerprint());
  }
  return 0;
}
