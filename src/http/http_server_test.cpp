// The server on a loopback port against raw sockets: good requests, CORS, limits, deadlines,
// connection caps and hostile input. Limits are short so each test runs well under 2 s.
#include "http/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <functional>
#include <random>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// True once `data` holds a whole response with a Content-Length body.
bool complete_response(const std::string& data) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  const auto cl = data.find("Content-Length: ");
  if (cl == std::string::npos || cl > end) return true;
  return data.size() >= end + 4 + std::stoul(data.substr(cl + 16));
}

// A blocking-style client with deadlines, on its own io_context.
class Client {
 public:
  // `source`: the loopback address to connect from (all of 127/8 reaches lo), so tests can
  // play several clients.
  explicit Client(uint16_t port, const char* source = nullptr) : socket_(io_) {
    if (source) {
      socket_.open(asio::ip::tcp::v4());
      socket_.bind({asio::ip::make_address(source), 0});
    }
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  }
  void shutdown_send() {
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  }
  // Reads until `done(data)`, the peer closes, or `limit` passes.
  std::string read(std::chrono::milliseconds limit,
                   const std::function<bool(const std::string&)>& done = {}) {
    std::string data;
    bool finished = false;
    std::function<void()> next = [&] {
      socket_.async_read_some(asio::buffer(buf_), [&](boost::system::error_code ec, size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
          closed_ = true;
          finished = true;
          return;
        }
        data.append(buf_, n);
        if (done && done(data)) {
          finished = true;
          return;
        }
        next();
      });
    };
    next();
    io_.restart();
    io_.run_for(limit);
    if (!finished) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
    return data;
  }
  std::string read_response() { return read(2s, complete_response); }
  bool closed() const { return closed_; }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  char buf_[4096];
  bool closed_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(http::Verb::get, "/health", [](const http::RequestContext& c) {
      return http::make_json(c.request, http::Status::ok, R"({"status":"ok"})");
    });
    router_.add(http::Verb::get, "/cached", [](const http::RequestContext& c) {
      auto res = http::make_response(c.request, http::Status::ok, "text/plain", "x");
      res.set(boost::beast::http::field::cache_control, "max-age=60");
      return res;
    });
    router_.add(http::Verb::get, "/throw", [](const http::RequestContext& c) -> http::Response {
      return http::make_response(c.request, http::Status::ok, "", c.params.at("missing"));
    });
    router_.add(http::Verb::post, "/echo", [](const http::RequestContext& c) {
      return http::make_response(c.request, http::Status::ok, "text/plain", c.request.body());
    });
    router_.set_fallback([](const http::RequestContext& c) {
      return http::make_response(c.request, http::Status::ok, "text/html", "app " + c.path);
    });
    limits_.max_body_bytes = 1024;
    limits_.max_header_bytes = 2048;
    limits_.read_timeout = 1500ms;
    limits_.idle_timeout = 1500ms;
  }
  void start() {
    server_ = std::make_unique<http::HttpServer>(
        io_, [this]() -> asio::io_context& { return io_; },
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), router_, limits_, "test");
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (!server_) return;
    asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
  }
  // Sends raw bytes and a half-close, returns everything until the server closes.
  std::string roundtrip(const std::string& bytes) {
    Client c(server_->port());
    c.send(bytes);
    c.shutdown_send();
    return c.read(3s);
  }
  bool wait_for_connections(size_t n) {
    const auto until = Clock::now() + 2s;
    while (server_->open_connections() != n && Clock::now() < until)
      std::this_thread::sleep_for(5ms);
    return server_->open_connections() == n;
  }
  std::string get(const std::string& path) {
    return roundtrip("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }

  asio::io_context io_;
  http::Router router_;
  http::ServerLimits limits_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, ServesRequestWithCorsAndNoStore) {
  start();
  const auto out = get("/health");
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Access-Control-Allow-Origin: *\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(out.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(out.find(R"({"status":"ok"})"), std::string::npos);
  // A handler's own Cache-Control stays.
  const auto cached = get("/cached");
  EXPECT_NE(cached.find("Cache-Control: max-age=60\r\n"), std::string::npos) << cached;
  EXPECT_EQ(cached.find("no-store"), std::string::npos) << cached;
}

TEST_F(HttpServerTest, AnswersPreflight) {
  start();
  const auto out = roundtrip(
      "OPTIONS /live/stream/whep HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n"
      "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 204", 0), 0u) << out;
  EXPECT_NE(out.find("Access-Control-Allow-Methods"), std::string::npos);
}

TEST_F(HttpServerTest, KeepsAliveAcrossRequests) {
  start();
  const auto out = roundtrip(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\ndef");
  EXPECT_NE(out.find("abc"), std::string::npos) << out;
  EXPECT_NE(out.find("def"), std::string::npos) << out;
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  start();
  // No half-close: the client is still "sending" when we answer; the lingering close lets it
  // read the answer rather than a reset.
  Client c(server_->port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'b') + "\r\n\r\n");
  const auto out = c.read(2s);
  EXPECT_EQ(out.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << out;
  EXPECT_TRUE(c.closed());
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  start();
  Client c(server_->port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
         std::string(5000, 'a'));
  const auto out = c.read(2s);
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
  EXPECT_TRUE(c.closed());
  // A chunked body that grows past the limit while it streams in.
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i)
    chunked += "200\r\n" + std::string(0x200, 'c') + "\r\n";
  const auto out2 = roundtrip(chunked + "0\r\n\r\n");
  EXPECT_EQ(out2.rfind("HTTP/1.1 413", 0), 0u) << out2;
  // Exactly at the limit is fine.
  const auto ok = roundtrip("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" +
                            std::string(1024, 'z'));
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok.substr(0, 200);
}

TEST_F(HttpServerTest, SlowlorisIsCutByTheReadTimeout) {
  limits_.read_timeout = 400ms;
  start();
  Client c(server_->port());
  const auto begun = Clock::now();
  c.send("GET /health HTTP/1.1\r\n");
  // One header byte every 50 ms: each read makes progress, but the request never completes.
  while (!c.closed() && Clock::now() - begun < 1500ms) {
    c.send("X");
    c.read(50ms);
  }
  const auto elapsed = Clock::now() - begun;
  EXPECT_TRUE(c.closed());
  EXPECT_GE(elapsed, 350ms);
  EXPECT_LT(elapsed, 1000ms);
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HttpServerTest, HeaderDeadlineIsShorterThanTheBodyDeadline) {
  limits_.header_timeout = 300ms;
  limits_.read_timeout = 1200ms;
  start();
  // A head trickled in is cut at the header deadline.
  Client slow_head(server_->port());
  auto begun = Clock::now();
  slow_head.send("POST /echo HTTP/1.1\r\n");
  while (!slow_head.closed() && Clock::now() - begun < 1500ms) {
    slow_head.send("X");
    slow_head.read(50ms);
  }
  auto elapsed = Clock::now() - begun;
  EXPECT_TRUE(slow_head.closed());
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 700ms);
  // A whole head, then a body trickling for 600 ms (past the header deadline): answered.
  Client slow_body(server_->port());
  begun = Clock::now();
  slow_body.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n");
  std::string out;
  for (int i = 0; i < 12; ++i) {
    slow_body.send("b");
    out += slow_body.read(50ms);
  }
  out += slow_body.read_response();
  EXPECT_EQ(out.rfind("HTTP/1.1 200", 0), 0u) << out;
  EXPECT_NE(out.find("bbbbbbbbbbbb"), std::string::npos) << out;
  EXPECT_GE(Clock::now() - begun, 550ms);
  // The body is still bounded by the whole-request deadline from the request's start.
  Client endless_body(server_->port());
  begun = Clock::now();
  endless_body.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  while (!endless_body.closed() && Clock::now() - begun < 3s) {
    endless_body.send("b");
    endless_body.read(50ms);
  }
  elapsed = Clock::now() - begun;
  EXPECT_TRUE(endless_body.closed());
  EXPECT_GE(elapsed, 1100ms);
  EXPECT_LT(elapsed, 1800ms);
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HttpServerTest, KeptAliveHeadGetsTheHeaderDeadlineFromItsFirstByte) {
  limits_.header_timeout = 300ms;
  limits_.read_timeout = 1500ms;
  limits_.idle_timeout = 1500ms;
  start();
  Client c(server_->port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.read_response().find("200 OK"), std::string::npos);
  EXPECT_EQ(c.read(500ms), "");  // idle longer than the header deadline: still open
  EXPECT_FALSE(c.closed());
  const auto begun = Clock::now();
  c.send("GET /health HTTP/1.1\r\n");
  EXPECT_EQ(c.read(1200ms), "");
  EXPECT_TRUE(c.closed());
  EXPECT_LT(Clock::now() - begun, 700ms);
}

