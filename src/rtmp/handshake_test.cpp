#include "rtmp/handshake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace rtmp {
namespace {

constexpr size_t N = Handshake::PacketSize;

Handshake make() {
  return Handshake([](std::span<uint8_t> out) {
    uint8_t x = 1;
    for (auto& b : out)
      b = x = static_cast<uint8_t>(x * 29 + 3);
  });
}

std::vector<uint8_t> client_hello(const std::array<uint8_t, N>& c1) {
  std::vector<uint8_t> v(1 + N);
  v[0] = 3;
  std::copy(c1.begin(), c1.end(), v.begin() + 1);
  return v;
}

// A C1 as ffmpeg/librtmp build it: version field set, digest at the scheme's offset.
std::array<uint8_t, N> digest_c1(int scheme) {
  std::array<uint8_t, N> c1{};
  std::mt19937 rng(scheme + 7);
  for (auto& b : c1)
    b = static_cast<uint8_t>(rng());
  c1[4] = 9;
  c1[5] = 0;
  c1[6] = 124;
  c1[7] = 2;
  const size_t off = Handshake::digest_offset(c1, scheme);
  const auto key = Handshake::client_key().first(Handshake::ClientKeyTextSize);
  const auto d = Handshake::packet_digest(c1, off, key);
  std::copy(d.begin(), d.end(), c1.begin() + off);
  return c1;
}

TEST(Handshake, PlainEchoesC1AndConsumesC2) {
  std::array<uint8_t, N> c1{};
  for (size_t i = 8; i < N; ++i)
    c1[i] = static_cast<uint8_t>(i);
  auto hs = make();
  std::vector<uint8_t> out;
  auto in = client_hello(c1);
  size_t consumed = 0;
  EXPECT_EQ(hs.feed(in, out, consumed), Handshake::Status::NeedMore);
  EXPECT_EQ(consumed, in.size());
  ASSERT_EQ(out.size(), 1 + 2 * N);
  EXPECT_EQ(out[0], 3);
  EXPECT_TRUE(std::all_of(out.begin() + 5, out.begin() + 9, [](uint8_t b) { return b == 0; }));
  EXPECT_TRUE(std::equal(c1.begin(), c1.end(), out.begin() + 1 + N));
  EXPECT_FALSE(hs.digest_handshake());
  // C2 followed by the first chunk bytes.
  std::vector<uint8_t> c2(N + 5, 0xaa);
  EXPECT_EQ(hs.feed(c2, out, consumed), Handshake::Status::Done);
  EXPECT_EQ(consumed, N);
}

TEST(Handshake, WorksOneByteAtATime) {
  auto hs = make();
  std::array<uint8_t, N> c1{};
  auto in = client_hello(c1);
  in.resize(in.size() + N, 0);  // C2
  std::vector<uint8_t> out;
  size_t consumed = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto st = hs.feed(std::span(in).subspan(i, 1), out, consumed);
    EXPECT_EQ(consumed, 1u);
    EXPECT_EQ(st, i + 1 == in.size() ? Handshake::Status::Done : Handshake::Status::NeedMore);
  }
  EXPECT_EQ(out.size(), 1 + 2 * N);
}

TEST(Handshake, RejectsOtherVersions) {
  auto hs = make();
  std::vector<uint8_t> out;
  const std::vector<uint8_t> in = {6, 0, 0};
  size_t consumed = 0;
  EXPECT_EQ(hs.feed(in, out, consumed), Handshake::Status::Error);
  EXPECT_NE(hs.error().find("unsupported RTMP version 6"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

class DigestHandshake : public ::testing::TestWithParam<int> {};

TEST_P(DigestHandshake, AnswersWithValidS1AndS2) {
  const int scheme = GetParam();
  const auto c1 = digest_c1(scheme);
  ASSERT_EQ(Handshake::find_digest(c1, Handshake::client_key().first(30)), scheme);
  auto hs = make();
  std::vector<uint8_t> out;
  size_t consumed = 0;
  hs.feed(client_hello(c1), out, consumed);
  ASSERT_EQ(out.size(), 1 + 2 * N);
  EXPECT_TRUE(hs.digest_handshake());
  std::array<uint8_t, N> s1{};
  std::array<uint8_t, N> s2{};
  std::copy_n(out.begin() + 1, N, s1.begin());
  std::copy_n(out.begin() + 1 + N, N, s2.begin());
  EXPECT_NE(s1[4] | s1[5] | s1[6] | s1[7], 0);
  // What librtmp/ffmpeg check: the S1 digest with the 36-byte server text key...
  EXPECT_EQ(Handshake::find_digest(s1, Handshake::server_key().first(36)), scheme);
  // ...and the S2 signature keyed by HMAC(full server key, C1 digest).
  const size_t c1_off = Handshake::digest_offset(c1, scheme);
  const auto key =
      Handshake::hmac_sha256(Handshake::server_key(), std::span(c1).subspan(c1_off, 32));
  const auto sig = Handshake::hmac_sha256(key, std::span(s2).first(N - 32));
  EXPECT_TRUE(std::equal(sig.begin(), sig.end(), s2.end() - 32));
}

INSTANTIATE_TEST_SUITE_P(Schemes, DigestHandshake, ::testing::Values(0, 1));

TEST(Handshake, VersionedC1WithoutValidDigestFallsBackToEcho) {
  auto c1 = digest_c1(0);
  c1[Handshake::digest_offset(c1, 0)] ^= 1;  // break the digest
  auto hs = make();
  std::vector<uint8_t> out;
  size_t consumed = 0;
  hs.feed(client_hello(c1), out, consumed);
  EXPECT_FALSE(hs.digest_handshake());
  EXPECT_TRUE(std::equal(c1.begin(), c1.end(), out.begin() + 1 + N));
}

TEST(Handshake, HmacMatchesRfc4231Case2) {
  const std::string key = "Jefe";
  const std::string data = "what do ya want for nothing?";
  const auto mac =
      Handshake::hmac_sha256(std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                             std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  const uint8_t expected[] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                              0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                              0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  EXPECT_TRUE(std::equal(mac.begin(), mac.end(), std::begin(expected)));
}

}  // namespace
}  // namespace rtmp
