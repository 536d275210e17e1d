#include "webrtc/stun/stun_message.hpp"

#include <algorithm>

#include "base/byte_reader.hpp"
#include "base/crypto.hpp"

namespace webrtc::stun {
namespace {

constexpr uint16_t type_code(AttributeType t) noexcept {
  return static_cast<uint16_t>(t);
}

constexpr size_t padded(size_t n) noexcept {
  return (n + 3) & ~size_t{3};
}

uint32_t read_u32(std::span<const uint8_t> b) noexcept {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

}  // namespace

bool StunMessage::is_stun(std::span<const uint8_t> in) noexcept {
  if (in.size() < HeaderSize) return false;
  // RFC 8489 5: the two most significant bits are zero; RFC 7983 demultiplexes on the same.
  if ((in[0] & 0xC0) != 0) return false;
  const size_t length = (size_t{in[2]} << 8) | in[3];
  // RFC 8489 5: the length excludes the header and is always a multiple of 4.
  if (length % 4 != 0 || HeaderSize + length != in.size()) return false;
  return read_u32(in.subspan(4, 4)) == MagicCookie;
}

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> in) noexcept {
  if (!is_stun(in)) return std::nullopt;
  StunMessage m;
  m.bytes_ = in;
  m.type_ = static_cast<uint16_t>((in[0] << 8) | in[1]);
  base::ByteReader r(in.subspan(HeaderSize));
  bool after_integrity = false;
  size_t walked = 0;
  while (!r.empty()) {
    // RFC 8489 14.7: FINGERPRINT is the last attribute; anything after it is malformed.
    if (m.fingerprint_index_ >= 0) return std::nullopt;
    if (++walked > MaxAttributes) return std::nullopt;
    const size_t value_offset = HeaderSize + r.position() + AttributeHeaderSize;
    const auto type = r.u16();
    const auto length = r.u16();
    if (!type || !length) return std::nullopt;
    // RFC 8489 14: the value is padded to a multiple of 4, and both must lie inside the message.
    if (!r.skip(padded(*length))) return std::nullopt;
    const Attribute attr{*type, *length, static_cast<uint32_t>(value_offset)};
    if (*type == type_code(AttributeType::Fingerprint)) {
      if (*length != 4) return std::nullopt;  // RFC 8489 14.7: a 32-bit CRC
      m.fingerprint_index_ = static_cast<int>(m.count_);
    } else if (after_integrity) {
      continue;  // RFC 8489 14.5: ignore all but FINGERPRINT after MESSAGE-INTEGRITY
    } else if (*type == type_code(AttributeType::MessageIntegrity)) {
      if (*length != MessageIntegritySize) return std::nullopt;  // RFC 8489 14.5: 20 bytes
      m.integrity_index_ = static_cast<int>(m.count_);
      after_integrity = true;
    }
    m.attrs_[m.count_++] = attr;
  }
  return m;
}

MessageClass StunMessage::message_class() const noexcept {
  return static_cast<MessageClass>(((type_ >> 4) & 1) | ((type_ >> 7) & 2));
}

uint16_t StunMessage::method() const noexcept {
  return static_cast<uint16_t>((type_ & 0x000F) | ((type_ >> 1) & 0x0070) |
                               ((type_ >> 2) & 0x0F80));
}

TransactionId StunMessage::transaction_id() const noexcept {
  TransactionId id{};
  std::copy_n(bytes_.begin() + 8, id.size(), id.begin());
  return id;
}

const StunMessage::Attribute* StunMessage::find(AttributeType type) const noexcept {
  for (const auto& a : attributes()) {
    if (a.type == type_code(type)) return &a;
  }
  return nullptr;
}

std::optional<std::string_view> StunMessage::username() const noexcept {
  const Attribute* a = find(AttributeType::Username);
  if (a == nullptr || a->length > MaxUsernameSize) return std::nullopt;  // RFC 8489 14.3
  const auto v = value(*a);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<uint32_t> StunMessage::priority() const noexcept {
  const Attribute* a = find(AttributeType::Priority);
  if (a == nullptr || a->length != 4) return std::nullopt;  // RFC 8445 16.1: 32 bits
  return read_u32(value(*a));
}

bool StunMessage::use_candidate() const noexcept {
  const Attribute* a = find(AttributeType::UseCandidate);
  return a != nullptr && a->length == 0;  // RFC 8445 16.1: no content
}

std::optional<uint64_t> StunMessage::u64_attribute(AttributeType type) const noexcept {
  const Attribute* a = find(type);
  if (a == nullptr || a->length != 8) return std::nullopt;  // RFC 8445 16.1: 64-bit tiebreaker
  base::ByteReader r(value(*a));
  return r.u64();
}

std::optional<uint64_t> StunMessage::ice_controlling() const noexcept {
  return u64_attribute(AttributeType::IceControlling);
}

std::optional<uint64_t> StunMessage::ice_controlled() const noexcept {
  return u64_attribute(AttributeType::IceControlled);
}

std::optional<TransportAddress> StunMessage::xor_mapped_address() const noexcept {
  const Attribute* a = find(AttributeType::XorMappedAddress);
  if (a == nullptr) return std::nullopt;
  // RFC 8489 14.2: reserved byte, family, X-Port, X-Address (4 or 16 bytes).
  base::ByteReader r(value(*a));
  const auto reserved = r.u8();
  const auto family = r.u8();
  const auto x_port = r.u16();
  if (!reserved || !family || !x_port) return std::nullopt;
  const auto port = static_cast<uint16_t>(*x_port ^ (MagicCookie >> 16));
  // The address is xored with the cookie, then (IPv6) the transaction id: header bytes 4..19.
  const auto mask = bytes_.subspan(4, 16);
  if (*family == static_cast<uint8_t>(TransportAddress::Family::Ipv4) && a->length == 8) {
    std::array<uint8_t, 4> ip{};
    const auto x = *r.bytes(4);
    for (size_t i = 0; i < ip.size(); ++i)
      ip[i] = x[i] ^ mask[i];
    return TransportAddress::ipv4(ip, port);
  }
  if (*family == static_cast<uint8_t>(TransportAddress::Family::Ipv6) && a->length == 20) {
    std::array<uint8_t, 16> ip{};
    const auto x = *r.bytes(16);
    for (size_t i = 0; i < ip.size(); ++i)
      ip[i] = x[i] ^ mask[i];
    return TransportAddress::ipv6(ip, port);
  }
  return std::nullopt;
}

std::optional<ErrorCode> StunMessage::error_code() const noexcept {
  const Attribute* a = find(AttributeType::ErrorCode);
  // RFC 8489 14.8: 21 reserved bits, class (3..6), number (0..99), then a short reason phrase.
  if (a == nullptr || a->length < 4 || a->length > 4 + MaxReasonPhraseSize) return std::nullopt;
  const auto v = value(*a);
  const unsigned cls = v[2] & 0x07;
  const unsigned number = v[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  const auto reason = v.subspan(4);
  return ErrorCode{static_cast<uint16_t>(cls * 100 + number),
                   std::string_view(reinterpret_cast<const char*>(reason.data()), reason.size())};
}

bool StunMessage::verify_message_integrity(std::span<const uint8_t> key) const noexcept {
  if (integrity_index_ < 0) return false;
  const Attribute& mi = attrs_[static_cast<size_t>(integrity_index_)];
  const size_t mi_start = mi.offset - AttributeHeaderSize;
  // RFC 8489 14.5: the HMAC covers everything before the attribute, with the header length
  // rewritten as if MESSAGE-INTEGRITY were the last attribute.
  std::array<uint8_t, HeaderSize> header{};
  std::copy_n(bytes_.begin(), HeaderSize, header.begin());
  const size_t length = mi_start + AttributeHeaderSize + MessageIntegritySize - HeaderSize;
  header[2] = static_cast<uint8_t>(length >> 8);
  header[3] = static_cast<uint8_t>(length);
  const auto mac =
      base::hmac_sha1_multi(key, {header, bytes_.subspan(HeaderSize, mi_start - HeaderSize)});
  return base::constant_time_equal(mac, value(mi));
}

bool StunMessage::verify_fingerprint() const noexcept {
  if (fingerprint_index_ < 0) return false;
  const Attribute& fp = attrs_[static_cast<size_t>(fingerprint_index_)];
  // RFC 8489 14.7: CRC-32 of everything before the attribute, xored with 0x5354554E. Parse
  // guaranteed it is last, so the header length already includes it.
  const uint32_t expected =
      base::crc32(bytes_.first(fp.offset - AttributeHeaderSize)) ^ FingerprintXor;
  return read_u32(value(fp)) == expected;
}

}  // namespace webrtc::stun
