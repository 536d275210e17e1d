#pragma once
// Builds STUN messages (RFC 8489) into caller memory: attributes are appended in order, then
// MESSAGE-INTEGRITY and FINGERPRINT seal the message. Static helpers size and write the three
// messages ICE needs: binding success, binding request (our WHEP client) and error responses.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "webrtc/stun/stun_message.hpp"
#include "webrtc/stun/transport_address.hpp"

namespace webrtc::stun {

class StunWriter {
 public:
  // Writes the 20-byte header at once. A too small `out` leaves the writer failed.
  StunWriter(std::span<uint8_t> out, MessageClass cls, uint16_t method,
             const TransactionId& id) noexcept;

  // Every add returns false and poisons the writer (ok() stays false) when the attribute does
  // not fit in `out`, its value is invalid, or the message is already sealed by
  // MESSAGE-INTEGRITY (only FINGERPRINT may follow) or FINGERPRINT (nothing may follow).
  bool add_attribute(uint16_t type, std::span<const uint8_t> value) noexcept;
  bool add_username(std::string_view username) noexcept;
  bool add_priority(uint32_t priority) noexcept;
  bool add_use_candidate() noexcept;
  bool add_ice_controlling(uint64_t tie_breaker) noexcept;
  bool add_ice_controlled(uint64_t tie_breaker) noexcept;
  bool add_xor_mapped_address(const TransportAddress& address) noexcept;
  bool add_error_code(uint16_t code, std::string_view reason) noexcept;  // code 300..699
  bool add_message_integrity(std::span<const uint8_t> key) noexcept;
  bool add_fingerprint() noexcept;

  bool ok() const noexcept { return ok_; }
  // Bytes written so far; 0 and empty once the writer failed.
  size_t size() const noexcept { return ok_ ? pos_ : 0; }
  std::span<const uint8_t> bytes() const noexcept { return out_.first(size()); }

  static constexpr size_t attribute_size(size_t value_size) noexcept {
    return AttributeHeaderSize + ((value_size + 3) & ~size_t{3});
  }

  // Success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT
  // (RFC 8445 7.3.1.4). write_* return the size written, 0 if `out` is too small.
  static size_t binding_success_size(const TransportAddress& mapped) noexcept;
  static size_t write_binding_success(std::span<uint8_t> out, const TransactionId& id,
                                      const TransportAddress& mapped,
                                      std::span<const uint8_t> key) noexcept;
  static std::vector<uint8_t> binding_success(const TransactionId& id,
                                              const TransportAddress& mapped,
                                              std::span<const uint8_t> key);

  // Connectivity check (RFC 8445 7.2.2): USERNAME, PRIORITY, ICE-CONTROLLING or
  // ICE-CONTROLLED, optional USE-CANDIDATE, MESSAGE-INTEGRITY (remote password), FINGERPRINT.
  struct BindingRequest {
    std::string_view username;  // "remote_ufrag:local_ufrag"
    uint32_t priority = 0;
    bool controlling = true;
    uint64_t tie_breaker = 0;
    bool use_candidate = false;
  };
  static size_t binding_request_size(const BindingRequest& request) noexcept;
  static size_t write_binding_request(std::span<uint8_t> out, const TransactionId& id,
                                      const BindingRequest& request,
                                      std::span<const uint8_t> key) noexcept;
  static std::vector<uint8_t> binding_request(const TransactionId& id,
                                              const BindingRequest& request,
                                              std::span<const uint8_t> key);

  // Binding error response with ERROR-CODE, MESSAGE-INTEGRITY when `key` is not empty, and
  // FINGERPRINT. RFC 8489 9.1.3: 400 and 401 responses carry no MESSAGE-INTEGRITY, since the
  // request could not be authenticated; a 487 answers an authenticated request and does.
  static size_t error_response_size(std::string_view reason, bool with_integrity) noexcept;
  static size_t write_error_response(std::span<uint8_t> out, const TransactionId& id, uint16_t code,
                                     std::string_view reason,
                                     std::span<const uint8_t> key) noexcept;
  static std::vector<uint8_t> error_response(const TransactionId& id, uint16_t code,
                                             std::string_view reason, std::span<const uint8_t> key);
  // "Bad Request", "Unauthorized", "Role Conflict", ... ("" for codes we never send).
  static std::string_view default_reason(uint16_t code) noexcept;

 private:
  enum class Stage : uint8_t { Open, Integrity, Sealed };

  bool append(uint16_t type, std::span<const uint8_t> value) noexcept;
  bool fail() noexcept;
  void set_length() noexcept;

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
  Stage stage_ = Stage::Open;
};

}  // namespace webrtc::stun
