#include "webrtc/srtp/srtp_session.hpp"

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <random>
#include <string>
#include <vector>

#include "base/allocation_counter_test_support.hpp"
#include "base/hex_test_support.hpp"
#include "webrtc/srtp/srtp_cipher_cm.hpp"
#include "webrtc/srtp/srtp_cipher_gcm.hpp"
#include "webrtc/srtp/srtp_kdf.hpp"
#include "webrtc/srtp/srtp_replay_window.hpp"

namespace webrtc::srtp {
namespace {

using base::test::from_hex;

// RFC 3711 B.3 master key and salt (key derivation test vectors).
const std::vector<uint8_t> Rfc3711Key = from_hex("e1f97a0d3e018be0d64fa32c06de4139");
const std::vector<uint8_t> Rfc3711Salt = from_hex("0ec675ad498afeebb6960b3aabe6");
const std::vector<uint8_t> GcmKey = from_hex("000102030405060708090a0b0c0d0e0f");
const std::vector<uint8_t> GcmSalt = from_hex("a0a1a2a3a4a5a6a7a8a9aaab");

// V=2, PT=15, seq 0x1234, ts 0xdecafbad, SSRC 0xcafebabe, 16 bytes of 0xab.
std::vector<uint8_t> known_rtp() {
  auto p = from_hex("800f1234decafbadcafebabe");
  p.insert(p.end(), 16, 0xab);
  return p;
}

std::vector<uint8_t> make_rtp(uint32_t ssrc, uint16_t seq, size_t payload_size) {
  std::vector<uint8_t> p = {0x80,
                            0x60,
                            uint8_t(seq >> 8),
                            uint8_t(seq),
                            0,
                            0,
                            0x10,
                            0x00,
                            uint8_t(ssrc >> 24),
                            uint8_t(ssrc >> 16),
                            uint8_t(ssrc >> 8),
                            uint8_t(ssrc)};
  for (size_t i = 0; i < payload_size; ++i)
    p.push_back(uint8_t(i * 7 + seq));
  return p;
}

// Receiver report with one report block (RFC 3550 6.4.2): 32 bytes.
// An RTP packet protected by `tx`, cut to its protected size; empty when `tx` refused it.
std::vector<uint8_t> protected_rtp(SrtpSession& tx, uint32_t ssrc, uint16_t seq, size_t payload) {
  auto buf = make_rtp(ssrc, seq, payload);
  const size_t len = buf.size();
  buf.resize(len + SrtpSession::MaxRtpTrailer);
  const auto n = tx.protect_rtp(buf, len);
  buf.resize(n ? *n : 0);
  return buf;
}

std::vector<uint8_t> make_rtcp_rr(uint32_t ssrc) {
  std::vector<uint8_t> p = {
      0x81, 201, 0, 7, uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  for (int i = 0; i < 24; ++i)
    p.push_back(uint8_t(i));
  return p;
}

struct Pair {
  std::unique_ptr<SrtpSession> tx;
  std::unique_ptr<SrtpSession> rx;
};

Pair make_pair(SrtpProfile profile) {
  const auto& key = profile == SrtpProfile::AeadAes128Gcm ? GcmKey : Rfc3711Key;
  const auto& salt = profile == SrtpProfile::AeadAes128Gcm ? GcmSalt : Rfc3711Salt;
  return {SrtpSession::create(profile, SrtpDirection::Outbound, key, salt),
          SrtpSession::create(profile, SrtpDirection::Inbound, key, salt)};
}

TEST(SrtpProfileTest, MapsRfc5764Ids) {
  EXPECT_EQ(srtp_profile_from_id(0x0001), SrtpProfile::Aes128CmHmacSha1_80);
  EXPECT_EQ(srtp_profile_from_id(0x0007), SrtpProfile::AeadAes128Gcm);
  EXPECT_FALSE(srtp_profile_from_id(0x0002));  // HMAC_SHA1_32: not offered
  EXPECT_FALSE(srtp_profile_from_id(0x0008));
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::Aes128CmHmacSha1_80), 14u);
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::AeadAes128Gcm), 12u);
  EXPECT_EQ(srtp_master_key_length(SrtpProfile::AeadAes128Gcm), 16u);
}

