#include "webrtc/stun/stun_message.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "base/crypto.hpp"
#include "base/hex_test_support.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace webrtc::stun {
namespace {

using base::test::as_bytes;
using base::test::from_hex;

// RFC 5769 2.1: sample request, short-term credentials, padding bytes are spaces.
const std::vector<uint8_t> SampleRequest = from_hex(R"(
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf)");

// RFC 5769 2.2: IPv4 response, mapped address 192.0.2.1:32853.
const std::vector<uint8_t> Ipv4Response = from_hex(R"(
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96)");

// RFC 5769 2.3: IPv6 response, mapped address [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const std::vector<uint8_t> Ipv6Response = from_hex(R"(
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c)");

// RFC 5769 2.4: request with long-term credentials, no FINGERPRINT.
const std::vector<uint8_t> LongTermRequest = from_hex(R"(
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66)");

// MD5("<username>:example.org:TheMatrIX"), the RFC 8489 9.2.2 long-term key for 2.4, computed
// once outside the test (base has no MD5 helper and STUN needs none for ICE).
const std::vector<uint8_t> LongTermKey = from_hex("e8ca7ad59d5eb0518e312911d2dab2a9");

constexpr std::string_view Password = "VOkJxbRl1RmTxUk/WvJxBt";
constexpr TransactionId SampleId{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

TEST(StunMessage, Rfc5769SampleRequest) {
  ASSERT_TRUE(StunMessage::is_stun(SampleRequest));
  const auto m = StunMessage::parse(SampleRequest);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_binding_request());
  EXPECT_EQ(m->message_class(), MessageClass::Request);
  EXPECT_EQ(m->method(), BindingMethod);
  EXPECT_EQ(m->transaction_id(), SampleId);
  EXPECT_EQ(m->attributes().size(), 6u);
  EXPECT_EQ(m->username(), "evtj:h6vY");
  EXPECT_EQ(m->priority(), 0x6e0001ffu);
  EXPECT_EQ(m->ice_controlled(), 0x932ff9b151263b36u);
  EXPECT_FALSE(m->ice_controlling());
  EXPECT_FALSE(m->use_candidate());
  EXPECT_FALSE(m->xor_mapped_address());
  EXPECT_FALSE(m->error_code());
  const auto* software = m->find(AttributeType::Software);
  ASSERT_NE(software, nullptr);
  const auto sv = m->value(*software);
  EXPECT_EQ(std::string(sv.begin(), sv.end()), "STUN test client");
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_FALSE(m->verify_message_integrity(as_bytes("VOkJxbRl1RmTxUk/WvJxBu")));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, Rfc5769Ipv4Response) {
  const auto m = StunMessage::parse(Ipv4Response);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message_class(), MessageClass::SuccessResponse);
  EXPECT_EQ(m->method(), BindingMethod);
  EXPECT_EQ(m->xor_mapped_address(), TransportAddress::ipv4({192, 0, 2, 1}, 32853));
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  const auto m = StunMessage::parse(Ipv6Response);
  ASSERT_TRUE(m);
  const auto mapped = m->xor_mapped_address();
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, Rfc5769LongTermRequest) {
  const auto m = StunMessage::parse(LongTermRequest);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->username(), "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
  const auto* realm = m->find(AttributeType::Realm);
  ASSERT_NE(realm, nullptr);
  EXPECT_EQ(realm->length, 11u);
  EXPECT_TRUE(m->verify_message_integrity(LongTermKey));
  EXPECT_FALSE(m->verify_message_integrity(as_bytes(Password)));
  EXPECT_FALSE(m->has_fingerprint());
  EXPECT_FALSE(m->verify_fingerprint());
}

// tests/data/stun holds the same vectors as files, the fuzzer's seed corpus.
TEST(StunMessage, FixtureFilesMatchTheVectors) {
  const std::pair<const char*, const std::vector<uint8_t>*> files[] = {
      {"rfc5769_2_1_sample_request.bin", &SampleRequest},
      {"rfc5769_2_2_ipv4_response.bin", &Ipv4Response},
      {"rfc5769_2_3_ipv6_response.bin", &Ipv6Response},
      {"rfc5769_2_4_long_term_request.bin", &LongTermRequest}};
  for (const auto& [name, expected] : files) {
    std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/stun/" + name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(bytes, *expected) << name;
  }
}

TEST(StunMessage, AnyFlippedBitBreaksIntegrityOrFingerprint) {
  for (size_t i = HeaderSize; i < SampleRequest.size(); ++i) {
    auto copy = SampleRequest;
    copy[i] ^= 0x01;
    const auto m = StunMessage::parse(copy);
    if (!m) continue;  // a flipped length or type may make it unparseable, which is also fine
    EXPECT_FALSE(m->verify_message_integrity(as_bytes(Password)) && m->verify_fingerprint())
        << "byte " << i;
  }
}

