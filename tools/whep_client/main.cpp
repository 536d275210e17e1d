// whep_client: a WHEP viewer (draft-ietf-wish-whep) for end-to-end tests and load runs. See
// client_runner.hpp for the exit codes and client_report.hpp for the JSON it prints.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "whep_client/client_runner.hpp"

int main(int argc, char** argv) {
  tools::whep_client::ClientOptions o;
  bool no_audio = false;
  CLI::App app{"WHEP viewer: POSTs a recvonly offer, receives SRTP, prints JSON statistics"};
  app.add_option("--url", o.url, "WHEP endpoint, e.g. http://127.0.0.1:8889/live/stream/whep")
      ->required();
  app.add_option("--seconds", o.seconds, "How long to stay, counted from the POST")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--bearer", o.bearer, "Authorization: Bearer token");
  app.add_flag("--no-audio", no_audio, "Offer video only");
  app.add_flag("--nack", o.nack, "Send generic NACKs for sequence gaps");
  app.add_flag("--json", o.json, "Print only the JSON report (no summary on stderr)");
  CLI11_PARSE(app, argc, argv);
  o.audio = !no_audio;
  try {
    return tools::whep_client::run_client(o);
  } catch (const std::exception& e) {  // startup failures (certificate, OpenSSL)
    std::fprintf(stderr, "whep_client: %s\n", e.what());
    return 2;
  }
}
