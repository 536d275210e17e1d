#include "webrtc/stun/stun_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/allocation_counter_test_support.hpp"
#include "base/hex_test_support.hpp"

namespace webrtc::stun {
namespace {

using base::test::as_bytes;
using base::test::from_hex;

constexpr TransactionId RfcId{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                              0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
constexpr std::string_view Password = "VOkJxbRl1RmTxUk/WvJxBt";

// RFC 5769 2.4 has zero padding everywhere, so our writer must reproduce it byte for byte.
TEST(StunWriter, ReproducesRfc5769LongTermRequest) {
  const auto expected = from_hex(R"(
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66)");
  const TransactionId id{0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
  std::array<uint8_t, 200> buf{};
  StunWriter w(buf, MessageClass::Request, BindingMethod, id);
  EXPECT_TRUE(w.add_username("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"));
  EXPECT_TRUE(w.add_attribute(static_cast<uint16_t>(AttributeType::Nonce),
                              as_bytes("f//499k954d6OL34oL9FSTvy64sA")));
  EXPECT_TRUE(
      w.add_attribute(static_cast<uint16_t>(AttributeType::Realm), as_bytes("example.org")));
  EXPECT_TRUE(w.add_message_integrity(from_hex("e8ca7ad59d5eb0518e312911d2dab2a9")));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(std::vector<uint8_t>(w.bytes().begin(), w.bytes().end()), expected);
}

// The XOR-MAPPED-ADDRESS attributes of RFC 5769 2.2 and 2.3 (bytes 36..48 and 36..60).
TEST(StunWriter, XorMappedAddressMatchesRfc5769) {
  const auto v4 = from_hex("00 20 00 08 00 01 a1 47 e1 12 a6 43");
  const auto v6 =
      from_hex("00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9");
  const auto addr4 = TransportAddress::ipv4({192, 0, 2, 1}, 32853);
  const auto addr6 =
      TransportAddress::from_ip_string("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  ASSERT_TRUE(addr6);
  const auto m4 = StunWriter::binding_success(RfcId, addr4, as_bytes(Password));
  const auto m6 = StunWriter::binding_success(RfcId, *addr6, as_bytes(Password));
  ASSERT_EQ(m4.size(), StunWriter::binding_success_size(addr4));
  ASSERT_EQ(m6.size(), StunWriter::binding_success_size(*addr6));
  EXPECT_EQ(std::vector<uint8_t>(m4.begin() + 20, m4.begin() + 32), v4);
  EXPECT_EQ(std::vector<uint8_t>(m6.begin() + 20, m6.begin() + 44), v6);
}

TEST(StunWriter, BindingSuccessRoundTrip) {
  for (const auto& addr : {TransportAddress::ipv4({127, 0, 0, 1}, 50000),
                           *TransportAddress::from_ip_string("::1", 9)}) {
    const auto bytes = StunWriter::binding_success(RfcId, addr, as_bytes(Password));
    const auto m = StunMessage::parse(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->message_class(), MessageClass::SuccessResponse);
    EXPECT_EQ(m->method(), BindingMethod);
    EXPECT_EQ(m->transaction_id(), RfcId);
    EXPECT_EQ(m->xor_mapped_address(), addr);
    EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
    EXPECT_FALSE(m->verify_message_integrity(as_bytes("other")));
    EXPECT_TRUE(m->verify_fingerprint());
  }
}

TEST(StunWriter, BindingRequestRoundTrip) {
  StunWriter::BindingRequest req;
  req.username = "remote:local";
  req.priority = 1853824767;
  req.tie_breaker = 0x0102030405060708;
  req.use_candidate = true;
  const auto bytes = StunWriter::binding_request(RfcId, req, as_bytes(Password));
  ASSERT_EQ(bytes.size(), StunWriter::binding_request_size(req));
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_binding_request());
  EXPECT_EQ(m->username(), "remote:local");
  EXPECT_EQ(m->priority(), 1853824767u);
  EXPECT_EQ(m->ice_controlling(), 0x0102030405060708u);
  EXPECT_FALSE(m->ice_controlled());
  EXPECT_TRUE(m->use_candidate());
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_TRUE(m->verify_fingerprint());

  req.controlling = false;
  req.use_candidate = false;
  const auto m2_bytes = StunWriter::binding_request(RfcId, req, as_bytes(Password));
  const auto m2 = StunMessage::parse(m2_bytes);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->ice_controlled(), 0x0102030405060708u);
  EXPECT_FALSE(m2->ice_controlling());
  EXPECT_FALSE(m2->use_candidate());
}

// Parse the RFC 5769 2.1 request, write an equivalent one from its accessors, parse that again.
TEST(StunWriter, ParseWriteParseOfRfcRequest) {
  const auto original = from_hex(R"(
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf)");
  const auto a = StunMessage::parse(original);
  ASSERT_TRUE(a);
  StunWriter::BindingRequest req;
  req.username = *a->username();
  req.priority = *a->priority();
  req.controlling = false;
  req.tie_breaker = *a->ice_controlled();
  const auto rewritten = StunWriter::binding_request(a->transaction_id(), req, as_bytes(Password));
  const auto b = StunMessage::parse(rewritten);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->transaction_id(), a->transaction_id());
  EXPECT_EQ(b->username(), a->username());
  EXPECT_EQ(b->priority(), a->priority());
  EXPECT_EQ(b->ice_controlled(), a->ice_controlled());
  EXPECT_TRUE(b->verify_message_integrity(as_bytes(Password)));
  EXPECT_TRUE(b->verify_fingerprint());
}

TEST(StunWriter, ErrorResponses) {
  for (uint16_t code : {400, 401}) {
    const auto bytes =
        StunWriter::error_response(RfcId, code, StunWriter::default_reason(code), {});
    const auto m = StunMessage::parse(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->message_class(), MessageClass::ErrorResponse);
    EXPECT_EQ(m->method(), BindingMethod);
    ASSERT_TRUE(m->error_code());
    EXPECT_EQ(m->error_code()->code, code);
    EXPECT_EQ(m->error_code()->reason, StunWriter::default_reason(code));
    EXPECT_FALSE(m->has_message_integrity());
    EXPECT_TRUE(m->verify_fingerprint());
  }
  const auto bytes = StunWriter::error_response(RfcId, 487, "Role Conflict", as_bytes(Password));
  EXPECT_EQ(bytes.size(), StunWriter::error_response_size("Role Conflict", true));
  const auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->error_code()->code, 487);
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_TRUE(m->verify_fingerprint());
  EXPECT_TRUE(StunWriter::error_response(RfcId, 200, "no", {}).empty());
  EXPECT_TRUE(StunWriter::error_response(RfcId, 700, "no", {}).empty());
}

TEST(StunWriter, TooSmallBufferWritesNothing) {
  const auto addr = TransportAddress::ipv4({10, 0, 0, 1}, 1234);
  const size_t need = StunWriter::binding_success_size(addr);
  std::vector<uint8_t> buf(need);
  for (size_t n = 0; n < need; ++n) {
    EXPECT_EQ(
        StunWriter::write_binding_success(std::span(buf).first(n), RfcId, addr, as_bytes(Password)),
        0u)
        << n;
  }
  EXPECT_EQ(StunWriter::write_binding_success(buf, RfcId, addr, as_bytes(Password)), need);
}

TEST(StunWriter, SealingOrderIsEnforced) {
  std::array<uint8_t, 256> buf{};
  StunWriter w(buf, MessageClass::Request, BindingMethod, RfcId);
  EXPECT_TRUE(w.add_message_integrity(as_bytes(Password)));
  EXPECT_FALSE(w.add_priority(1));  // only FINGERPRINT may follow MESSAGE-INTEGRITY
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 0u);