// Appends an attribute after the end and patches the header length.
void append_attribute(std::vector<uint8_t>& msg, uint16_t type, std::span<const uint8_t> value) {
  msg.push_back(static_cast<uint8_t>(type >> 8));
  msg.push_back(static_cast<uint8_t>(type));
  msg.push_back(static_cast<uint8_t>(value.size() >> 8));
  msg.push_back(static_cast<uint8_t>(value.size()));
  msg.insert(msg.end(), value.begin(), value.end());
  while (msg.size() % 4 != 0)
    msg.push_back(0);
  const size_t length = msg.size() - HeaderSize;
  msg[2] = static_cast<uint8_t>(length >> 8);
  msg[3] = static_cast<uint8_t>(length);
}

std::vector<uint8_t> request_without_fingerprint() {
  std::array<uint8_t, 256> buf{};
  StunWriter w(buf, MessageClass::Request, BindingMethod, SampleId);
  w.add_username("a:b");
  w.add_message_integrity(as_bytes(Password));
  EXPECT_TRUE(w.ok());
  return {w.bytes().begin(), w.bytes().end()};
}

TEST(StunMessage, AttributesAfterIntegrityAreIgnoredButFingerprintCounts) {
  auto msg = request_without_fingerprint();
  const std::array<uint8_t, 4> priority{0, 0, 0, 7};
  append_attribute(msg, static_cast<uint16_t>(AttributeType::Priority), priority);
  append_attribute(msg, static_cast<uint16_t>(AttributeType::UseCandidate), {});
  // RFC 8489 14.5: the MAC used the length up to MESSAGE-INTEGRITY, so it still verifies.
  auto m = StunMessage::parse(msg);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->priority());
  EXPECT_FALSE(m->use_candidate());
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));

  const auto fp_header_length = msg.size() - HeaderSize + 8;
  msg[2] = static_cast<uint8_t>(fp_header_length >> 8);
  msg[3] = static_cast<uint8_t>(fp_header_length);
  const uint32_t crc = base::crc32(msg) ^ FingerprintXor;
  const std::array<uint8_t, 4> fp{static_cast<uint8_t>(crc >> 24), static_cast<uint8_t>(crc >> 16),
                                  static_cast<uint8_t>(crc >> 8), static_cast<uint8_t>(crc)};
  append_attribute(msg, static_cast<uint16_t>(AttributeType::Fingerprint), fp);
  m = StunMessage::parse(msg);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->verify_fingerprint());
  EXPECT_TRUE(m->verify_message_integrity(as_bytes(Password)));
}

TEST(StunMessage, TruncatedOrMisframedInputIsRejected) {
  for (size_t n = 0; n < SampleRequest.size(); ++n) {
    const std::span<const uint8_t> prefix(SampleRequest.data(), n);
    EXPECT_FALSE(StunMessage::is_stun(prefix)) << n;
    EXPECT_FALSE(StunMessage::parse(prefix)) << n;
  }
  auto bad_cookie = SampleRequest;
  bad_cookie[5] ^= 0x01;
  EXPECT_FALSE(StunMessage::parse(bad_cookie));
  auto top_bits = SampleRequest;
  top_bits[0] |= 0x80;
  EXPECT_FALSE(StunMessage::parse(top_bits));
  auto odd_length = SampleRequest;
  odd_length.push_back(0);
  odd_length[3] += 1;  // length matches the datagram but is not a multiple of 4
  EXPECT_FALSE(StunMessage::parse(odd_length));
  auto long_datagram = SampleRequest;
  long_datagram.insert(long_datagram.end(), 4, 0);  // header length now short of the datagram
  EXPECT_FALSE(StunMessage::parse(long_datagram));
}

std::vector<uint8_t> header_with_body(std::vector<uint8_t> body) {
  std::vector<uint8_t> msg{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
  msg.insert(msg.end(), SampleId.begin(), SampleId.end());
  msg.insert(msg.end(), body.begin(), body.end());
  msg[2] = static_cast<uint8_t>(body.size() >> 8);
  msg[3] = static_cast<uint8_t>(body.size());
  return msg;
}

TEST(StunMessage, AttributeFramingErrorsAreRejected) {
  // Length past the end of the message.
  EXPECT_FALSE(StunMessage::parse(header_with_body({0x00, 0x06, 0x00, 0x64, 'a', 'b', 'c', 'd'})));
  // Padding of the last attribute missing (value 5 bytes, only 8 body bytes in total).
  EXPECT_FALSE(StunMessage::parse(header_with_body({0x00, 0x06, 0x00, 0x05, 'a', 'b', 'c', 'd'})));
  // MESSAGE-INTEGRITY of the wrong size.
  std::vector<uint8_t> short_mi{0x00, 0x08, 0x00, 0x10};
  short_mi.resize(20, 0);
  EXPECT_FALSE(StunMessage::parse(header_with_body(short_mi)));
  // FINGERPRINT of the wrong size, and FINGERPRINT not last.
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x80, 0x28, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0})));
  EXPECT_FALSE(StunMessage::parse(
      header_with_body({0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x25, 0x00, 0x00})));
  // An empty message is fine.
  const auto empty_bytes = header_with_body({});
  const auto empty = StunMessage::parse(empty_bytes);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->attributes().empty());
  EXPECT_FALSE(empty->has_message_integrity());
  EXPECT_FALSE(empty->verify_message_integrity(as_bytes(Password)));
}

