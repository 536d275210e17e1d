// RFC test vectors for the pieces below SrtpSession: the RFC 3711 key derivation (B.3), the
// AES-CM keystream (B.2), RFC 7714's AEAD_AES_128_GCM SRTP (16.1.1) and SRTCP (17.1) packets,
// and the replay window / index estimation of RFC 3711 3.3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex_test_support.hpp"
#include "webrtc/srtp/srtp_cipher_cm.hpp"
#include "webrtc/srtp/srtp_cipher_gcm.hpp"
#include "webrtc/srtp/srtp_kdf.hpp"
#include "webrtc/srtp/srtp_replay_window.hpp"

namespace webrtc::srtp {
namespace {

using base::test::from_hex;

std::vector<uint8_t> derive(SrtpKdfLabel label, size_t length) {
  const auto key = from_hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto salt = from_hex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<uint8_t> out(length);
  EXPECT_TRUE(srtp_kdf(key, salt, label, out));
  return out;
}

// RFC 3711 B.3: cipher key, cipher salt and the first 20 bytes of the auth key.
TEST(SrtpKdfTest, Rfc3711AppendixB3) {
  EXPECT_EQ(derive(SrtpKdfLabel::RtpEncryption, 16), from_hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(derive(SrtpKdfLabel::RtpSalt, 14), from_hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(derive(SrtpKdfLabel::RtpAuthentication, 20),
            from_hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

TEST(SrtpKdfTest, RejectsBadLengths) {
  std::vector<uint8_t> out(16);
  const std::vector<uint8_t> key(16), short_key(15), long_salt(15), salt(14);
  EXPECT_FALSE(srtp_kdf(short_key, salt, SrtpKdfLabel::RtpEncryption, out));
  EXPECT_FALSE(srtp_kdf(key, long_salt, SrtpKdfLabel::RtpEncryption, out));
  std::vector<uint8_t> huge(257);
  EXPECT_FALSE(srtp_kdf(key, salt, SrtpKdfLabel::RtpEncryption, huge));
  EXPECT_TRUE(srtp_kdf(key, salt, SrtpKdfLabel::RtpEncryption, out));
}

// RFC 3711 B.2: session key 2B7E..., salt F0F1...FD, SSRC 0, index 0: the payload of an
// all-zero packet becomes the keystream itself (first three blocks).
TEST(SrtpCipherCmTest, Rfc3711AppendixB2Keystream) {
  const std::vector<uint8_t> auth(20, 0);
  auto cipher = SrtpCipherCm::create(from_hex("2B7E151628AED2A6ABF7158809CF4F3C"),
                                     from_hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), auth);
  ASSERT_TRUE(cipher);
  std::vector<uint8_t> packet(12 + 48 + SrtpCipherCm::TagLength, 0);
  packet[0] = 0x80;
  ASSERT_TRUE(cipher->protect_rtp(packet, 12, 0, 0));
  EXPECT_EQ(std::vector<uint8_t>(packet.begin() + 12, packet.begin() + 60),
            from_hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
                     "41E95B3BB0A2E8DD477901E4FCA894C0"));
}

TEST(SrtpCipherCmTest, TagCoversRocAndRejectsTampering) {
  const std::vector<uint8_t> key(16, 1), salt(14, 2), auth(20, 3);
  auto tx = SrtpCipherCm::create(key, salt, auth);
  auto rx = SrtpCipherCm::create(key, salt, auth);
  ASSERT_TRUE(tx && rx);
  std::vector<uint8_t> packet(12 + 30 + 10, 0x11);
  packet[0] = 0x80;
  ASSERT_TRUE(tx->protect_rtp(packet, 12, 5, (uint64_t{3} << 16) | 9));
  auto copy = packet;
  EXPECT_FALSE(rx->unprotect_rtp(copy, 12, 5, (uint64_t{4} << 16) | 9));  // other ROC
  EXPECT_EQ(copy, packet);  // authenticated before decrypting: untouched
  EXPECT_TRUE(rx->unprotect_rtp(copy, 12, 5, (uint64_t{3} << 16) | 9));
  EXPECT_EQ(copy[20], 0x11);
  EXPECT_FALSE(SrtpCipherCm::create(key, std::vector<uint8_t>(12), auth));
}

// RFC 7714 16.1.1 / 17.1 use the session key and salt directly.
const std::vector<uint8_t> GcmKey = from_hex("000102030405060708090a0b0c0d0e0f");
const std::vector<uint8_t> GcmSalt = from_hex("517569642070726f2071756f");

TEST(SrtpCipherGcmTest, Rfc7714Section16Rtp) {
  const auto plain = from_hex(
      "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 "
      "696e2070 61727465 73207472 6573");
  const auto expected = from_hex(
      "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f "
      "42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce");
  auto tx = SrtpCipherGcm::create(GcmKey, GcmSalt, true);
  auto rx = SrtpCipherGcm::create(GcmKey, GcmSalt, false);
  ASSERT_TRUE(tx && rx);
  auto packet = plain;
  packet.resize(plain.size() + 16);
  ASSERT_TRUE(tx->protect_rtp(packet, 12, 0x5501a0b2, 0xf17b));
  EXPECT_EQ(packet, expected);
  ASSERT_TRUE(rx->unprotect_rtp(packet, 12, 0x5501a0b2, 0xf17b));
  packet.resize(plain.size());
  EXPECT_EQ(packet, plain);

  auto bad = expected;
  bad[20] ^= 1;
  EXPECT_FALSE(rx->unprotect_rtp(bad, 12, 0x5501a0b2, 0xf17b));
  bad = expected;
  EXPECT_FALSE(rx->unprotect_rtp(bad, 12, 0x5501a0b2, 0x1f17b));  // ROC 1 changes the IV
  EXPECT_FALSE(tx->unprotect_rtp(bad, 12, 0x5501a0b2, 0xf17b));   // wrong direction
}

TEST(SrtpCipherGcmTest, Rfc7714Section17Rtcp) {
  const auto plain = from_hex(
      "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef "
      "deadbeef deadbeef deadbeef deadbeef");
  const auto expected = from_hex(
      "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 "
      "730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4");
  auto tx = SrtpCipherGcm::create(GcmKey, GcmSalt, true);
  auto rx = SrtpCipherGcm::create(GcmKey, GcmSalt, false);
  ASSERT_TRUE(tx && rx);
  auto packet = plain;
  packet.resize(plain.size() + 16 + 4);
  ASSERT_TRUE(tx->protect_rtcp(packet, 0x4d617273, 0x5d4));
  EXPECT_EQ(packet, expected);
  ASSERT_TRUE(rx->unprotect_rtcp(packet, 0x4d617273, 0x5d4, true));
  packet.resize(plain.size());
  EXPECT_EQ(packet, plain);
  auto bad = expected;
  EXPECT_FALSE(rx->unprotect_rtcp(bad, 0x4d617273, 0x5d5, true));  // index is in the IV
  bad = expected;
  EXPECT_FALSE(rx->unprotect_rtcp(bad, 0x4d617273, 0x5d4, false));  // E flag is in the AAD
}

TEST(SrtpReplayWindowTest, Rfc3711Section332) {
  SrtpReplayWindow w;
  EXPECT_FALSE(w.is_replay(5000));
  w.accept(5000);
  EXPECT_TRUE(w.is_replay(5000));
  EXPECT_FALSE(w.is_replay(4999));
  EXPECT_FALSE(w.is_replay(5000 - 1023));
  EXPECT_TRUE(w.is_replay(5000 - 1024));  // left of the 1024-entry window
  w.accept(4990);
  EXPECT_TRUE(w.is_replay(4990));
  w.accept(5000 + 1023);  // 4990's slot stays inside the window, 5000's too
  EXPECT_TRUE(w.is_replay(5000));
  EXPECT_FALSE(w.is_replay(5001));
  EXPECT_TRUE(w.is_replay(4990));  // now left of the window
  w.accept(100000);                // a jump clears everything
  EXPECT_FALSE(w.is_replay(100000 - 5));
  EXPECT_EQ(w.highest(), 100000u);
}

TEST(SrtpReplayWindowTest, IndexEstimationAppendixA) {
  SrtpReplayWindow w;
  EXPECT_EQ(estimate_rtp_index(w, 65000), 65000u);  // first packet: ROC 0
  w.accept(65000);
  EXPECT_EQ(estimate_rtp_index(w, 10), 0x1000au);   // wrapped: ROC 1
  EXPECT_EQ(estimate_rtp_index(w, 64000), 64000u);  // late, same ROC
  w.accept(0x1000a);
  EXPECT_EQ(estimate_rtp_index(w, 65530), 65530u);    // from before the wrap: ROC 0
  EXPECT_EQ(estimate_rtp_index(w, 20000), 0x14e20u);  // ahead, ROC 1
  SrtpReplayWindow early;
  early.accept(5);
  EXPECT_EQ(estimate_rtp_index(early, 65535), 65535u);  // never a negative ROC
}

}  // namespace
}  // namespace webrtc::srtp
