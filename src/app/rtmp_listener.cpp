#include "app/rtmp_listener.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

#include "app/logging.hpp"
#include "app/rtmp_session.hpp"
#include "http/listening_acceptor.hpp"

namespace app {
namespace {

boost::asio::ip::tcp::endpoint make_endpoint(const ListenAddress& a) {
  if (a.host.empty()) return {boost::asio::ip::tcp::v6(), a.port};  // dual-stack: v4 and v6
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(a.host, ec);
  if (ec) throw std::runtime_error("cannot listen on '" + a.to_string() + "': not an IP address");
  return {addr, a.port};
}

// The remote IP without the port, IPv4-mapped IPv6 written as IPv4; empty when unknown.
std::string remote_address(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto addr = socket.remote_endpoint(ec).address();
  if (ec) return {};
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.to_string();
}

std::unique_ptr<boost::asio::ip::tcp::acceptor> open(boost::asio::io_context& loop,
                                                     const ListenAddress& address,
                                                     const char* what) {
  auto acceptor = std::make_unique<boost::asio::ip::tcp::acceptor>(loop);
  if (const auto ec = http::open_listening(*acceptor, make_endpoint(address))) {
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " +
                             address.to_string() + ": " + ec.message());
  }
  return acceptor;
}

}  // namespace

RtmpConnectionSlots::RtmpConnectionSlots(size_t max_total, size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

RtmpConnectionSlots::Slot RtmpConnectionSlots::acquire(const std::string& address,
                                                       std::string& refusal) {
  {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) {
      refusal = "node has " + std::to_string(total_) + " RTMP connections (rtmpMaxConnections)";
      return {};
    }
    auto& from_address = per_address_[address];
    if (from_address >= max_per_address_) {
      refusal = std::to_string(from_address) +
                " RTMP connections from this address (rtmpMaxConnectionsPerAddress)";
      return {};
    }
    ++from_address;
    ++total_;
  }
  // Non-null so that it tests true; it keeps the counters alive, whoever outlives whom.
  return Slot(static_cast<void*>(this),
              [self = shared_from_this(), address](void*) { self->release(address); });
}

void RtmpConnectionSlots::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --total_;
  const auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

size_t RtmpConnectionSlots::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

size_t RtmpConnectionSlots::from(const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

RtmpListener::RtmpListener(IoPool& pool, media::StreamRegistry& registry, const Config& config,
                           const auth::AccessPolicy& policy, auth::FailedAuthLimiter& failed_auth,
                           NodeCounters& counters,
                           std::shared_ptr<const tls::TlsContextStore> rtmps)
    : pool_(pool),
      registry_(registry),
      config_(config),
      policy_(policy),
      failed_auth_(failed_auth),
      counters_(counters),
      tls_(config.rtmp_encryption == RtmpEncryption::No ? nullptr : std::move(rtmps)),
      slots_(std::make_shared<RtmpConnectionSlots>(config.rtmp_max_connections,
                                                   config.rtmp_max_connections_per_address)) {
  if (!tls_ || config.rtmp_encryption != RtmpEncryption::Strict)
    acceptor_ = open(pool.main(), config.rtmp_address, "RTMP");
  if (tls_) tls_acceptor_ = open(pool.main(), config.rtmps_address, "RTMPS");
}

uint16_t RtmpListener::port() const {
  return acceptor_ ? acceptor_->local_endpoint().port() : 0;
}

uint16_t RtmpListener::tls_port() const {
  return tls_acceptor_ ? tls_acceptor_->local_endpoint().port() : 0;
}

void RtmpListener::start() {
  if (acceptor_) {
    logger("rtmp")->info("listening for RTMP on {} (port {})", config_.rtmp_address.to_string(),
                         port());
    accept_next(*acceptor_);
  }
  if (tls_acceptor_) {
    logger("rtmp")->info("listening for RTMPS on {} (port {}), certificate {} (SHA-256 {})",
                         config_.rtmps_address.to_string(), tls_port(), tls_->cert_file(),
                         tls_->fingerprint());
    accept_next(*tls_acceptor_);
  }
}

void RtmpListener::stop() {
  boost::system::error_code ec;
  if (acceptor_) acceptor_->close(ec);
  if (tls_acceptor_) tls_acceptor_->close(ec);
}

void RtmpListener::accept_next(boost::asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_accept(pool_.next(), [this, &acceptor](boost::system::error_code ec,
                                                        boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      // Running out of descriptors must not stop the listener for good.
      logger("rtmp")->warn("accept failed: {}", ec.message());
    } else {
      admit(std::move(socket), &acceptor == tls_acceptor_.get());
    }
    accept_next(acceptor);
  });
}

void RtmpListener::admit(boost::asio::ip::tcp::socket socket, bool tls) {
  const std::string address = remote_address(socket);
  std::string refusal;
  auto slot = slots_->acquire(address, refusal);
  if (!slot) {
    // A flood must not flood the log too: the first refusals, then every 100th.
    if (++refused_ <= 10 || refused_ % 100 == 0) {
      logger("rtmp")->warn("connection from {} refused ({} so far): {}", address, refused_,
                           refusal);
    }
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  // The session lives on the socket's loop from its first step on.
  auto executor = socket.get_executor();
  // A session takes the certificate current at its accept; a reload leaves it be.
  auto session =
      std::make_shared<RtmpSession>(std::move(socket), registry_, config_, policy_, failed_auth_,
                                    counters_, next_session_id_++, tls ? tls_->current() : nullptr);
  session->hold(std::move(slot));
  boost::asio::post(executor, [session] { session->start(); });
}

}  // namespace app
