// load_client: N concurrent WHEP viewers in one process, event-driven, no decoding (issue 8).
// See load_run.hpp for the run's shape and report.hpp for what it prints.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "load_client/load_run.hpp"

int main(int argc, char** argv) {
  bench::load_client::LoadOptions o;
  bool no_audio = false;
  bool no_nack = false;
  bool no_gro = false;
  CLI::App app{"WHEP load client: N viewers, time to connected and to first keyframe, loss, fps"};
  app.add_option("--url", o.url,
                 "WHEP URL (webrtc_url with ?jwt=) or the token API URL "
                 "(http://host:port/api/token?user_type=student&user_id=x), POSTed once")
      ->required();
  app.add_option("-n,--viewers", o.viewers, "Concurrent viewers")->check(CLI::Range(1, 20000));
  app.add_option("--ramp", o.ramp, "Viewers started per second; 0 starts all at once")
      ->check(CLI::Range(0.0, 100000.0));
  app.add_option("--seconds", o.seconds, "Measurement window after the last viewer started")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--threads", o.threads, "Threads (one io_context each)")->check(CLI::Range(1, 64));
  app.add_option("--sample-auth", o.sample_auth,
                 "Fully unprotect (decrypt + authenticate) every Kth RTP packet once the first "
                 "keyframe is in; the others are counted from the clear header. 1: all")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--json", o.json_path, "Write the JSON report to FILE ('-': stdout)");
  app.add_option("--max-http", o.max_http, "Concurrent HTTP exchanges (POST/DELETE)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--settle", o.settle,
                 "Seconds after the window start before fps, kbit and freezes are counted "
                 "(lets an adaptive-bitrate run converge first)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_flag("--transport-cc", o.transport_cc,
               "Offer the transport-wide sequence number and send transport-cc feedback every "
               "100 ms as Chromium does (no goog-remb), so the server can estimate bandwidth");
  app.add_flag("--no-audio", no_audio, "Offer video only");
  app.add_flag("--no-nack", no_nack, "Send no NACKs");
  app.add_flag("--no-gro", no_gro,
               "Read one datagram per packet instead of taking UDP_GRO's coalesced reads "
               "(on loopback the server's send then pays every packet's receive path)");
  auto* tcp = app.add_flag("--tcp", o.tcp,
                           "Connect every viewer over ICE-TCP (RFC 6544) to the answer's "
                           "'tcptype passive' candidate instead of UDP, RFC 4571 framing");
  app.add_option("--tcp-stop-reading-after", o.tcp_stop_reading_after,
                 "With --tcp: SECONDS after its first media packet each viewer stops reading "
                 "its socket (left open, 64 KiB receive buffer, nothing more sent), so a test "
                 "can check that the server drops a stalled TCP viewer")
      ->check(CLI::Range(0.001, 86400.0))
      ->needs(tcp);
  CLI11_PARSE(app, argc, argv);
  o.audio = !no_audio;
  o.nack = !no_nack;
  o.gro = !no_gro;
  try {
    return bench::load_client::run_load(o);
  } catch (const std::exception& e) {  // startup failures (certificate, OpenSSL)
    std::fprintf(stderr, "load_client: %s\n", e.what());
    return 2;
  }
}
