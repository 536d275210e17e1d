#include "rtmp/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "base/crypto.hpp"

namespace rtmp {
namespace {

// The keys of the Flash digest handshake: well-known text plus a fixed 32-byte suffix.
constexpr uint8_t KeySuffix[32] = {0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0,
                                   0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80,
                                   0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

template <size_t N>
constexpr std::array<uint8_t, N + 32> make_key(const char (&text)[N + 1]) {
  std::array<uint8_t, N + 32> key{};
  for (size_t i = 0; i < N; ++i)
    key[i] = static_cast<uint8_t>(text[i]);
  for (size_t i = 0; i < 32; ++i)
    key[N + i] = KeySuffix[i];
  return key;
}

constexpr auto ClientKey = make_key<30>("Genuine Adobe Flash Player 001");
constexpr auto ServerKey = make_key<36>("Genuine Adobe Flash Media Server 001");

// Our S1 version field; clients only check that it is non-zero (ffmpeg: byte 1 >= 3).
constexpr uint8_t ServerVersion[4] = {0x0D, 0x0E, 0x0A, 0x0D};

}  // namespace

void Handshake::default_random(std::span<uint8_t> out) noexcept {
  if (!base::random_bytes(out)) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<uint8_t>(i * 131 + 7);
  }
}

std::span<const uint8_t> Handshake::client_key() noexcept {
  return ClientKey;
}
std::span<const uint8_t> Handshake::server_key() noexcept {
  return ServerKey;
}

Handshake::Handshake(RandomFill random) : random_(std::move(random)) {}

std::array<uint8_t, Handshake::DigestSize> Handshake::hmac_sha256(
    std::span<const uint8_t> key, std::span<const uint8_t> data) noexcept {
  std::array<uint8_t, DigestSize> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &len);
  return out;
}

size_t Handshake::digest_offset(std::span<const uint8_t, PacketSize> packet, int scheme) noexcept {
  // The four bytes at the scheme's base sum to an offset into the following 728-byte area.
  const size_t base = scheme == 0 ? 8 : 772;
  const size_t sum = size_t{packet[base]} + packet[base + 1] + packet[base + 2] + packet[base + 3];
  return base + 4 + sum % 728;
}

std::array<uint8_t, Handshake::DigestSize> Handshake::packet_digest(
    std::span<const uint8_t, PacketSize> packet, size_t offset,
    std::span<const uint8_t> key) noexcept {
  std::array<uint8_t, PacketSize - DigestSize> joined{};
  std::copy_n(packet.begin(), offset, joined.begin());
  std::copy(packet.begin() + static_cast<ptrdiff_t>(offset + DigestSize), packet.end(),
            joined.begin() + static_cast<ptrdiff_t>(offset));
  return hmac_sha256(key, joined);
}

std::optional<int> Handshake::find_digest(std::span<const uint8_t, PacketSize> packet,
                                          std::span<const uint8_t> key) noexcept {
  for (int scheme : {0, 1}) {
    const size_t offset = digest_offset(packet, scheme);
    const auto expected = packet_digest(packet, offset, key);
    if (std::equal(expected.begin(), expected.end(), packet.begin() + offset)) return scheme;
  }
  return std::nullopt;
}

Handshake::Status Handshake::feed(std::span<const uint8_t> in, std::vector<uint8_t>& out,
                                  size_t& consumed) {
  consumed = 0;
  if (!error_.empty()) return Status::Error;
  if (!responded_) {
    const size_t want = 1 + PacketSize - buffer_.size();
    const size_t n = std::min(want, in.size());
    buffer_.insert(buffer_.end(), in.begin(), in.begin() + static_cast<ptrdiff_t>(n));
    consumed += n;
    in = in.subspan(n);
    if (!buffer_.empty() && buffer_[0] != Version) {
      error_ = "unsupported RTMP version " + std::to_string(buffer_[0]) +
               " (only plain RTMP 3; RTMPE is not supported)";
      return Status::Error;
    }
    if (buffer_.size() < 1 + PacketSize) return Status::NeedMore;
    respond(std::span<const uint8_t, PacketSize>(buffer_.data() + 1, PacketSize), out);
    responded_ = true;
    buffer_ = {};
  }
  // C2 echoes S1 (section 5.2.4); clients differ in what they put there, so it is not checked.
  const size_t n = std::min(c2_remaining_, in.size());
  c2_remaining_ -= n;
  consumed += n;
  return c2_remaining_ == 0 ? Status::Done : Status::NeedMore;
}

void Handshake::respond(std::span<const uint8_t, PacketSize> c1, std::vector<uint8_t>& out) {
  std::array<uint8_t, PacketSize> s1{};
  std::array<uint8_t, PacketSize> s2{};
  random_(std::span<uint8_t>(s1).subspan(8));
  // A non-zero version field announces a digest C1 (Flash Player 9+); plain clients put zeros.
  const bool versioned = c1[4] | c1[5] | c1[6] | c1[7];
  if (versioned) {
    digest_scheme_ = find_digest(c1, std::span<const uint8_t>(ClientKey).first(ClientKeyTextSize));
  }
  if (!digest_scheme_) {
    // Plain handshake: S1 time and zero field, S2 echoes C1.
    std::copy(c1.begin(), c1.end(), s2.begin());
  } else {
    std::copy(std::begin(ServerVersion), std::end(ServerVersion), s1.begin() + 4);
    // S1 carries our digest at the same scheme the client used, keyed with the FMS text key.
    const size_t s1_offset = digest_offset(s1, *digest_scheme_);
    const auto s1_digest =
        packet_digest(s1, s1_offset, std::span<const uint8_t>(ServerKey).first(ServerKeyTextSize));
    std::copy(s1_digest.begin(), s1_digest.end(), s1.begin() + s1_offset);
    // S2 is random, ending with an HMAC keyed by HMAC(full server key, client digest).
    random_(s2);
    const size_t c1_offset = digest_offset(c1, *digest_scheme_);
    const auto key = hmac_sha256(ServerKey, c1.subspan(c1_offset, DigestSize));
    const auto signature =
        hmac_sha256(key, std::span<const uint8_t>(s2).first(PacketSize - DigestSize));
    std::copy(signature.begin(), signature.end(), s2.end() - DigestSize);
  }
  out.reserve(out.size() + 1 + 2 * PacketSize);
  out.push_back(Version);
  out.insert(out.end(), s1.begin(), s1.end());
  out.insert(out.end(), s2.begin(), s2.end());
}

}  // namespace rtmp
