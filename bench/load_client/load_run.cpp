#include "load_client/load_run.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load_client/report.hpp"
#include "load_client/token_answer.hpp"
#include "load_client/viewer.hpp"
#include "whep_client/http_client.hpp"

namespace bench::load_client {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tools::whep_client::HttpUrl;

namespace {

constexpr int ExitIncomplete = 1;
constexpr int ExitSetup = 2;
constexpr auto Lead = 200ms;  // from set-up to the first POST, so all threads are running

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

asio::awaitable<void> exchange_into(tools::whep_client::HttpRequest req,
                                    tools::whep_client::HttpResponse* out) {
  *out = co_await tools::whep_client::http_exchange(std::move(req));
}

// POSTs the token API once; its webrtc_url serves every viewer.
std::optional<HttpUrl> fetch_webrtc_url(const HttpUrl& token_url) {
  asio::io_context io;
  tools::whep_client::HttpResponse res;
  tools::whep_client::HttpRequest req;
  req.method = tools::whep_client::HttpRequest::Method::Post;
  req.url = token_url;
  asio::co_spawn(io, exchange_into(std::move(req), &res), asio::detached);
  io.run();
  if (res.status != 200) {
    std::fprintf(stderr, "load_client: token API answered %d %s%s\n", res.status, res.error.c_str(),
                 res.body.substr(0, 300).c_str());
    return std::nullopt;
  }
  const auto url = webrtc_url_from_token_answer(res.body);
  if (!url) {
    std::fprintf(stderr, "load_client: no webrtc_url in the token answer\n");
    return std::nullopt;
  }
  auto parsed = tools::whep_client::parse_http_url(*url);
  if (!parsed.url) std::fprintf(stderr, "load_client: bad webrtc_url: %s\n", parsed.error.c_str());
  return parsed.url;
}

std::optional<HttpUrl> resolve_url(const std::string& text) {
  auto parsed = tools::whep_client::parse_http_url(text);
  if (!parsed.url) {
    std::fprintf(stderr, "load_client: bad --url: %s\n", parsed.error.c_str());
    return std::nullopt;
  }
  if (!is_token_api(parsed.url->target)) return parsed.url;
  return fetch_webrtc_url(*parsed.url);
}

struct Worker {
  asio::io_context io;
  ThreadShared shared;
};

void write_outputs(const LoadOptions& o, const RunInfo& info, std::span<const ViewerResult> v) {
  const RunSummary summary = summarize(v);
  std::fputs(to_table(info, summary, v).c_str(), o.json_path == "-" ? stderr : stdout);
  if (o.json_path.empty()) return;
  const std::string json = to_json(info, summary, v);
  if (o.json_path == "-") {
    std::fputs(json.c_str(), stdout);
  } else if (std::ofstream f(o.json_path); !(f << json)) {
    std::fprintf(stderr, "load_client: cannot write %s\n", o.json_path.c_str());
  }
}

}  // namespace

int run_load(const LoadOptions& o) {
  auto url = resolve_url(o.url);
  if (!url) return ExitSetup;
  RunShared run;
  run.url = *url;
  run.dtls_context = webrtc::dtls::DtlsContext::create(
      webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now()));
  run.fingerprint = run.dtls_context->certificate().fingerprint().to_sdp();
  run.session.transport.dtls_context = run.dtls_context;
  run.audio = o.audio;
  run.gro = o.gro;
  run.tcp = o.tcp;
  if (o.tcp && o.tcp_stop_reading_after > 0)
    run.tcp_stop_reading_after = std::chrono::duration<double>(o.tcp_stop_reading_after);
  run.session.sample_auth = std::max<uint32_t>(1, o.sample_auth);
  run.session.nack = o.nack;
  run.transport_cc = o.transport_cc;
  run.session.transport_cc = o.transport_cc;

  const unsigned threads = std::max(1u, o.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>());
    workers.back()->shared.http_limit = std::max<size_t>(1, o.max_http / threads);
  }
  run.run_start = Clock::now() + Lead;
  auto start_of = [&](size_t i) {
    if (o.ramp <= 0) return run.run_start;
    return run.run_start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(static_cast<double>(i) / o.ramp));
  };
  run.window_start = start_of(o.viewers == 0 ? 0 : o.viewers - 1);
  run.end = run.window_start +
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  run.count_start = std::min(
      run.end, run.window_start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(std::max(0.0, o.settle))));

  std::vector<std::unique_ptr<Viewer>> viewers;
  for (size_t i = 0; i < o.viewers; ++i) {
    Worker& w = *workers[i % threads];
    viewers.push_back(std::make_unique<Viewer>(w.io, w.shared, run, i, start_of(i)));
    asio::co_spawn(w.io, viewers.back()->run(), asio::detached);
  }
  // The client's own CPU over the measurement window, read on the first thread.
  double cpu_at_window = 0, cpu_at_end = 0;
  asio::steady_timer window_timer(workers[0]->io, run.window_start);
  window_timer.async_wait([&](const boost::system::error_code&) { cpu_at_window = cpu_seconds(); });
  asio::steady_timer end_timer(workers[0]->io, run.end);
  end_timer.async_wait([&](const boost::system::error_code&) { cpu_at_end = cpu_seconds(); });

  const double cpu_before = cpu_seconds();
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back([&w = *workers[t]] { w.io.run(); });
  workers[0]->io.run();
  for (auto& th : pool)
    th.join();

  RunInfo info;
  info.url = url->to_string().substr(0, url->to_string().find('?'));
  info.viewers = o.viewers;
  info.ramp = o.ramp;
  info.seconds = o.seconds;
  info.threads = threads;
  info.sample_auth = run.session.sample_auth;
  info.audio = o.audio;
  info.gro = o.gro;
  info.tcp = o.tcp;
  if (run.tcp_stop_reading_after) info.tcp_stop_reading_after = o.tcp_stop_reading_after;
  info.transport_cc = o.transport_cc;
  info.settle = o.settle;
  info.wall_s = std::chrono::duration<double>(Clock::now() - run.run_start).count();
  info.client_cpu_s = cpu_seconds() - cpu_before;
  info.client_cpu_window_s = cpu_at_end - cpu_at_window;
  std::vector<ViewerResult> results;
  results.reserve(viewers.size());
  for (const auto& v : viewers)
    results.push_back(v->result());
  write_outputs(o, info, results);
  const RunSummary s = summarize(results);
  return s.with_keyframe == o.viewers && s.failed == 0 ? 0 : ExitIncomplete;
}

}  // namespace bench::load_client
