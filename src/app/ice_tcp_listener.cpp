#include "app/ice_tcp_listener.hpp"

#include <stdexcept>
#include <string>

#include <boost/asio/post.hpp>

#include "app/logging.hpp"
#include "app/webrtc_worker.hpp"
#include "http/listening_acceptor.hpp"

namespace app {

IceTcpListener::IceTcpListener(boost::asio::io_context& loop,
                               const boost::asio::ip::tcp::endpoint& ep,
                               std::vector<WebRtcWorker*> workers)
    : workers_(std::move(workers)), acceptor_(loop) {
  const auto ec = http::open_listening(acceptor_, ep);
  if (ec || workers_.empty()) {
    throw std::runtime_error("cannot listen for ICE over TCP on port " + std::to_string(ep.port()) +
                             ": " + (ec ? ec.message() : "no WebRTC worker"));
  }
}

uint16_t IceTcpListener::port() const {
  return acceptor_.local_endpoint().port();
}

void IceTcpListener::start() {
  accept_next();
}

void IceTcpListener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void IceTcpListener::accept_next() {
  auto* worker = workers_[next_worker_++ % workers_.size()];
  acceptor_.async_accept(
      worker->loop(), [this, worker](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (ec) {
          // Running out of descriptors must not stop the listener for good, nor fill the log.
          if (++accept_errors_ <= 10 || accept_errors_ % 100 == 0)
            logger("webrtc")->warn("ICE-TCP accept failed ({} so far): {}", accept_errors_,
                                   ec.message());
        } else {
          boost::asio::post(worker->loop(), [worker, s = std::move(s)]() mutable {
            worker->adopt_tcp(std::move(s), {});
          });
        }
        accept_next();
      });
}

}  // namespace app
