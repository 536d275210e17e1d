#pragma once
// The I/O shell of the client: one io_context, the HTTP exchanges, one connected UDP socket,
// a timer driving WhepPeer, SIGINT/SIGTERM. Prints the report and returns the exit code.
#include <chrono>
#include <string>

namespace tools::whep_client {

struct ClientOptions {
  std::string url;
  double seconds = 10;  // from the POST to the DELETE
  std::string bearer;
  bool audio = true;
  bool nack = false;
  bool json = false;  // only the JSON report (stdout); no human-readable summary on stderr
  std::chrono::milliseconds http_timeout{5000};
};

// Exit codes: 0 connected and at least one whole frame, 1 no media, 2 signaling failed (bad
// URL, POST not 201, unusable answer).
int run_client(const ClientOptions& options);

}  // namespace tools::whep_client
