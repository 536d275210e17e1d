#include "whep_client/ice_checker.hpp"

#include "base/crypto.hpp"
#include "webrtc/ice/ice_candidate.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace tools::whep_client {
namespace {

using webrtc::stun::MessageClass;
using webrtc::stun::StunMessage;
using webrtc::stun::StunWriter;

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

IceChecker::IceChecker(webrtc::ice::IceCredentials local, webrtc::ice::IceCredentials remote,
                       uint64_t tie_breaker, TimePoint now, IceCheckerConfig config)
    : local_(std::move(local)),
      remote_(std::move(remote)),
      username_(remote_.ufrag + ":" + local_.ufrag),
      tie_breaker_(tie_breaker),
      config_(config),
      started_(now),
      next_check_(now) {}

uint32_t IceChecker::priority() noexcept {
  using namespace webrtc::ice;
  return candidate_priority(type_preference(CandidateType::PeerReflexive), 65535, 1);
}

size_t IceChecker::poll(TimePoint now, std::span<uint8_t> out) noexcept {
  if (state_ == IceCheckState::Failed || now < next_check_) return 0;
  webrtc::stun::TransactionId id{};
  if (!base::random_bytes(id)) return 0;
  StunWriter::BindingRequest req;
  req.username = username_;
  req.priority = priority();
  req.controlling = true;
  req.tie_breaker = tie_breaker_;
  req.use_candidate = true;  // one pair only: nominate it at once
  const size_t n = StunWriter::write_binding_request(out, id, req, as_bytes(remote_.pwd));
  if (n == 0) return 0;
  pending_[pending_next_] = id;
  pending_used_[pending_next_] = true;
  pending_next_ = (pending_next_ + 1) % PendingTransactions;
  ++stats_.requests_sent;
  next_check_ = now + (state_ == IceCheckState::Connected ? config_.consent_interval
                                                          : config_.check_interval);
  return n;
}

bool IceChecker::take_pending(const webrtc::stun::TransactionId& id) noexcept {
  for (size_t i = 0; i < PendingTransactions; ++i) {
    if (pending_used_[i] && pending_[i] == id) {
      pending_used_[i] = false;
      return true;
    }
  }
  return false;
}

size_t IceChecker::handle(const StunMessage& msg, TimePoint now, std::span<uint8_t> out,
                          const webrtc::stun::TransportAddress& from) noexcept {
  if (msg.method() != webrtc::stun::BindingMethod) return 0;
  const MessageClass cls = msg.message_class();
  if (cls == MessageClass::Request) return answer_request(msg, out, from);
  if (cls != MessageClass::SuccessResponse && cls != MessageClass::ErrorResponse) return 0;
  // RFC 8489 9.1.4 / RFC 8445 7.2.5.2.1: only authenticated responses to our transactions.
  if (!take_pending(msg.transaction_id())) {
    ++stats_.unknown;
    return 0;
  }
  if (cls == MessageClass::ErrorResponse) {
    ++stats_.errors;  // 400/401 carry no integrity (RFC 8489 9.1.3); nothing more to check
    return 0;
  }
  if (!msg.verify_fingerprint() || !msg.verify_message_integrity(as_bytes(remote_.pwd))) {
    ++stats_.unauthenticated;
    return 0;
  }
  ++stats_.successes;
  last_success_ = now;
  if (state_ == IceCheckState::Checking) {
    state_ = IceCheckState::Connected;
    next_check_ = now + config_.consent_interval;
  }
  return 0;
}

size_t IceChecker::answer_request(const StunMessage& msg, std::span<uint8_t> out,
                                  const webrtc::stun::TransportAddress& from) noexcept {
  // RFC 8445 7.3: a full-ICE peer checks us with "our_ufrag:its_ufrag" and our password.
  const auto user = msg.username();
  const size_t n_ufrag = local_.ufrag.size();
  if (!user || user->size() <= n_ufrag || user->substr(0, n_ufrag) != local_.ufrag ||
      (*user)[n_ufrag] != ':') {
    return 0;
  }
  if (!msg.verify_fingerprint() || !msg.verify_message_integrity(as_bytes(local_.pwd))) return 0;
  const size_t n =
      StunWriter::write_binding_success(out, msg.transaction_id(), from, as_bytes(local_.pwd));
  if (n > 0) ++stats_.requests_answered;
  return n;
}

void IceChecker::on_timer(TimePoint now) {
  if (state_ == IceCheckState::Checking && now - started_ >= config_.connect_timeout) {
    state_ = IceCheckState::Failed;
    failure_reason_ = "ICE: no binding success within " +
                      std::to_string(config_.connect_timeout.count()) + " ms (" +
                      std::to_string(stats_.requests_sent) + " checks sent, " +
                      std::to_string(stats_.errors) + " error responses)";
  } else if (state_ == IceCheckState::Connected && now - last_success_ >= config_.consent_timeout) {
    state_ = IceCheckState::Failed;
    failure_reason_ = "ICE: consent expired (RFC 7675), no response for " +
                      std::to_string(config_.consent_timeout.count()) + " ms";
  }
}

}  // namespace tools::whep_client