TEST(StunMessage, AttributeCountIsBounded) {
  std::vector<uint8_t> body;
  for (size_t i = 0; i < MaxAttributes; ++i)
    body.insert(body.end(), {0x00, 0x25, 0x00, 0x00});
  EXPECT_TRUE(StunMessage::parse(header_with_body(body)));
  body.insert(body.end(), {0x00, 0x25, 0x00, 0x00});
  EXPECT_FALSE(StunMessage::parse(header_with_body(body)));
  // Ignored attributes after MESSAGE-INTEGRITY count too.
  std::vector<uint8_t> after{0x00, 0x08, 0x00, 0x14};
  after.resize(24, 0);
  for (size_t i = 0; i < 16000; ++i)
    after.insert(after.end(), {0x00, 0x25, 0x00, 0x00});
  EXPECT_FALSE(StunMessage::parse(header_with_body(after)));
}

TEST(StunMessage, MalformedAttributeValuesGiveNothing) {
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x24, 0x00, 0x02, 1, 2, 0, 0}))->priority());
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x25, 0x00, 0x04, 1, 2, 3, 4}))->use_candidate());
  EXPECT_FALSE(StunMessage::parse(header_with_body({0x80, 0x2a, 0x00, 0x04, 1, 2, 3, 4}))
                   ->ice_controlling());
  // XOR-MAPPED-ADDRESS: unknown family, IPv4 family with IPv6 length, too short.
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x20, 0x00, 0x08, 0, 3, 0, 0, 1, 2, 3, 4}))
          ->xor_mapped_address());
  std::vector<uint8_t> v4_long{0x00, 0x20, 0x00, 0x14, 0, 1, 0, 0};
  v4_long.resize(24, 0);
  EXPECT_FALSE(StunMessage::parse(header_with_body(v4_long))->xor_mapped_address());
  EXPECT_FALSE(StunMessage::parse(header_with_body({0x00, 0x20, 0x00, 0x02, 0, 1, 0, 0}))
                   ->xor_mapped_address());
  // ERROR-CODE: class 7, number 100, too short.
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x09, 0x00, 0x04, 0, 0, 7, 0}))->error_code());
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x09, 0x00, 0x04, 0, 0, 4, 100}))->error_code());
  EXPECT_FALSE(
      StunMessage::parse(header_with_body({0x00, 0x09, 0x00, 0x02, 0, 0, 0, 0}))->error_code());
  const auto ok_bytes = header_with_body({0x00, 0x09, 0x00, 0x05, 0, 0, 4, 1, 'x', 0, 0, 0});
  const auto ok = StunMessage::parse(ok_bytes);
  ASSERT_TRUE(ok && ok->error_code());
  EXPECT_EQ(ok->error_code()->code, 401);
  EXPECT_EQ(ok->error_code()->reason, "x");
  // USERNAME longer than RFC 8489 14.3 allows.
  std::vector<uint8_t> long_name{0x00, 0x06, 0x02, 0x04};
  long_name.resize(4 + 516, 'a');
  const auto named_bytes = header_with_body(long_name);
  const auto named = StunMessage::parse(named_bytes);
  ASSERT_TRUE(named);
  EXPECT_FALSE(named->username());
}

TEST(StunMessage, RandomGarbageNeverCrashes) {
  std::mt19937 rng(5769);
  std::uniform_int_distribution<int> byte(0, 255);
  size_t parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> buf(static_cast<size_t>(rng() % 160));
    for (auto& b : buf)
      b = static_cast<uint8_t>(byte(rng));
    // Most iterations get a valid header so the attribute walk is exercised too.
    if (i % 4 != 0 && buf.size() >= HeaderSize) {
      buf.resize(HeaderSize + (buf.size() - HeaderSize) / 4 * 4);
      buf[0] &= 0x3F;
      const size_t length = buf.size() - HeaderSize;
      buf[2] = static_cast<uint8_t>(length >> 8);
      buf[3] = static_cast<uint8_t>(length);
      buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xa4, buf[7] = 0x42;
      // Keep attribute lengths small so some of them frame correctly.
      for (size_t p = HeaderSize + 2; p < buf.size(); p += 4)
        buf[p] = 0;
    }
    const auto m = StunMessage::parse(buf);
    if (!m) continue;
    ++parsed;
    (void)m->username();
    (void)m->priority();
    (void)m->use_candidate();
    (void)m->ice_controlling();
    (void)m->ice_controlled();
    (void)m->xor_mapped_address();
    (void)m->error_code();
    (void)m->verify_message_integrity(as_bytes(Password));
    (void)m->verify_fingerprint();
    for (const auto& a : m->attributes()) {
      ASSERT_LE(a.offset + a.length, buf.size());
    }
  }
  EXPECT_GT(parsed, 100u);  // the loop really reached the attribute parser
}

}  // namespace
}  // namespace webrtc::stun