TEST_F(HttpServerTest, SlowlorisFromFewAddressesLeavesRoomForOthers) {
  limits_.max_connections = 12;
  limits_.header_timeout = 1000ms;
  limits_.read_timeout = 1000ms;
  start();
  // Three addresses hold every place, trickling header bytes.
  std::vector<std::unique_ptr<Client>> slow;
  const char* attackers[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  for (int i = 0; i < 12; ++i) {
    slow.push_back(std::make_unique<Client>(server_->port(), attackers[i % 3]));
    slow.back()->send("GET /health HTTP/1.1\r\nX-A: ");
  }
  ASSERT_TRUE(wait_for_connections(12));
  // Attackers adding more from their own addresses are refused: they hold an equal share.
  Client more(server_->port(), "127.0.0.2");
  EXPECT_EQ(more.read(1s).rfind("HTTP/1.1 503", 0), 0u);
  // Clients from another address are served at once, each taking an attacker's place (they
  // stay open, so each needs a new place).
  std::vector<std::unique_ptr<Client>> students;
  for (int i = 0; i < 3; ++i) {
    const auto from = Clock::now();
    students.push_back(std::make_unique<Client>(server_->port(), "127.0.0.9"));
    students.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(students.back()->read_response().find("200 OK"), std::string::npos);
    EXPECT_LT(Clock::now() - from, 200ms);
  }
  EXPECT_EQ(server_->shed_connections(), 3u);
  int closed = 0;
  for (auto& c : slow) {
    c->send("x");
    c->read(20ms);
    closed += c->closed();
  }
  EXPECT_EQ(closed, 3);
  EXPECT_EQ(server_->open_connections_from("127.0.0.9"), 3u);
  // A fourth would leave the student address heavier than the attackers' 3, 3 and 3: refused.
  Client fourth(server_->port(), "127.0.0.9");
  EXPECT_EQ(fourth.read(1s).rfind("HTTP/1.1 503", 0), 0u);
  slow.clear();
  students.clear();
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HttpServerTest, IdleKeepAliveIsClosed) {
  limits_.idle_timeout = 300ms;
  start();
  Client c(server_->port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.read_response().find("200 OK"), std::string::npos);
  EXPECT_EQ(server_->open_connections(), 1u);
  const auto idle_from = Clock::now();
  EXPECT_EQ(c.read(1500ms), "");
  EXPECT_TRUE(c.closed());
  const auto idle = Clock::now() - idle_from;
  EXPECT_GE(idle, 250ms);
  EXPECT_LT(idle, 1000ms);
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HttpServerTest, SilentNewConnectionIsClosedAfterReadTimeout) {
  limits_.read_timeout = 300ms;
  start();
  Client c(server_->port());
  const auto from = Clock::now();
  EXPECT_EQ(c.read(1500ms), "");
  EXPECT_TRUE(c.closed());
  EXPECT_LT(Clock::now() - from, 1000ms);
}

TEST_F(HttpServerTest, PerAddressCapAnswers503ThenRecovers) {
  limits_.max_connections_per_address = 2;
  start();
  auto a = std::make_unique<Client>(server_->port());
  auto b = std::make_unique<Client>(server_->port());
  for (auto* c : {a.get(), b.get()}) {
    c->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(c->read_response().find("200 OK"), std::string::npos);
  }
  EXPECT_EQ(server_->open_connections_from("127.0.0.1"), 2u);
  const auto refused = get("/health");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Connection: close\r\n"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  // The two served connections are unaffected.
  a->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a->read_response().find("200 OK"), std::string::npos);
  a.reset();
  b.reset();
  ASSERT_TRUE(wait_for_connections(0));
  EXPECT_EQ(server_->open_connections_from("127.0.0.1"), 0u);
  EXPECT_NE(get("/health").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, TotalCapAnswers503) {
  limits_.max_connections = 1;
  start();
  Client a(server_->port());
  a.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a.read_response().find("200 OK"), std::string::npos);
  EXPECT_EQ(get("/health").rfind("HTTP/1.1 503", 0), 0u);
  a.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(a.read(2s).find("200 OK"), std::string::npos);
  ASSERT_TRUE(wait_for_connections(0));
  EXPECT_NE(get("/health").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, ConnectionCountsReturnToZeroOnEveryPath) {
  limits_.read_timeout = 300ms;
  start();
  get("/health");                                                         // normal close
  roundtrip("GET /health HTTP/1.1\r\nX-Big: " + std::string(5000, 'x'));  // 431
  roundtrip("\x01\x02garbage\r\n\r\n");                                   // 400
  { Client silent(server_->port()); }                                     // client vanishes
  Client slow(server_->port());
  slow.send("GET /he");
  // The server thread accepts on its own schedule: wait for it rather than race it.
  const auto until = Clock::now() + 2s;
  while (server_->open_connections() == 0 && Clock::now() < until)
    std::this_thread::sleep_for(5ms);
  EXPECT_GE(server_->open_connections(), 1u);
  slow.read(1000ms);  // server times it out
  EXPECT_TRUE(slow.closed());
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(HttpServerTest, ThrowingHandlerGets500AndServerLives) {
  start();
  const auto out = get("/throw");
  EXPECT_EQ(out.rfind("HTTP/1.1 500", 0), 0u) << out;
  EXPECT_NE(get("/health").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, FallbackServesUnknownGetPaths) {
  start();
  const auto out = get("/student/index.html");
  EXPECT_NE(out.find("200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("app /student/index.html"), std::string::npos) << out;
  const auto post = roundtrip("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 404", 0), 0u) << post;
}

TEST_F(HttpServerTest, GarbageFloodDoesNotStopService) {
  start();
  auto flood = [this](uint32_t seed, int count) {
    std::mt19937 rng(seed);
    const std::string prefixes[] = {"", "GET ", "GET / HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\n"};
    for (int i = 0; i < count; ++i) {
      std::string junk = prefixes[rng() % 4];
      const size_t n = 1 + rng() % 600;
      for (size_t k = 0; k < n; ++k)
        junk.push_back(static_cast<char>(rng()));
      const auto out = roundtrip(junk + "\r\n\r\n");
      // Either closed silently or a 4xx answer; never a 2xx or 5xx for junk.
      EXPECT_TRUE(out.empty() || out.rfind("HTTP/1.1 4", 0) == 0 || out.rfind("HTTP/1.0 4", 0) == 0)
          << out.substr(0, 80);
    }
  };
  std::thread a(flood, 1, 1000);
  std::thread b(flood, 2, 1000);
  // Meanwhile, a well-behaved client is served.
  for (int i = 0; i < 10; ++i)
    EXPECT_NE(get("/health").find("200 OK"), std::string::npos);
  a.join();
  b.join();
  EXPECT_NE(get("/health").find("200 OK"), std::string::npos);
  EXPECT_TRUE(wait_for_connections(0));
}

}  // namespace

TEST_F(HttpServerTest, HandlerMayAskToBeRunAgain) {
  std::atomic<int> calls{0};
  router_.add(http::Verb::get, "/soon", [&calls](const http::RequestContext& c) {
    if (++calls < 3) {
      auto res = http::make_error(c.request, http::Status::service_unavailable, "starting");
      res.set(http::RetryInternallyHeader, "20");
      return res;
    }
    return http::make_response(c.request, http::Status::ok, "text/plain", "ready");
  });
  router_.add(http::Verb::get, "/never", [](const http::RequestContext& c) {
    auto res = http::make_error(c.request, http::Status::service_unavailable, "still starting");
    res.set(boost::beast::http::field::retry_after, "1");
    res.set(http::RetryInternallyHeader, "1600");  // one retry fits in the 3 s budget
    return res;
  });
  start();
  const auto out = get("/soon");
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(out.find("X-Airclass"), std::string::npos);
  // Retries are bounded: the handler's own answer goes out in the end, without the header.
  const auto refused = get("/never");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_EQ(refused.find("X-Airclass"), std::string::npos);
}

TEST_F(HttpServerTest, TrustedProxyIsNotHeldToThePerAddressCap) {
  limits_.max_connections_per_address = 2;
  router_.add(http::Verb::get, "/who", [](const http::RequestContext& c) {
    return http::make_response(c.request, http::Status::ok, "text/plain", c.client_description());
  });
  router_.set_trusted_proxies(*http::TrustedProxies::parse({"127.0.0.7"}));
  start();
  std::vector<std::unique_ptr<Client>> proxy;
  for (int i = 0; i < 4; ++i) {
    proxy.push_back(std::make_unique<Client>(server_->port(), "127.0.0.7"));
    const auto client = "198.51.100." + std::to_string(i);
    proxy.back()->send("GET /who HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + client + "\r\n\r\n");
    const auto res = proxy.back()->read_response();
    EXPECT_NE(res.find(client + " via proxy 127.0.0.7:"), std::string::npos) << res;
  }
  EXPECT_EQ(server_->open_connections_from("127.0.0.7"), 4u);
  // Any other address keeps its cap, whatever it claims to forward.
  Client a(server_->port(), "127.0.0.8"), b(server_->port(), "127.0.0.8");
  for (auto* c : {&a, &b}) {
    c->send("GET /who HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.9\r\n\r\n");
    const auto res = c->read_response();
    EXPECT_NE(res.find("\r\n\r\n127.0.0.8:"), std::string::npos) << res;
  }
  Client refused(server_->port(), "127.0.0.8");
  refused.send("GET /who HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(refused.read_response().rfind("HTTP/1.1 503", 0), 0u);
}
