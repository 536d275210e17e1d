#pragma once
// One load run: N WHEP viewers in this process on T threads (one io_context each, viewers
// dealt round-robin), started all at once or R per second, measured for D seconds after the
// last start, then DELETEd. Prints the table, writes the JSON, returns the exit code.
#include <cstddef>
#include <cstdint>
#include <string>

namespace bench::load_client {

struct LoadOptions {
  std::string url;  // a WHEP endpoint (with ?jwt=) or the token API's URL
  size_t viewers = 10;
  double ramp = 0;  // viewers per second; 0: all at once
  double seconds = 10;
  unsigned threads = 1;
  uint32_t sample_auth = 10;
  std::string json_path;  // "-": stdout; empty: none
  bool audio = true;
  bool nack = true;
  bool gro = true;   // UDP_GRO on the viewers' sockets (see UdpLink::open)
  bool tcp = false;  // ICE-TCP to the answer's passive candidate (RFC 6544, RFC 4571)
  double tcp_stop_reading_after = 0;  // with tcp, > 0: seconds of media, then stop reading
  size_t max_http = 32;               // concurrent HTTP exchanges over all threads
  bool transport_cc = false;          // offer transport-cc and send feedback as Chromium does
  double settle = 0;  // seconds after the window start before fps, kbit and freezes count
};

// Exit codes: 0 every viewer connected and received a whole keyframe, 1 some did not,
// 2 the run could not start (bad URL, token API refused).
int run_load(const LoadOptions& options);

}  // namespace bench::load_client