TEST(SrtpSessionTest, RejectsWrongKeyMaterial) {
  EXPECT_FALSE(SrtpSession::create(SrtpProfile::Aes128CmHmacSha1_80, SrtpDirection::Outbound,
                                   Rfc3711Key, GcmSalt));  // 12-byte salt for CM
  EXPECT_FALSE(SrtpSession::create(SrtpProfile::AeadAes128Gcm, SrtpDirection::Outbound, Rfc3711Key,
                                   Rfc3711Salt));  // 14-byte salt for GCM
  EXPECT_FALSE(SrtpSession::create(SrtpProfile::AeadAes128Gcm, SrtpDirection::Outbound,
                                   std::span<const uint8_t>(GcmKey).first(15), GcmSalt));
  EXPECT_FALSE(SrtpSession::create(static_cast<SrtpProfile>(0x0002), SrtpDirection::Outbound,
                                   Rfc3711Key, Rfc3711Salt));
}

// Expected bytes computed independently (Python `cryptography`) from RFC 3711: session keys per
// 4.3 (they equal B.3's C61E7A93..., CEBE321F..., 30CBBC08...), AES-CM per 4.1.1, HMAC-SHA1-80
// over header | ciphertext | ROC per 4.2. Same packet as libsrtp's own srtp_driver vector.
TEST(SrtpSessionTest, KnownAnswerAesCmRfc3711) {
  auto tx = SrtpSession::create(SrtpProfile::Aes128CmHmacSha1_80, SrtpDirection::Outbound,
                                Rfc3711Key, Rfc3711Salt);
  ASSERT_TRUE(tx);
  auto packet = known_rtp();
  const size_t len = packet.size();
  packet.resize(len + tx->rtp_trailer());  // exactly the room the tag needs (ASan checks)
  auto out = tx->protect_rtp(packet, len);
  ASSERT_EQ(out, len + 10);
  EXPECT_EQ(packet, from_hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402"
                             "b78d6acc99ea179b8dbb"));

  auto rx = SrtpSession::create(SrtpProfile::Aes128CmHmacSha1_80, SrtpDirection::Inbound,
                                Rfc3711Key, Rfc3711Salt);
  ASSERT_TRUE(rx);
  EXPECT_EQ(rx->unprotect_rtp(packet, *out), len);
  packet.resize(len);
  EXPECT_EQ(packet, known_rtp());
}

// RFC 7714: KDF with the 96-bit salt zero-padded to 112 bits (section 11), IV per 8.1
// (00 00 | SSRC | ROC | SEQ) XOR session salt, AAD = RTP header, 16-byte tag. Computed
// independently with Python `cryptography` AESGCM.
TEST(SrtpSessionTest, KnownAnswerAeadAes128Gcm) {
  auto tx =
      SrtpSession::create(SrtpProfile::AeadAes128Gcm, SrtpDirection::Outbound, GcmKey, GcmSalt);
  ASSERT_TRUE(tx);
  auto packet = known_rtp();
  const size_t len = packet.size();
  packet.resize(len + tx->rtp_trailer());
  auto out = tx->protect_rtp(packet, len);
  ASSERT_EQ(out, len + 16);
  EXPECT_EQ(packet, from_hex("800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06e"
                             "d2976826f796b201df3131a127e8a392"));
}

class SrtpRoundTripTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpRoundTripTest, RtpAndRtcpRoundTrip) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  for (uint16_t seq = 100; seq < 110; ++seq) {
    const auto plain = make_rtp(0x11223344, seq, 900);
    auto buf = plain;
    buf.resize(plain.size() + SrtpSession::MaxRtpTrailer);
    auto n = tx->protect_rtp(buf, plain.size());
    ASSERT_EQ(n, plain.size() + tx->rtp_trailer());
    EXPECT_NE(std::vector<uint8_t>(buf.begin() + 12, buf.begin() + 40),
              std::vector<uint8_t>(plain.begin() + 12, plain.begin() + 40));
    auto m = rx->unprotect_rtp(buf, *n);
    ASSERT_EQ(m, plain.size());
    buf.resize(*m);
    EXPECT_EQ(buf, plain);
  }
  const auto rr = make_rtcp_rr(0x55667788);
  auto buf = rr;
  buf.resize(rr.size() + tx->rtcp_trailer());
  auto n = tx->protect_rtcp(buf, rr.size());
  ASSERT_EQ(n, rr.size() + tx->rtcp_trailer());
  auto m = rx->unprotect_rtcp(buf, *n);
  ASSERT_EQ(m, rr.size());
  buf.resize(*m);
  EXPECT_EQ(buf, rr);
  EXPECT_EQ(rx->errors().auth_fail + rx->errors().replay + rx->errors().other, 0u);
}

