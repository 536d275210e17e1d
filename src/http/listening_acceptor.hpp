#pragma once
// The listening TCP socket every server of the node (HTTP, RTMP, ICE-TCP) opens the same way:
// dual stack when bound to an IPv6 address (so "::" takes IPv4 clients too), SO_REUSEADDR so a
// restart does not wait out TIME_WAIT, the system's largest backlog.
#include <boost/asio/ip/tcp.hpp>

namespace http {

// Opens, binds and listens; the first error, or none.
boost::system::error_code open_listening(boost::asio::ip::tcp::acceptor& acceptor,
                                         const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace http
