#pragma once
// The client's one UDP socket, connected to the answer's candidate: connecting binds an
// ephemeral port on the interface that reaches the server and makes the kernel drop datagrams
// from anyone else, so every datagram read comes from the candidate the peer checks.
#include <cstdint>
#include <optional>

#include <boost/asio/ip/udp.hpp>
#include <boost/system/error_code.hpp>

#include "webrtc/ice/transport_address.hpp"

namespace tools::whep_client {

struct CandidateSocketOptions {
  int receive_buffer = 0;  // bytes asked of SO_RCVBUF; a smaller grant only risks drops
  bool non_blocking = false;
};

struct CandidateSocketError {
  enum class Stage : uint8_t { Address, Socket };
  Stage stage = Stage::Socket;  // the candidate's address, or opening and connecting the socket
  boost::system::error_code code;
};

std::optional<CandidateSocketError> open_candidate_socket(
    boost::asio::ip::udp::socket& socket, const webrtc::ice::TransportAddress& candidate,
    const CandidateSocketOptions& options);

}  // namespace tools::whep_client