TEST_P(SrtpRoundTripTest, TamperedPacketFailsAuthAndIsCounted) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  auto buf = make_rtp(1, 1, 200);
  const size_t len = buf.size();
  buf.resize(len + SrtpSession::MaxRtpTrailer);
  auto n = tx->protect_rtp(buf, len);
  ASSERT_TRUE(n);
  auto tampered = buf;
  tampered[50] ^= 0x01;
  EXPECT_FALSE(rx->unprotect_rtp(tampered, *n));
  tampered = buf;
  tampered[*n - 1] ^= 0x80;  // the tag itself
  EXPECT_FALSE(rx->unprotect_rtp(tampered, *n));
  EXPECT_EQ(rx->errors().auth_fail, 2u);
  // The untouched packet still authenticates: failures did not advance the replay window.
  EXPECT_EQ(rx->unprotect_rtp(buf, *n), len);

  auto rtcp = make_rtcp_rr(2);
  const size_t rlen = rtcp.size();
  rtcp.resize(rlen + SrtpSession::MaxRtcpTrailer);
  auto rn = tx->protect_rtcp(rtcp, rlen);
  ASSERT_TRUE(rn);
  rtcp[10] ^= 0x04;
  EXPECT_FALSE(rx->unprotect_rtcp(rtcp, *rn));
  EXPECT_EQ(rx->errors().auth_fail, 3u);
}

TEST_P(SrtpRoundTripTest, ReplayIsRejectedButRetransmissionsPass) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 1; seq <= 3000; ++seq) {
    sent.push_back(protected_rtp(*tx, 7, seq, 50));
    ASSERT_FALSE(sent.back().empty());
  }
  // Receive everything except seq 2990, which a NACK later brings back.
  for (size_t i = 0; i < sent.size(); ++i) {
    if (i == 2989) continue;
    auto b = sent[i];
    ASSERT_TRUE(rx->unprotect_rtp(b, b.size())) << i;
  }
  auto dup = sent[2999];
  EXPECT_FALSE(rx->unprotect_rtp(dup, dup.size()));  // exact replay
  EXPECT_EQ(rx->errors().replay, 1u);
  auto old = sent[100];
  EXPECT_FALSE(rx->unprotect_rtp(old, old.size()));  // far behind the 1024 window
  EXPECT_EQ(rx->errors().replay, 2u);

  // Retransmission: the sender protects seq 2990 again (same payload) and it is accepted.
  auto again = make_rtp(7, 2990, 50);
  const size_t len = again.size();
  again.resize(len + SrtpSession::MaxRtpTrailer);
  auto n = tx->protect_rtp(again, len);
  ASSERT_TRUE(n);
  again.resize(*n);
  EXPECT_EQ(again, sent[2989]);
  EXPECT_EQ(rx->unprotect_rtp(again, again.size()), len);

  auto rtcp = make_rtcp_rr(9);
  const size_t rlen = rtcp.size();
  rtcp.resize(rlen + SrtpSession::MaxRtcpTrailer);
  auto rn = tx->protect_rtcp(rtcp, rlen);
  ASSERT_TRUE(rn);
  auto copy = rtcp;
  EXPECT_TRUE(rx->unprotect_rtcp(copy, *rn));
  copy = rtcp;
  EXPECT_FALSE(rx->unprotect_rtcp(copy, *rn));
  EXPECT_EQ(rx->errors().replay, 3u);
}