  StunWriter w2(buf, MessageClass::Request, BindingMethod, RfcId);
  EXPECT_TRUE(w2.add_fingerprint());
  EXPECT_FALSE(w2.add_fingerprint());

  StunWriter w3(buf, MessageClass::Request, BindingMethod, RfcId);
  EXPECT_FALSE(w3.add_attribute(static_cast<uint16_t>(AttributeType::Fingerprint), {}));
  StunWriter w4(buf, MessageClass::Request, BindingMethod, RfcId);
  EXPECT_FALSE(w4.add_username(std::string(MaxUsernameSize + 1, 'u')));
  StunWriter w5(std::span<uint8_t>(buf).first(19), MessageClass::Request, BindingMethod, RfcId);
  EXPECT_FALSE(w5.ok());
}

TEST(StunWriter, WritingIntoCallerMemoryDoesNotAllocate) {
  std::array<uint8_t, 128> buf{};
  const auto addr = TransportAddress::ipv4({10, 0, 0, 1}, 1234);
  const auto key = as_bytes(Password);
  (void)StunWriter::write_binding_success(buf, RfcId, addr, key);  // warm per-thread HMAC state
  size_t total = 0;
  size_t ours = 0;
  const auto all = base::test::allocations_in([&] {
    ours = base::test::new_allocations_in([&] {
      for (int i = 0; i < 100; ++i)
        total += StunWriter::write_binding_success(buf, RfcId, addr, key);
    });
  });
  const auto m = StunMessage::parse(std::span(buf).first(total / 100));
  EXPECT_EQ(ours, 0u);
  // OpenSSL's HMAC (MESSAGE-INTEGRITY) mallocs 5 times per message (measured, OpenSSL 3.0):
  // once per ICE check answered, a few a second per viewer, never per media packet. More would
  // be a regression.
  if (base::test::MallocCounted) {
    EXPECT_LE(all, 500u);
  }
  EXPECT_TRUE(m && m->verify_message_integrity(key));
}

}  // namespace
}  // namespace webrtc::stun
