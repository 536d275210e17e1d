// Byte-for-byte cross-check against libsrtp2, the implementation SrtpSession replaced. libsrtp
// is linked into this test binary only (see CMakeLists.txt); LibSrtp below is a minimal
// test-only wrapper with the policy the old SrtpSession used.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>
#include <random>
#include <vector>

#include "webrtc/srtp/srtp_session.hpp"

namespace webrtc::srtp {
namespace {

class LibSrtp {
 public:
  LibSrtp(SrtpProfile profile, bool outbound, const std::vector<uint8_t>& key,
          const std::vector<uint8_t>& salt) {
    static std::once_flag once;
    std::call_once(once, [] { srtp_init(); });
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof(policy));
    if (profile == SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = SrtpSession::ReplayWindow;
    policy.allow_repeat_tx = outbound ? 1 : 0;
    std::vector<uint8_t> key_and_salt = key;
    key_and_salt.insert(key_and_salt.end(), salt.begin(), salt.end());
    policy.key = key_and_salt.data();
    if (srtp_create(&ctx_, &policy) != srtp_err_status_ok) ctx_ = nullptr;
  }
  ~LibSrtp() {
    if (ctx_) srtp_dealloc(ctx_);
  }
  LibSrtp(const LibSrtp&) = delete;
  LibSrtp& operator=(const LibSrtp&) = delete;

  bool ok() const { return ctx_ != nullptr; }
  // Returns the new length or 0.
  size_t run(std::vector<uint8_t>& buf, size_t len, bool protect, bool rtcp) {
    int n = static_cast<int>(len);
    srtp_err_status_t s;
    if (protect) {
      s = rtcp ? srtp_protect_rtcp(ctx_, buf.data(), &n) : srtp_protect(ctx_, buf.data(), &n);
    } else {
      s = rtcp ? srtp_unprotect_rtcp(ctx_, buf.data(), &n) : srtp_unprotect(ctx_, buf.data(), &n);
    }
    return s == srtp_err_status_ok ? static_cast<size_t>(n) : 0;
  }

