#pragma once
// ICE speaks of transport addresses (RFC 8445 3); STUN owns the value type because
// XOR-MAPPED-ADDRESS carries one, and ICE uses the same type under its own name.
#include "webrtc/stun/transport_address.hpp"

namespace webrtc::ice {

using TransportAddress = stun::TransportAddress;
using TransportAddressHash = stun::TransportAddressHash;

}  // namespace webrtc::ice
