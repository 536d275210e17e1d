#include "whep_client/candidate_socket.hpp"

namespace tools::whep_client {

namespace asio = boost::asio;

std::optional<CandidateSocketError> open_candidate_socket(
    asio::ip::udp::socket& socket, const webrtc::ice::TransportAddress& candidate,
    const CandidateSocketOptions& options) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(candidate.ip_string(), ec);
  if (ec) return CandidateSocketError{CandidateSocketError::Stage::Address, ec};
  const asio::ip::udp::endpoint remote(ip, candidate.port());
  socket.open(remote.protocol(), ec);
  if (!ec) {
    boost::system::error_code ignored;  // capped by net.core.rmem_max
    socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ignored);
    socket.connect(remote, ec);
  }
  if (!ec && options.non_blocking) socket.non_blocking(true, ec);
  if (ec) return CandidateSocketError{CandidateSocketError::Stage::Socket, ec};
  return std::nullopt;
}

}  // namespace tools::whep_client
