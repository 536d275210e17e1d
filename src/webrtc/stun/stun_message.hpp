#pragma once
// STUN message view (RFC 8489, formerly RFC 5389): a cheap classifier, a noexcept parse that
// indexes the attributes in place, typed accessors for what ICE needs, and verification of
// MESSAGE-INTEGRITY and FINGERPRINT. The view points into the caller's bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "webrtc/stun/transport_address.hpp"

namespace webrtc::stun {

inline constexpr uint32_t MagicCookie = 0x2112A442;
inline constexpr size_t HeaderSize = 20;
inline constexpr size_t AttributeHeaderSize = 4;
inline constexpr size_t MessageIntegritySize = 20;      // HMAC-SHA1
inline constexpr uint32_t FingerprintXor = 0x5354554E;  // RFC 8489 14.7
// More attributes than this makes parse fail: browsers send fewer than ten.
inline constexpr size_t MaxAttributes = 32;
inline constexpr size_t MaxUsernameSize = 513;      // RFC 8489 14.3
inline constexpr size_t MaxReasonPhraseSize = 763;  // RFC 8489 14.8

using TransactionId = std::array<uint8_t, 12>;

enum class MessageClass : uint8_t {
  Request = 0,
  Indication = 1,
  SuccessResponse = 2,
  ErrorResponse = 3
};

inline constexpr uint16_t BindingMethod = 0x001;

enum class AttributeType : uint16_t {
  MappedAddress = 0x0001,
  Username = 0x0006,
  MessageIntegrity = 0x0008,
  ErrorCode = 0x0009,
  UnknownAttributes = 0x000A,
  Realm = 0x0014,
  Nonce = 0x0015,
  XorMappedAddress = 0x0020,
  Priority = 0x0024,      // RFC 8445 16.1
  UseCandidate = 0x0025,  // RFC 8445 16.1
  Software = 0x8022,
  Fingerprint = 0x8028,
  IceControlled = 0x8029,   // RFC 8445 16.1
  IceControlling = 0x802A,  // RFC 8445 16.1
};

// Message type bits interleave method and class (RFC 8489 5, figure 3).
constexpr uint16_t message_type(MessageClass cls, uint16_t method) noexcept {
  const auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
}

struct ErrorCode {
  uint16_t code = 0;  // 300..699
  std::string_view reason;
};

class StunMessage {
 public:
  struct Attribute {
    uint16_t type = 0;
    uint16_t length = 0;  // value length without padding
    uint32_t offset = 0;  // of the value, from the start of the message
  };

  // RFC 8489 5 and RFC 7983: top two bits zero, magic cookie, length a multiple of four that
  // matches the datagram. Does not look at attributes.
  static bool is_stun(std::span<const uint8_t> in) noexcept;
  static std::optional<StunMessage> parse(std::span<const uint8_t> in) noexcept;

  uint16_t type() const noexcept { return type_; }
  MessageClass message_class() const noexcept;
  uint16_t method() const noexcept;
  bool is_binding_request() const noexcept {
    return type_ == message_type(MessageClass::Request, BindingMethod);
  }
  TransactionId transaction_id() const noexcept;
  std::span<const uint8_t> bytes() const noexcept { return bytes_; }

  // Attributes before MESSAGE-INTEGRITY, in order (plus FINGERPRINT). Later ones are ignored
  // as RFC 8489 14.5 requires, so they can never be mistaken for authenticated.
  std::span<const Attribute> attributes() const noexcept { return {attrs_.data(), count_}; }
  // First occurrence of `type`, if any.
  const Attribute* find(AttributeType type) const noexcept;
  std::span<const uint8_t> value(const Attribute& a) const noexcept {
    return bytes_.subspan(a.offset, a.length);
  }

  // Each typed accessor returns nullopt when the attribute is absent or malformed.
  std::optional<std::string_view> username() const noexcept;
  std::optional<uint32_t> priority() const noexcept;
  bool use_candidate() const noexcept;
  std::optional<uint64_t> ice_controlling() const noexcept;
  std::optional<uint64_t> ice_controlled() const noexcept;
  std::optional<TransportAddress> xor_mapped_address() const noexcept;
  std::optional<ErrorCode> error_code() const noexcept;

  bool has_message_integrity() const noexcept { return integrity_index_ >= 0; }
  bool has_fingerprint() const noexcept { return fingerprint_index_ >= 0; }
  // HMAC-SHA1 with `key` (the ICE password for short-term credentials, RFC 8489 9.1.1). False
  // when the attribute is absent.
  bool verify_message_integrity(std::span<const uint8_t> key) const noexcept;
  bool verify_fingerprint() const noexcept;

 private:
  StunMessage() = default;
  std::optional<uint64_t> u64_attribute(AttributeType type) const noexcept;

  std::span<const uint8_t> bytes_;
  std::array<Attribute, MaxAttributes> attrs_{};
  size_t count_ = 0;
  uint16_t type_ = 0;
  int integrity_index_ = -1;
  int fingerprint_index_ = -1;
};

}  // namespace webrtc::stun
