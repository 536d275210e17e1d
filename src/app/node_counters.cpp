#include "app/node_counters.hpp"

namespace app {

std::string_view to_string(Entry entry) noexcept {
  switch (entry) {
    case Entry::TokenApi:
      return "token";
    case Entry::Whep:
      return "whep";
    case Entry::RtmpPublish:
      return "rtmp_publish";
    case Entry::RtmpPlay:
      return "rtmp_play";
    case Entry::StatusApi:
      return "api";
    case Entry::Count:
      break;
  }
  return "unknown";
}

std::string_view to_string(Refusal refusal) noexcept {
  switch (refusal) {
    case Refusal::Unauthorized:
      return "401";
    case Refusal::Forbidden:
      return "403";
    case Refusal::RateLimited:
      return "429";
    case Refusal::Count:
      break;
  }
  return "unknown";
}

}  // namespace app
