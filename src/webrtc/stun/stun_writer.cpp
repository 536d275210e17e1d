#include "webrtc/stun/stun_writer.hpp"

#include <algorithm>
#include <array>

#include "base/crypto.hpp"

namespace webrtc::stun {
namespace {

constexpr size_t MaxBodySize = 0xFFFF;
constexpr size_t IntegrityAttributeSize = AttributeHeaderSize + MessageIntegritySize;
constexpr size_t FingerprintAttributeSize = AttributeHeaderSize + 4;

void put16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) noexcept {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

std::array<uint8_t, 8> be64(uint64_t v) noexcept {
  std::array<uint8_t, 8> out{};
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  return out;
}

constexpr uint16_t code_of(AttributeType t) noexcept {
  return static_cast<uint16_t>(t);
}

std::span<const uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

template <typename Write>
std::vector<uint8_t> to_vector(size_t size, Write&& write) {
  std::vector<uint8_t> out(size);
  out.resize(write(std::span<uint8_t>(out)));
  return out;
}

}  // namespace

StunWriter::StunWriter(std::span<uint8_t> out, MessageClass cls, uint16_t method,
                       const TransactionId& id) noexcept
    : out_(out) {
  if (out_.size() < HeaderSize || method > 0x0FFF) {
    fail();
    return;
  }
  // RFC 8489 5: type, length (patched as attributes are added), magic cookie, transaction id.
  put16(out_.data(), message_type(cls, method));
  put16(out_.data() + 2, 0);
  put32(out_.data() + 4, MagicCookie);
  std::copy(id.begin(), id.end(), out_.begin() + 8);
  pos_ = HeaderSize;
}

bool StunWriter::fail() noexcept {
  ok_ = false;
  return false;
}

void StunWriter::set_length() noexcept {
  put16(out_.data() + 2, static_cast<uint16_t>(pos_ - HeaderSize));
}

bool StunWriter::append(uint16_t type, std::span<const uint8_t> value) noexcept {
  if (!ok_ || value.size() > 0xFFFF) return fail();
  const size_t need = attribute_size(value.size());
  if (need > out_.size() - pos_ || pos_ + need - HeaderSize > MaxBodySize) return fail();
  uint8_t* p = out_.data() + pos_;
  put16(p, type);
  put16(p + 2, static_cast<uint16_t>(value.size()));
  std::copy(value.begin(), value.end(), p + AttributeHeaderSize);
  // RFC 8489 14: padding bytes are ignored by receivers; we send zeros.
  std::fill(p + AttributeHeaderSize + value.size(), p + need, uint8_t{0});
  pos_ += need;
  set_length();
  return true;
}

bool StunWriter::add_attribute(uint16_t type, std::span<const uint8_t> value) noexcept {
  if (stage_ != Stage::Open || type == code_of(AttributeType::MessageIntegrity) ||
      type == code_of(AttributeType::Fingerprint)) {
    return fail();
  }
  return append(type, value);
}

bool StunWriter::add_username(std::string_view username) noexcept {
  if (username.size() > MaxUsernameSize) return fail();
  return add_attribute(code_of(AttributeType::Username), as_bytes(username));
}

bool StunWriter::add_priority(uint32_t priority) noexcept {
  std::array<uint8_t, 4> v{};
  put32(v.data(), priority);
  return add_attribute(code_of(AttributeType::Priority), v);
}

bool StunWriter::add_use_candidate() noexcept {
  return add_attribute(code_of(AttributeType::UseCandidate), {});
}

bool StunWriter::add_ice_controlling(uint64_t tie_breaker) noexcept {
  return add_attribute(code_of(AttributeType::IceControlling), be64(tie_breaker));
}

bool StunWriter::add_ice_controlled(uint64_t tie_breaker) noexcept {
  return add_attribute(code_of(AttributeType::IceControlled), be64(tie_breaker));
}

bool StunWriter::add_xor_mapped_address(const TransportAddress& address) noexcept {
  if (!ok_) return false;
  // RFC 8489 14.2: the address is xored with the cookie and, for IPv6, the transaction id,
  // which are header bytes 4..19 already written.
  std::array<uint8_t, 20> v{};
  v[1] = static_cast<uint8_t>(address.family());
  put16(v.data() + 2, static_cast<uint16_t>(address.port() ^ (MagicCookie >> 16)));
  const auto ip = address.ip_bytes();
  for (size_t i = 0; i < ip.size(); ++i)
    v[4 + i] = ip[i] ^ out_[4 + i];
  return add_attribute(code_of(AttributeType::XorMappedAddress),
                       std::span<const uint8_t>(v).first(4 + ip.size()));
}

bool StunWriter::add_error_code(uint16_t code, std::string_view reason) noexcept {
  // RFC 8489 14.8: class 3..6 and number 0..99, reason phrase bounded.
  if (code < 300 || code > 699 || reason.size() > MaxReasonPhraseSize) return fail();
  std::array<uint8_t, 4 + MaxReasonPhraseSize> v{};
  v[2] = static_cast<uint8_t>(code / 100);
  v[3] = static_cast<uint8_t>(code % 100);
  std::copy(reason.begin(), reason.end(), v.begin() + 4);
  return add_attribute(code_of(AttributeType::ErrorCode),
                       std::span<const uint8_t>(v).first(4 + reason.size()));
}

bool StunWriter::add_message_integrity(std::span<const uint8_t> key) noexcept {
  if (!ok_ || stage_ != Stage::Open) return fail();
  if (IntegrityAttributeSize > out_.size() - pos_ ||
      pos_ + IntegrityAttributeSize - HeaderSize > MaxBodySize) {
    return fail();
  }
  // RFC 8489 14.5: the length field already counts this attribute when the HMAC is computed.
  const size_t start = pos_;
  pos_ += IntegrityAttributeSize;
  set_length();
  const auto mac = base::hmac_sha1(key, out_.first(start));
  pos_ = start;
  if (!append(code_of(AttributeType::MessageIntegrity), mac)) return false;
  stage_ = Stage::Integrity;
  return true;
}

bool StunWriter::add_fingerprint() noexcept {
  if (!ok_ || stage_ == Stage::Sealed) return fail();
  if (FingerprintAttributeSize > out_.size() - pos_ ||
      pos_ + FingerprintAttributeSize - HeaderSize > MaxBodySize) {
    return fail();
  }
  // RFC 8489 14.7: as for MESSAGE-INTEGRITY, the length includes the attribute being added.
  const size_t start = pos_;
  pos_ += FingerprintAttributeSize;
  set_length();
  std::array<uint8_t, 4> v{};
  put32(v.data(), base::crc32(out_.first(start)) ^ FingerprintXor);
  pos_ = start;
  if (!append(code_of(AttributeType::Fingerprint), v)) return false;
  stage_ = Stage::Sealed;
  return true;
}

size_t StunWriter::binding_success_size(const TransportAddress& mapped) noexcept {
  return HeaderSize + attribute_size(4 + mapped.ip_bytes().size()) + IntegrityAttributeSize +
         FingerprintAttributeSize;
}

size_t StunWriter::write_binding_success(std::span<uint8_t> out, const TransactionId& id,
                                         const TransportAddress& mapped,
                                         std::span<const uint8_t> key) noexcept {
  StunWriter w(out, MessageClass::SuccessResponse, BindingMethod, id);
  w.add_xor_mapped_address(mapped);
  w.add_message_integrity(key);
  w.add_fingerprint();
  return w.size();
}

std::vector<uint8_t> StunWriter::binding_success(const TransactionId& id,
                                                 const TransportAddress& mapped,
                                                 std::span<const uint8_t> key) {
  return to_vector(binding_success_size(mapped), [&](std::span<uint8_t> out) {
    return write_binding_success(out, id, mapped, key);
  });
}

size_t StunWriter::binding_request_size(const BindingRequest& request) noexcept {
  return HeaderSize + attribute_size(request.username.size()) + attribute_size(4) +
         attribute_size(8) + (request.use_candidate ? attribute_size(0) : 0) +
         IntegrityAttributeSize + FingerprintAttributeSize;
}

size_t StunWriter::write_binding_request(std::span<uint8_t> out, const TransactionId& id,
                                         const BindingRequest& request,
                                         std::span<const uint8_t> key) noexcept {
  StunWriter w(out, MessageClass::Request, BindingMethod, id);
  w.add_username(request.username);
  w.add_priority(request.priority);
  if (request.controlling) {
    w.add_ice_controlling(request.tie_breaker);
  } else {
    w.add_ice_controlled(request.tie_breaker);
  }
  if (request.use_candidate) w.add_use_candidate();
  w.add_message_integrity(key);
  w.add_fingerprint();
  return w.size();
}

std::vector<uint8_t> StunWriter::binding_request(const TransactionId& id,
                                                 const BindingRequest& request,
                                                 std::span<const uint8_t> key) {
  return to_vector(binding_request_size(request), [&](std::span<uint8_t> out) {
    return write_binding_request(out, id, request, key);
  });
}

size_t StunWriter::error_response_size(std::string_view reason, bool with_integrity) noexcept {
  return HeaderSize + attribute_size(4 + reason.size()) +
         (with_integrity ? IntegrityAttributeSize : 0) + FingerprintAttributeSize;
}

size_t StunWriter::write_error_response(std::span<uint8_t> out, const TransactionId& id,
                                        uint16_t code, std::string_view reason,
                                        std::span<const uint8_t> key) noexcept {
  StunWriter w(out, MessageClass::ErrorResponse, BindingMethod, id);
  w.add_error_code(code, reason);
  if (!key.empty()) w.add_message_integrity(key);
  w.add_fingerprint();
  return w.size();
}

std::vector<uint8_t> StunWriter::error_response(const TransactionId& id, uint16_t code,
                                                std::string_view reason,
                                                std::span<const uint8_t> key) {
  return to_vector(error_response_size(reason, !key.empty()), [&](std::span<uint8_t> out) {
    return write_error_response(out, id, code, reason, key);
  });
}

std::string_view StunWriter::default_reason(uint16_t code) noexcept {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 420:
      return "Unknown Attribute";
    case 487:
      return "Role Conflict";
    case 500:
      return "Server Error";
    default:
      return {};
  }
}

}  // namespace webrtc::stun
