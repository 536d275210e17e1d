#include "app/rtmp_listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>

#include "app/logging.hpp"
#include "app/rtmp_session.hpp"

namespace app {
namespace {

boost::asio::ip::tcp::endpoint make_endpoint(const ListenAddress& a) {
  if (a.host.empty()) return {boost::asio::ip::tcp::v6(), a.port};  // dual-stack: v4 and v6
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(a.host, ec);
  if (ec) throw std::runtime_error("cannot listen on '" + a.to_string() + "': not an IP address");
  return {addr, a.port};
}

}  // namespace

RtmpListener::RtmpListener(IoPool& pool, media::StreamRegistry& registry, const Config& config,
                           const auth::AccessPolicy& policy, NodeCounters& counters)
    : pool_(pool),
      registry_(registry),
      config_(config),
      policy_(policy),
      counters_(counters),
      acceptor_(pool.main()) {
  const auto ep = make_endpoint(config.rtmp_address);
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec && ep.address().is_v6()) acceptor_.set_option(boost::asio::ip::v6_only(false), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen for RTMP on " + config.rtmp_address.to_string() + ": " +
                             ec.message());
  }
}

uint16_t RtmpListener::port() const {
  return acceptor_.local_endpoint().port();
}

void RtmpListener::start() {
  logger("rtmp")->info("listening for RTMP on {} (port {})", config_.rtmp_address.to_string(),
                       port());
  accept_next();
}

void RtmpListener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void RtmpListener::accept_next() {
  acceptor_.async_accept(
      pool_.next(), [this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (ec) {
          // Running out of descriptors must not stop the listener for good.
          logger("rtmp")->warn("accept failed: {}", ec.message());
        } else {
          // The session lives on the socket's loop from its first step on.
          auto executor = socket.get_executor();
          auto session = std::make_shared<RtmpSession>(std::move(socket), registry_, config_,
                                                       policy_, counters_, next_session_id_++);
          boost::asio::post(executor, [session] { session->start(); });
        }
        accept_next();
      });
}

}  // namespace app
