#include "http/listening_acceptor.hpp"

#include <boost/asio/ip/v6_only.hpp>

namespace http {

boost::system::error_code open_listening(boost::asio::ip::tcp::acceptor& acceptor,
                                         const boost::asio::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(boost::asio::ip::v6_only(false), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace http
