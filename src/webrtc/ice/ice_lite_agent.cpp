#include "webrtc/ice/ice_lite_agent.hpp"

#include <algorithm>

#include "base/crypto.hpp"
#include "webrtc/stun/stun_writer.hpp"

namespace webrtc::ice {
namespace {

constexpr size_t MaxCredentialSize = 256;

// RFC 8839 5.4: ice-char = ALPHA / DIGIT / "+" / "/".
bool is_ice_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool valid_ice_chars(std::string_view s, size_t min_size) noexcept {
  return s.size() >= min_size && s.size() <= MaxCredentialSize &&
         std::all_of(s.begin(), s.end(), is_ice_char);
}

std::span<const uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::optional<IceCredentials> IceCredentials::generate(size_t ufrag_size, size_t pwd_size) {
  IceCredentials c{base::random_string(ufrag_size), base::random_string(pwd_size)};
  if (!c.valid()) return std::nullopt;
  return c;
}

bool IceCredentials::valid() const noexcept {
  return valid_ice_chars(ufrag, 4) && valid_ice_chars(pwd, 22);
}

std::string_view to_string(IceState state) noexcept {
  switch (state) {
    case IceState::New:
      return "new";
    case IceState::Checking:
      return "checking";
    case IceState::Connected:
      return "connected";
    case IceState::Disconnected:
      return "disconnected";
    case IceState::Failed:
      return "failed";
  }
  return "unknown";
}

IceLiteAgent::IceLiteAgent(IceCredentials local, IceCredentials remote, TimePoint now,
                           IceLiteConfig config)
    : local_(std::move(local)), remote_(std::move(remote)), config_(config), created_(now) {}

IceLiteAgent::Verdict IceLiteAgent::authenticate(const stun::StunMessage& request) noexcept {
  // RFC 8445 7.3: checks carry FINGERPRINT; without a valid one the packet is not ICE traffic
  // for us and is dropped without an answer (RFC 8489 7.3).
  if (!request.has_fingerprint() || !request.verify_fingerprint()) {
    ++stats_.bad_fingerprint;
    return Verdict::Drop;
  }
  // RFC 8489 9.1.3: a request without USERNAME or MESSAGE-INTEGRITY gets 400.
  const auto username = request.username();
  if (!username || !request.has_message_integrity()) {
    ++stats_.bad_request;
    return Verdict::BadRequest;
  }
  // RFC 8445 7.2.2: USERNAME is "<our ufrag>:<their ufrag>"; anything else gets 401.
  const size_t colon = username->find(':');
  const bool ours = colon != std::string_view::npos && username->substr(0, colon) == local_.ufrag &&
                    (remote_.ufrag.empty() || username->substr(colon + 1) == remote_.ufrag);
  if (!ours) {
    ++stats_.bad_username;
    return Verdict::Unauthorized;
  }
  if (!request.verify_message_integrity(as_bytes(local_.pwd))) {
    ++stats_.bad_integrity;
    return Verdict::Unauthorized;
  }
  // RFC 8445 6.1.1: against a full peer a lite agent is always controlled, so a peer that also
  // claims the controlled role is told 487 and we keep ours (RFC 8445 7.3.1.1).
  if (request.ice_controlled()) {
    ++stats_.role_conflicts;
    return Verdict::RoleConflict;
  }
  return Verdict::Valid;
}

std::optional<IceLiteAgent::Response> IceLiteAgent::handle_binding_request(
    std::span<const uint8_t> bytes, const TransportAddress& from, TimePoint now) noexcept {
  if (state_ == IceState::Failed) {
    ++stats_.after_failure;
    return std::nullopt;
  }
  const auto request = stun::StunMessage::parse(bytes);
  if (!request) {
    ++stats_.malformed;
    return std::nullopt;
  }
  if (!request->is_binding_request()) {
    ++stats_.not_request;
    return std::nullopt;
  }
  switch (authenticate(*request)) {
    case Verdict::Drop:
      return std::nullopt;
    case Verdict::BadRequest:
      return error_response(*request, 400, false);
    case Verdict::Unauthorized:
      return error_response(*request, 401, false);
    case Verdict::RoleConflict:
      return error_response(*request, 487, true);
    case Verdict::Valid:
      break;
  }
  ++stats_.valid_checks;
  last_valid_ = now;
  learn(from, request->priority().value_or(0), now);
  select(from, request->use_candidate(), now);
  // RFC 8445 7.3.1.4: success response with the source as XOR-MAPPED-ADDRESS, signed with our
  // password.
  Response response;
  response.size = stun::StunWriter::write_binding_success(response.data, request->transaction_id(),
                                                          from, as_bytes(local_.pwd));
  if (response.size == 0) return std::nullopt;
  return response;
}

IceLiteAgent::Response IceLiteAgent::error_response(const stun::StunMessage& request, uint16_t code,
                                                    bool with_integrity) const noexcept {
  Response response;
  response.size = stun::StunWriter::write_error_response(
      response.data, request.transaction_id(), code, stun::StunWriter::default_reason(code),
      with_integrity ? as_bytes(local_.pwd) : std::span<const uint8_t>{});
  return response;
}

void IceLiteAgent::learn(const TransportAddress& from, uint32_t priority, TimePoint now) noexcept {
  // RFC 8445 7.3.1.3: a check from an address we do not know makes it a peer-reflexive
  // candidate with the priority the check carried.
  const auto begin = candidates_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(candidate_count_);
  auto it = std::find_if(begin, end, [&](const auto& c) { return c.address == from; });
  if (it == end) {
    if (candidate_count_ < candidates_.size()) {
      ++candidate_count_;
    } else {
      // Full: reuse the least recently checked entry that is not the selected one.
      it = std::min_element(begin, end, [&](const auto& a, const auto& b) {
        const bool a_selected = selected_ == a.address;
        const bool b_selected = selected_ == b.address;
        if (a_selected != b_selected) return b_selected;
        return a.last_check < b.last_check;
      });
    }
    it->address = from;
  }
  it->priority = priority;
  it->last_check = now;
}

void IceLiteAgent::select(const TransportAddress& from, bool use_candidate,
                          TimePoint now) noexcept {
  const bool same = selected_ == from;
  bool take = false;
  if (use_candidate) {
    // RFC 8445 7.3.1.5: the controlling peer nominated this pair.
    take = true;
    nominated_ = true;
  } else if (!selected_) {
    take = config_.select_on_first_check;
  } else if (!same && now - selected_last_check_ >= config_.rebind_after) {
    take = true;  // the selected address went quiet while this one checks in: NAT rebinding
  }
  if (take) {
    if (selected_ && !same) ++stats_.address_changes;
    selected_ = from;
  }
  if (selected_ == from) selected_last_check_ = now;
  state_ = selected_ ? IceState::Connected : IceState::Checking;
}

bool IceLiteAgent::on_timer(TimePoint now) noexcept {
  if (state_ == IceState::Failed) return true;
  const bool expired = last_valid_ ? now - *last_valid_ >= config_.consent_timeout
                                   : now - created_ >= config_.initial_timeout;
  if (expired) {
    state_ = IceState::Failed;
    return true;
  }
  if (state_ == IceState::Connected && now - *last_valid_ >= config_.disconnected_after) {
    state_ = IceState::Disconnected;
  }
  return false;
}

IceLiteAgent::TimePoint IceLiteAgent::next_timeout() const noexcept {
  if (!last_valid_) return created_ + config_.initial_timeout;
  const TimePoint expiry = *last_valid_ + config_.consent_timeout;
  if (state_ == IceState::Connected) {
    return std::min(expiry, *last_valid_ + config_.disconnected_after);
  }
  return expiry;
}

}  // namespace webrtc::ice