TEST_P(SrtpRoundTripTest, SsrcsShareOneSessionUpToTheLimit) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  for (uint32_t ssrc = 1000; ssrc < 1000 + SrtpSession::MaxSsrcs; ++ssrc) {
    for (uint16_t seq = 0; seq < 3; ++seq) {
      auto buf = make_rtp(ssrc, seq, 100);
      const size_t len = buf.size();
      buf.resize(len + SrtpSession::MaxRtpTrailer);
      auto n = tx->protect_rtp(buf, len);
      ASSERT_TRUE(n);
      ASSERT_EQ(rx->unprotect_rtp(buf, *n), len);
    }
  }
  // One SSRC more than the fixed table holds: refused on both sides, counted as other.
  auto buf = make_rtp(999, 0, 100);
  const size_t len = buf.size();
  buf.resize(len + SrtpSession::MaxRtpTrailer);
  EXPECT_FALSE(tx->protect_rtp(buf, len));
  EXPECT_EQ(tx->errors().other, 1u);
  // RTCP has its own table: a new SSRC there still works.
  auto rr = make_rtcp_rr(999);
  const size_t rlen = rr.size();
  rr.resize(rlen + SrtpSession::MaxRtcpTrailer);
  auto rn = tx->protect_rtcp(rr, rlen);
  ASSERT_TRUE(rn);
  EXPECT_EQ(rx->unprotect_rtcp(rr, *rn), rlen);
}

// Counts malloc as well as operator new, so OpenSSL's allocations would show here.
TEST_P(SrtpRoundTripTest, ProtectAndUnprotectDoNotAllocatePerPacket) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  std::vector<uint8_t> buf(1200 + SrtpSession::MaxRtcpTrailer);
  auto plain = make_rtp(42, 0, 1188);
  std::copy(plain.begin(), plain.end(), buf.begin());
  auto first = tx->protect_rtp(buf, plain.size());
  ASSERT_TRUE(first);
  ASSERT_TRUE(rx->unprotect_rtp(buf, *first));
  const size_t before = base::test::allocations();
  size_t ok = 0;
  for (uint16_t seq = 1; seq <= 1000; ++seq) {
    buf[2] = uint8_t(seq >> 8);
    buf[3] = uint8_t(seq);
    auto n = tx->protect_rtp(buf, plain.size());
    ok += n && rx->unprotect_rtp(buf, *n) == plain.size();
    auto m = tx->protect_rtcp(buf, 100);
    ok += m && rx->unprotect_rtcp(buf, *m) == 100u;
  }
  EXPECT_EQ(base::test::allocations() - before, 0u);
  EXPECT_EQ(ok, 2000u);
}

TEST_P(SrtpRoundTripTest, BadCallsAreCountedNotFatal) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  auto buf = make_rtp(1, 1, 20);
  const size_t len = buf.size();
  // No room for the tag: refused before libsrtp could write past the span.
  EXPECT_FALSE(tx->protect_rtp(buf, len));
  buf.resize(len + tx->rtp_trailer() - 1);
  EXPECT_FALSE(tx->protect_rtp(buf, len));
  EXPECT_FALSE(tx->protect_rtp(buf, buf.size() + 1));  // len beyond the span
  EXPECT_FALSE(tx->protect_rtp(buf, 11));              // shorter than the RTP header
  EXPECT_FALSE(tx->protect_rtcp(buf, 7));              // shorter than the RTCP header
  EXPECT_FALSE(tx->unprotect_rtp(buf, len));           // wrong direction
  EXPECT_FALSE(rx->protect_rtp(buf, len));
  buf[0] = 0x40;  // version 1
  buf.resize(len + SrtpSession::MaxRtpTrailer);
  EXPECT_FALSE(tx->protect_rtp(buf, len));
  EXPECT_EQ(tx->errors().other, 7u);
  EXPECT_EQ(rx->errors().other, 1u);
}

TEST_P(SrtpRoundTripTest, RandomGarbageNeverUnprotects) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  std::mt19937 rng(1234);
  std::vector<uint8_t> buf(1600);
  for (int i = 0; i < 4000; ++i) {
    const size_t len = rng() % buf.size();
    for (size_t j = 0; j < len; ++j)
      buf[j] = uint8_t(rng());
    if (i % 2 == 0 && len > 0) buf[0] = uint8_t(0x80 | (buf[0] & 0x3f));  // pass the V=2 gate
    if (i % 3 == 0) {
      EXPECT_FALSE(rx->unprotect_rtcp(buf, len));
    } else {
      EXPECT_FALSE(rx->unprotect_rtp(buf, len));
    }
  }
  const auto& e = rx->errors();
  EXPECT_EQ(e.auth_fail + e.replay + e.other, 4000u);
  EXPECT_GT(e.auth_fail, 0u);
}