 private:
  srtp_t ctx_ = nullptr;
};

// A random RTP packet: CSRCs and a header extension sometimes (RFC 3550 5.1, 5.3.1).
std::vector<uint8_t> random_rtp(std::mt19937& rng, uint32_t ssrc, uint16_t seq) {
  const size_t csrcs = rng() % 4 == 0 ? rng() % 3 : 0;
  const bool extension = rng() % 2 == 0;
  std::vector<uint8_t> p = {uint8_t(0x80 | (extension ? 0x10 : 0) | csrcs),
                            uint8_t(rng() & 0xff),
                            uint8_t(seq >> 8),
                            uint8_t(seq),
                            uint8_t(rng()),
                            uint8_t(rng()),
                            uint8_t(rng()),
                            uint8_t(rng()),
                            uint8_t(ssrc >> 24),
                            uint8_t(ssrc >> 16),
                            uint8_t(ssrc >> 8),
                            uint8_t(ssrc)};
  for (size_t i = 0; i < 4 * csrcs; ++i)
    p.push_back(uint8_t(rng()));
  if (extension) {
    const size_t words = rng() % 4;
    p.insert(p.end(), {0xbe, 0xde, 0, uint8_t(words)});
    for (size_t i = 0; i < 4 * words; ++i)
      p.push_back(uint8_t(rng()));
  }
  const size_t payload = rng() % 1300;
  for (size_t i = 0; i < payload; ++i)
    p.push_back(uint8_t(rng()));
  return p;
}

std::vector<uint8_t> random_rtcp(std::mt19937& rng, uint32_t ssrc) {
  const size_t words = 1 + rng() % 40;
  std::vector<uint8_t> p = {0x81,
                            200,
                            uint8_t(words >> 8),
                            uint8_t(words),
                            uint8_t(ssrc >> 24),
                            uint8_t(ssrc >> 16),
                            uint8_t(ssrc >> 8),
                            uint8_t(ssrc)};
  for (size_t i = 0; i < 4 * (words - 1); ++i)
    p.push_back(uint8_t(rng()));
  return p;
}

class LibSrtpCrossCheck : public ::testing::TestWithParam<SrtpProfile> {};

// 400 RTP and 100 RTCP packets on three SSRCs whose sequence numbers cross 65535 -> 0, with
// retransmissions (a repeated, older sequence number) mixed in. Each packet is protected by
// both implementations (same bytes required) and each one's output is unprotected by the other.
TEST_P(LibSrtpCrossCheck, SameBytesBothWays) {
  const SrtpProfile profile = GetParam();
  std::mt19937 rng(profile == SrtpProfile::AeadAes128Gcm ? 7714 : 3711);
  std::vector<uint8_t> key(16), salt(srtp_master_salt_length(profile));
  for (auto& b : key)
    b = uint8_t(rng());
  for (auto& b : salt)
    b = uint8_t(rng());
  auto ours_tx = SrtpSession::create(profile, SrtpDirection::Outbound, key, salt);
  auto ours_rx = SrtpSession::create(profile, SrtpDirection::Inbound, key, salt);
  LibSrtp their_tx(profile, true, key, salt);
  LibSrtp their_rx(profile, false, key, salt);
  ASSERT_TRUE(ours_tx && ours_rx && their_tx.ok() && their_rx.ok());

  const uint32_t ssrcs[3] = {0x11111111, 0xdeadbeef, 0x00000001};
  uint16_t next_seq[3] = {65300, 65450, 1};
  size_t compared = 0;
  for (int i = 0; i < 500; ++i) {
    const size_t s = rng() % 3;
    const bool rtcp = i % 5 == 4;
    std::vector<uint8_t> plain;
    if (rtcp) {
      plain = random_rtcp(rng, ssrcs[s]);
    } else {
      // One packet in ten is a retransmission of a recent sequence number.
      const bool again = i % 10 == 3 && next_seq[s] > 5;
      const uint16_t seq = again ? uint16_t(next_seq[s] - 1 - rng() % 5) : next_seq[s]++;
      plain = random_rtp(rng, ssrcs[s], seq);
    }
    const size_t len = plain.size();
    auto a = plain;
    auto b = plain;
    a.resize(len + SrtpSession::MaxRtcpTrailer);
    b.resize(len + SrtpSession::MaxRtcpTrailer + 16);  // libsrtp wants slack
    const auto n = rtcp ? ours_tx->protect_rtcp(a, len) : ours_tx->protect_rtp(a, len);
    const size_t m = their_tx.run(b, len, true, rtcp);
    ASSERT_TRUE(n) << i;
    ASSERT_EQ(*n, m) << i;
    ASSERT_TRUE(std::equal(a.begin(), a.begin() + m, b.begin())) << i;
    ++compared;

    // Theirs into ours, ours into theirs; a retransmission is a replay for a receiver, which
    // both must refuse the same way.
    auto ours_in = b;
    const auto got =
        rtcp ? ours_rx->unprotect_rtcp(ours_in, m) : ours_rx->unprotect_rtp(ours_in, m);
    auto theirs_in = a;
    const size_t got2 = their_rx.run(theirs_in, m, false, rtcp);
    ASSERT_EQ(got.value_or(0), got2) << i;
    if (got) {
      ASSERT_TRUE(std::equal(plain.begin(), plain.end(), ours_in.begin())) << i;
      ASSERT_TRUE(std::equal(plain.begin(), plain.end(), theirs_in.begin())) << i;
    }
  }
  EXPECT_EQ(compared, 500u);
  EXPECT_GT(ours_rx->errors().replay, 0u);  // the retransmissions
  EXPECT_EQ(ours_rx->errors().auth_fail + ours_rx->errors().other, 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, LibSrtpCrossCheck,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? "Gcm" : "Cm";
                         });

}  // namespace
}  // namespace webrtc::srtp
