#pragma once
// Server side of the RTMP handshake (RTMP spec 1.0, section 5.2): C0+C1 in, S0+S1+S2 out, then
// C2 is consumed. Besides the plain handshake of the spec it answers the digest ("complex")
// handshake of Flash-derived clients (librtmp/OBS, ffmpeg), whose players reject a server
// whose S1/S2 do not carry the expected HMAC-SHA256 digests.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rtmp {

class Handshake {
 public:
  static constexpr size_t PacketSize = 1536;  // C1/S1/C2/S2, section 5.2.3
  static constexpr size_t DigestSize = 32;
  static constexpr uint8_t Version = 3;  // C0/S0, section 5.2.2

  // Fills a buffer with random bytes (S1/S2 filler). Injected so tests are deterministic.
  using RandomFill = std::function<void(std::span<uint8_t>)>;
  // The RandomFill both connection roles use when none is injected: the system CSPRNG, or a
  // fixed pattern should it fail (the filler needs no secrecy; a failing generator must not
  // block the handshake).
  static void default_random(std::span<uint8_t> out) noexcept;

  enum class Status { NeedMore, Done, Error };

  explicit Handshake(RandomFill random);

  // Consumes handshake bytes from `in` and appends S0+S1+S2 to `out` once C0+C1 are complete.
  // `consumed` tells how many bytes of `in` belong to the handshake; the rest (when Done) is
  // chunk stream data the client sent right after C2.
  Status feed(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t& consumed);

  const std::string& error() const noexcept { return error_; }
  // True when the client's C1 carried a valid digest and we answered in kind.
  bool digest_handshake() const noexcept { return digest_scheme_.has_value(); }

  // Digest handshake helpers, public for tests and tools. Scheme 0 places the digest after the
  // offset field at byte 8, scheme 1 after the one at byte 772.
  static size_t digest_offset(std::span<const uint8_t, PacketSize> packet, int scheme) noexcept;
  // HMAC-SHA256 over the packet without its 32 digest bytes at `offset`.
  static std::array<uint8_t, DigestSize> packet_digest(std::span<const uint8_t, PacketSize> packet,
                                                       size_t offset,
                                                       std::span<const uint8_t> key) noexcept;
  // The scheme under which `packet` carries a valid digest with `key`, if any.
  static std::optional<int> find_digest(std::span<const uint8_t, PacketSize> packet,
                                        std::span<const uint8_t> key) noexcept;
  static std::array<uint8_t, DigestSize> hmac_sha256(std::span<const uint8_t> key,
                                                     std::span<const uint8_t> data) noexcept;

  // "Genuine Adobe Flash Player 001" + suffix (62 bytes; the digest uses the first 30).
  static std::span<const uint8_t> client_key() noexcept;
  // "Genuine Adobe Flash Media Server 001" + suffix (68 bytes; the S1 digest uses 36).
  static std::span<const uint8_t> server_key() noexcept;
  static constexpr size_t ClientKeyTextSize = 30;
  static constexpr size_t ServerKeyTextSize = 36;

 private:
  void respond(std::span<const uint8_t, PacketSize> c1, std::vector<uint8_t>& out);

  RandomFill random_;
  std::vector<uint8_t> buffer_;  // C0+C1 until complete
  size_t c2_remaining_ = PacketSize;
  bool responded_ = false;
  std::optional<int> digest_scheme_;
  std::string error_;
};

}  // namespace rtmp