// RFC 3711 3.3.1: sequence numbers wrap 65535 -> 0 and the ROC increments on both sides; a
// packet from before the wrap that arrives after it still maps to the old ROC.
TEST_P(SrtpRoundTripTest, RolloverCounterAcrossSequenceWrap) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  std::vector<std::vector<uint8_t>> sent;
  for (uint32_t i = 0; i < 40; ++i) {
    const auto seq = static_cast<uint16_t>(65516 + i);  // 65516..65535, 0..19
    sent.push_back(protected_rtp(*tx, 77, seq, 60));
    ASSERT_FALSE(sent.back().empty());
  }
  // Deliver all but the last packet before the wrap (65535), then it, late.
  for (size_t i = 0; i < sent.size(); ++i) {
    if (i == 19) continue;
    auto b = sent[i];
    ASSERT_EQ(rx->unprotect_rtp(b, b.size()), b.size() - tx->rtp_trailer()) << i;
    EXPECT_EQ(b[12], uint8_t(0 * 7 + (65516 + i))) << i;  // decrypted payload byte 0
  }
  auto late = sent[19];
  EXPECT_TRUE(rx->unprotect_rtp(late, late.size()));
  EXPECT_EQ(rx->errors().auth_fail + rx->errors().replay + rx->errors().other, 0u);

  // The same bytes again under a receiver that never saw the wrap (ROC 0) do not verify:
  // the ROC is part of the tag (CM, RFC 3711 4.2) or the IV (GCM, RFC 7714 8.1).
  auto fresh = make_pair(GetParam()).rx;
  auto after_wrap = sent[25];
  EXPECT_FALSE(fresh->unprotect_rtp(after_wrap, after_wrap.size()));
  EXPECT_EQ(fresh->errors().auth_fail, 1u);
}

// 5000 random buffers (fixed seed) through all four calls with random lengths and room: each
// is refused or (protect) accepted, counted, and never reads or writes outside the span (ASan).
TEST_P(SrtpRoundTripTest, FiveThousandRandomBuffersAllCalls) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  std::mt19937 rng(20261124);
  size_t refused_in = 0;
  size_t protected_ok = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> buf(rng() % 1600);
    for (auto& b : buf)
      b = uint8_t(rng());
    if (!buf.empty() && i % 2 == 0) buf[0] = uint8_t(0x80 | (buf[0] & 0x3f));
    const size_t len = buf.empty() ? 0 : rng() % (buf.size() + 2);  // sometimes past the end
    switch (i % 4) {
      case 0:
        refused_in += !rx->unprotect_rtp(buf, len);
        break;
      case 1:
        refused_in += !rx->unprotect_rtcp(buf, len);
        break;
      case 2:
        protected_ok += tx->protect_rtp(buf, len).has_value();
        break;
      default:
        protected_ok += tx->protect_rtcp(buf, len).has_value();
        break;
    }
  }
  EXPECT_EQ(refused_in, 2500u);
  const auto& e = rx->errors();
  EXPECT_EQ(e.auth_fail + e.replay + e.other, 2500u);
  const auto& t = tx->errors();
  EXPECT_EQ(protected_ok + t.auth_fail + t.replay + t.other, 2500u);
  EXPECT_GT(protected_ok, 0u);
  EXPECT_EQ(t.auth_fail + t.replay, 0u);
}

// A forged packet with a new SSRC must not take a slot of the SSRC table.
TEST_P(SrtpRoundTripTest, ForgedSsrcsDoNotFillTheTable) {
  auto [tx, rx] = make_pair(GetParam());
  ASSERT_TRUE(tx && rx);
  for (uint32_t ssrc = 1; ssrc <= 100; ++ssrc) {
    auto junk = make_rtp(ssrc, 1, 100);
    junk.resize(junk.size() + 16, 0x5a);
    EXPECT_FALSE(rx->unprotect_rtp(junk, junk.size()));
  }
  EXPECT_EQ(rx->errors().auth_fail, 100u);
  for (uint32_t ssrc = 500; ssrc < 500 + SrtpSession::MaxSsrcs; ++ssrc) {
    auto buf = make_rtp(ssrc, 1, 100);
    const size_t len = buf.size();
    buf.resize(len + SrtpSession::MaxRtpTrailer);
    auto n = tx->protect_rtp(buf, len);
    ASSERT_TRUE(n);
    EXPECT_EQ(rx->unprotect_rtp(buf, *n), len) << ssrc;
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpRoundTripTest,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? "Gcm" : "Cm";
                         });

}  // namespace
}  // namespace webrtc::srtp
