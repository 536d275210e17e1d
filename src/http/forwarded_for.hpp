#pragma once
// Who the client is behind reverse proxies: the TCP peer, unless the peer is a trusted proxy,
// in which case X-Forwarded-For is walked from the right (each proxy appends the address it
// saw), skipping trusted proxies; the first untrusted address is the client, and if every one
// is trusted the left-most is. Anything left of the client was written by the client itself
// and is never believed, so a forged "X-Forwarded-For: 10.1.2.3" changes nothing.
// A garbage entry ("unknown", an obfuscated "_hidden", a host name) stops the walk at the
// last good address seen, the nearest proxy. RFC 7239 `Forwarded: for=` is read the same way,
// only when there is no X-Forwarded-For. Pure: header values in, an address out.
#include <boost/asio/ip/address.hpp>

#include <span>
#include <string_view>

#include "http/trusted_proxies.hpp"

namespace http {

// Over these, the headers are ignored (the peer is the client) and the result says why.
inline constexpr size_t MaxForwardedEntries = 32;
inline constexpr size_t MaxForwardedBytes = 1024;  // all lines of the header together

enum class ForwardedIssue : uint8_t { None, TooLong, TooMany };
std::string_view to_string(ForwardedIssue issue) noexcept;  // "too long", "too many entries"

struct ForwardedClient {
  boost::asio::ip::address address;
  bool via_proxy = false;  // the address came from a header the peer (a trusted proxy) sent
  ForwardedIssue issue = ForwardedIssue::None;
};

// `x_forwarded_for` and `forwarded` are the values of every line of those headers, in order.
ForwardedClient forwarded_client(const boost::asio::ip::address& peer,
                                 std::span<const std::string_view> x_forwarded_for,
                                 std::span<const std::string_view> forwarded,
                                 const TrustedProxies& trusted);

// One X-Forwarded-For entry: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]",
// "[2001:db8::1]:443"; IPv4-mapped IPv6 as IPv4. nullopt for anything else.
std::optional<boost::asio::ip::address> parse_forwarded_address(std::string_view entry);

}  // namespace http
