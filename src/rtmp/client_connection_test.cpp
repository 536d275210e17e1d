#include "rtmp/client_connection.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtmp/amf0.hpp"
#include "rtmp/chunk_reader.hpp"
#include "rtmp/chunk_writer.hpp"
#include "rtmp/command.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/server_connection.hpp"

namespace rtmp {
namespace {

using Bytes = std::vector<uint8_t>;
using amf0::Value;

struct Got {
  MessageType type;
  uint32_t timestamp;
  Bytes payload;
  bool operator==(const Got&) const = default;
};

struct ClientEvents : ClientConnection::Listener {
  int starts = 0;
  std::vector<std::string> stops, errors, statuses;
  std::vector<Got> media;
  void on_play_start() override { ++starts; }
  void on_play_stop(std::string_view code, std::string_view) override { stops.emplace_back(code); }
  void on_media(const Message& m) override {
    media.push_back({m.type, m.timestamp, Bytes(m.payload.begin(), m.payload.end())});
  }
  void on_error(std::string_view code, std::string_view description) override {
    errors.push_back(std::string(code) + "|" + std::string(description));
  }
  void on_status(std::string_view code, std::string_view) override { statuses.emplace_back(code); }
};

struct ServerEvents : ServerConnection::Listener {
  std::vector<StreamKey> plays;
  std::string refuse;
  int closed = 0;
  std::string on_publish(const StreamKey&) override { return "no publishing here"; }
  std::string on_play(const StreamKey& k) override {
    plays.push_back(k);
    return refuse;
  }
  void on_media(const Message&) override {}
  void on_stream_closed() override { ++closed; }
};

void fixed_random(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(i * 13 + 5);
}

ClientOptions play_options() {
  return make_play_options("127.0.0.1", 1935, "live/stream", "jwt=abc.def");
}

// Moves bytes both ways until neither side has anything to say. `step` splits the client's
// input into pieces of that many bytes (0: whole buffers).
bool pump(ClientConnection& client, ServerConnection& server, size_t step = 0) {
  bool ok = true;
  for (int round = 0; round < 100 && (client.has_output() || server.has_output()); ++round) {
    if (client.has_output() && !server.feed(client.take_output())) ok = false;
    const Bytes down = server.take_output();
    if (step == 0) {
      if (!down.empty() && !client.feed(down)) return false;
    } else {
      for (size_t i = 0; i < down.size(); i += step) {
        const size_t n = std::min(step, down.size() - i);
        if (!client.feed(std::span<const uint8_t>(down).subspan(i, n))) return false;
      }
    }
  }
  return ok;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i)
    b[i] = static_cast<uint8_t>(seed + i * 31);
  return b;
}

TEST(ClientConnection, PlaysMediaFromServerConnection) {
  for (size_t step : {size_t{0}, size_t{1}, size_t{1000}}) {
    ClientEvents ce;
    ServerEvents se;
    ServerConnection server(se, {}, fixed_random);
    ClientConnection client(ce, play_options(), fixed_random);
    ASSERT_TRUE(pump(client, server, step)) << client.error() << server.error();
    ASSERT_EQ(client.state(), ClientConnection::State::Playing);
    EXPECT_EQ(server.state(), ServerConnection::State::Playing);
    EXPECT_EQ(ce.starts, 1);
    EXPECT_EQ(client.stream_id(), 1u);
    ASSERT_EQ(se.plays.size(), 1u);
    EXPECT_EQ(se.plays[0].path(), "live/stream");
    EXPECT_EQ(se.plays[0].query, "jwt=abc.def");
    // Play.Reset is informational; the sample access data message is not media.
    EXPECT_NE(std::find(ce.statuses.begin(), ce.statuses.end(), "NetStream.Play.Reset"),
              ce.statuses.end());
    EXPECT_TRUE(ce.media.empty());

    Bytes meta;
    amf0::encode_string("onMetaData", meta);
    amf0::encode(Value::make_ecma_array({{"width", Value::make_number(1920)}}), meta);
    const Bytes seq = {0x17, 0x00, 0, 0, 0, 0x01, 0x4d, 0x40, 0x0d};
    const Bytes key_head = {0x17, 0x01, 0, 0, 0};
    const Bytes key_body = pattern(150000, 1);  // several 60000-byte server chunks
    const Bytes inter = {0x27, 0x01, 0, 0, 0x21, 0, 0, 0, 2, 0x41, 0x9a};
    const Bytes aac_seq = {0xaf, 0x00, 0x12, 0x10};
    const Bytes aac = {0xaf, 0x01, 0x21, 0x22, 0x23};
    server.send_media(MessageType::DataAmf0, 0, {}, meta);
    server.send_media(MessageType::Video, 0, {}, seq);
    server.send_media(MessageType::Video, 0, key_head, key_body);
    server.send_media(MessageType::Audio, 0, {}, aac_seq);
    server.send_media(MessageType::Audio, 21, {}, aac);
    server.send_media(MessageType::Video, 33, {}, inter);
    server.send_media(MessageType::Video, 0x01000005, {}, inter);  // extended timestamp
    ASSERT_TRUE(pump(client, server, step)) << client.error();
    Bytes key = key_head;
    key.insert(key.end(), key_body.begin(), key_body.end());
    const std::vector<Got> want = {
        {MessageType::DataAmf0, 0, meta},       {MessageType::Video, 0, seq},
        {MessageType::Video, 0, key},           {MessageType::Audio, 0, aac_seq},
        {MessageType::Audio, 21, aac},          {MessageType::Video, 33, inter},
        {MessageType::Video, 0x01000005, inter}};
    EXPECT_EQ(ce.media, want) << "step " << step;
    EXPECT_TRUE(ce.errors.empty());
  }
}

TEST(ClientConnection, UnpublishAndPublishNotify) {
  ClientEvents ce;
  ServerEvents se;
  ServerConnection server(se, {}, fixed_random);
  ClientConnection client(ce, play_options(), fixed_random);
  ASSERT_TRUE(pump(client, server));
  server.send_unpublish_notify();
  ASSERT_TRUE(pump(client, server));
  ASSERT_EQ(ce.stops.size(), 1u);  // StreamEOF and UnpublishNotify: one stop
  EXPECT_EQ(ce.stops[0], "StreamEOF");
  server.send_media(MessageType::Video, 1, {}, Bytes{0x27, 0x01, 0, 0, 0});
  ASSERT_TRUE(pump(client, server));
  EXPECT_TRUE(ce.media.empty());  // not playing between stop and start
  server.send_publish_notify();
  server.send_media(MessageType::Video, 2, {}, Bytes{0x27, 0x01, 0, 0, 0});
  ASSERT_TRUE(pump(client, server));
  EXPECT_EQ(ce.starts, 2);
  ASSERT_EQ(ce.media.size(), 1u);
  EXPECT_EQ(ce.media[0].timestamp, 2u);
}

TEST(ClientConnection, RefusedPlayBecomesError) {
  ClientEvents ce;
  ServerEvents se;
  se.refuse = "a token is required to play live/stream";
  ServerConnection server(se, {}, fixed_random);
  ClientConnection client(ce, play_options(), fixed_random);
  EXPECT_FALSE(pump(client, server));
  EXPECT_EQ(client.state(), ClientConnection::State::Failed);
  ASSERT_EQ(ce.errors.size(), 1u);
  EXPECT_EQ(ce.errors[0], "NetStream.Play.StreamNotFound|a token is required to play live/stream");
  EXPECT_NE(client.error().find("a token is required"), std::string::npos);
  EXPECT_EQ(ce.starts, 0);
  EXPECT_FALSE(client.feed(Bytes{1, 2, 3}));  // stays failed
}

// A scripted server: S0+S1+S2, then chunked messages; the client's chunked output is parsed.
class FakeServer : ChunkReader::Listener {
 public:
  explicit FakeServer(ClientConnection& client) : client_(client) {}

  bool handshake(uint8_t version = 3) {
    Bytes reply(1 + 2 * Handshake::PacketSize, 0x42);
    reply[0] = version;
    const bool ok = client_.feed(reply);
    collect();
    return ok;
  }
  bool send(MessageType type, const Bytes& payload, uint32_t msid = 0, uint32_t csid = 3) {
    Bytes wire;
    writer_.write(wire, csid, type, 0, msid, payload);
    const bool ok = client_.feed(wire);
    collect();
    return ok;
  }
  bool command(const Command& c, uint32_t msid = 0) {
    return send(MessageType::CommandAmf0, c.encode(), msid);
  }
  // Accepts connect and createStream, then answers play with Play.Start.
  bool accept_play() {
    if (!handshake()) return false;
    if (!command(Command::result(1, Value::make_null(),
                                 status_info("status", "NetConnection.Connect.Success", "ok")))) {
      return false;
    }
    if (!command(Command::result(2, Value::make_null(), Value::make_number(1)))) return false;
    return command(Command::on_status("status", "NetStream.Play.Start", "go"), 1);
  }
  void collect() {
    Bytes out = client_.take_output();
    size_t skip = std::min(out.size(), handshake_left_);
    handshake_left_ -= skip;
    EXPECT_TRUE(reader_.feed(std::span<const uint8_t>(out).subspan(skip), *this))
        << reader_.error();
  }
  std::vector<Command> commands() const {
    std::vector<Command> out;
    for (const auto& g : got) {
      std::string error;
      if (g.type != MessageType::CommandAmf0) continue;
      if (auto c = Command::parse(g.payload, {}, error)) out.push_back(*c);
    }
    return out;
  }
  uint32_t client_chunk_size() const { return reader_.chunk_size(); }
  std::vector<Got> got;

 private:
  bool on_message(const Message& m) override {
    got.push_back({m.type, m.timestamp, Bytes(m.payload.begin(), m.payload.end())});
    return true;
  }
  ClientConnection& client_;
  ChunkWriter writer_;
  ChunkReader reader_;
  size_t handshake_left_ = 1 + 2 * Handshake::PacketSize;  // C0+C1, C2
};

TEST(ClientConnection, SendsConnectCreateStreamPlayInOrder) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.accept_play()) << client.error();
  const auto cmds = server.commands();
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].name, "connect");
  EXPECT_EQ(cmds[0].object.find_string("app"), "live");
  EXPECT_EQ(cmds[0].object.find_string("tcUrl"), "rtmp://127.0.0.1:1935/live");
  EXPECT_EQ(cmds[0].object.find_number("objectEncoding"), 0);
  EXPECT_EQ(cmds[1].name, "createStream");
  EXPECT_EQ(cmds[2].name, "play");
  EXPECT_EQ(cmds[2].string_arg(0), "stream?jwt=abc.def");
  ASSERT_NE(cmds[2].arg(1), nullptr);
  EXPECT_EQ(cmds[2].arg(1)->number, -1000);
  // Set Chunk Size 4096 (applied by the reader, not delivered) and our window precede connect.
  EXPECT_EQ(server.client_chunk_size(), 4096u);
  ASSERT_FALSE(server.got.empty());
  EXPECT_EQ(server.got[0].type, MessageType::WindowAckSize);
  EXPECT_EQ(ce.starts, 1);
}

TEST(ClientConnection, C2EchoesS1) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  const Bytes c0c1 = client.take_output();
  ASSERT_EQ(c0c1.size(), 1 + Handshake::PacketSize);
  EXPECT_EQ(c0c1[0], 3);
  EXPECT_EQ(Bytes(c0c1.begin() + 5, c0c1.begin() + 9), Bytes(4, 0));  // plain C1: zero field
  Bytes s0s1 = pattern(1 + Handshake::PacketSize, 9);
  s0s1[0] = 3;
  ASSERT_TRUE(client.feed(std::span<const uint8_t>(s0s1).first(700)));  // truncated: waits
  EXPECT_FALSE(client.has_output());
  ASSERT_TRUE(client.feed(std::span<const uint8_t>(s0s1).subspan(700)));
  EXPECT_EQ(client.take_output(), Bytes(s0s1.begin() + 1, s0s1.end()));
  EXPECT_EQ(client.state(), ClientConnection::State::Handshake);  // S2 still missing
  ASSERT_TRUE(client.feed(Bytes(Handshake::PacketSize, 0)));
  EXPECT_EQ(client.state(), ClientConnection::State::Connecting);
}

TEST(ClientConnection, BadServerVersionFails) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  EXPECT_FALSE(server.handshake(6));
  EXPECT_NE(client.error().find("version 6"), std::string::npos);
}

TEST(ClientConnection, ConnectErrorBecomesOnError) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.handshake());
  EXPECT_FALSE(server.command(Command::error(
      1, status_info("error", "NetConnection.Connect.Rejected", "a token is required"))));
  ASSERT_EQ(ce.errors.size(), 1u);
  EXPECT_EQ(ce.errors[0], "NetConnection.Connect.Rejected|a token is required");
  EXPECT_EQ(client.state(), ClientConnection::State::Failed);
}

TEST(ClientConnection, PlayFailedStatusBecomesOnError) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.handshake());
  ASSERT_TRUE(server.command(Command::result(1, Value::make_null(), Value::make_null())));
  ASSERT_TRUE(server.command(Command::result(2, Value::make_null(), Value::make_number(1))));
  EXPECT_FALSE(
      server.command(Command::on_status("warning", "NetStream.Play.Failed", "token expired"), 1));
  ASSERT_EQ(ce.errors.size(), 1u);
  EXPECT_EQ(ce.errors[0], "NetStream.Play.Failed|token expired");
}

TEST(ClientConnection, AnswersPingRequest) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.accept_play());
  server.got.clear();
  ASSERT_TRUE(server.send(MessageType::UserControl,
                          Bytes{0, 6, 0x12, 0x34, 0x56, 0x78},  // PingRequest
                          0, 2));
  ASSERT_EQ(server.got.size(), 1u);
  EXPECT_EQ(server.got[0].type, MessageType::UserControl);
  const auto uc = UserControl::parse(server.got[0].payload);
  ASSERT_TRUE(uc);
  EXPECT_EQ(uc->event, UserControlEvent::PingResponse);
  EXPECT_EQ(uc->value, 0x12345678u);
  EXPECT_EQ(client.pings_answered(), 1u);
  // Our own keepalive ping goes out as a PingRequest.
  client.send_ping(77);
  server.collect();
  ASSERT_EQ(server.got.size(), 2u);
  EXPECT_EQ(UserControl::parse(server.got[1].payload)->event, UserControlEvent::PingRequest);
}

TEST(ClientConnection, AcknowledgesAtServerWindow) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.accept_play());
  ASSERT_TRUE(server.send(MessageType::WindowAckSize, Bytes{0, 0, 0x10, 0}, 0, 2));  // 4096
  server.got.clear();
  EXPECT_EQ(client.acknowledgements_sent(), 0u);
  ASSERT_TRUE(server.send(MessageType::Video, pattern(5000, 3), 1, 6));
  ASSERT_EQ(client.acknowledgements_sent(), 1u);
  ASSERT_EQ(server.got.size(), 1u);
  EXPECT_EQ(server.got[0].type, MessageType::Acknowledgement);
  // Section 5.4.3: the sequence number is every byte received so far, handshake included.
  EXPECT_EQ(parse_u32_control(server.got[0].payload), client.bytes_received());
  ASSERT_EQ(ce.media.size(), 1u);
}

TEST(ClientConnection, AcknowledgesRealServerWindow) {
  ClientEvents ce;
  ServerEvents se;
  ServerConnection server(se, {}, fixed_random);
  ClientConnection client(ce, play_options(), fixed_random);
  ASSERT_TRUE(pump(client, server));
  const Bytes frame = pattern(500000, 7);
  for (int i = 0; i < 6; ++i)
    server.send_media(MessageType::Video, static_cast<uint32_t>(i), {}, frame);
  ASSERT_TRUE(pump(client, server));
  EXPECT_EQ(ce.media.size(), 6u);
  EXPECT_EQ(client.acknowledgements_sent(), 1u);  // 3 MB against the 2.5 MB window
}

TEST(ClientConnection, RejectsOversizedChunkSize) {
  ClientEvents ce;
  ClientConnection client(ce, play_options(), fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.handshake());
  EXPECT_FALSE(server.send(MessageType::SetChunkSize, Bytes{0x7f, 0xff, 0xff, 0xff}, 0, 2));
  EXPECT_NE(client.error().find("chunk size"), std::string::npos) << client.error();
  EXPECT_EQ(client.state(), ClientConnection::State::Failed);
}

TEST(ClientConnection, RejectsOversizedMessage) {
  ClientEvents ce;
  ClientOptions o = play_options();
  o.max_message_size = 1000;
  ClientConnection client(ce, o, fixed_random);
  FakeServer server(client);
  ASSERT_TRUE(server.handshake());
  EXPECT_FALSE(server.send(MessageType::Video, pattern(1001, 1), 1, 6));
  EXPECT_FALSE(client.error().empty());
}

TEST(ClientConnection, RejectsDeepAmfAndBadCommands) {
  {
    ClientEvents ce;
    ClientConnection client(ce, play_options(), fixed_random);
    FakeServer server(client);
    ASSERT_TRUE(server.handshake());
    Bytes deep;
    amf0::encode_string("onStatus", deep);
    amf0::encode_number(0, deep);
    for (int i = 0; i < 40; ++i) {
      deep.push_back(0x03);  // object
      deep.insert(deep.end(), {0x00, 0x01, 'a'});
    }
    EXPECT_FALSE(server.send(MessageType::CommandAmf0, deep));
    EXPECT_NE(client.error().find("malformed command"), std::string::npos);
  }
  {
    ClientEvents ce;
    ClientConnection client(ce, play_options(), fixed_random);
    FakeServer server(client);
    ASSERT_TRUE(server.handshake());
    ASSERT_TRUE(server.command(Command::result(1, Value::make_null(), Value::make_null())));
    EXPECT_FALSE(server.command(Command::result(2, Value::make_null(), Value::make_number(-1))));
    EXPECT_NE(client.error().find("stream id"), std::string::npos);
  }
}

TEST(ClientConnection, RandomGarbageNeverCrashes) {
  std::mt19937 rng(20240607);
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    ClientEvents ce;
    ClientConnection client(ce, play_options(), fixed_random);
    FakeServer server(client);
    if (i % 2 == 0) {
      ASSERT_TRUE(server.accept_play());  // garbage mid-play, or in place of the handshake
    }
    Bytes junk(rng() % 2048);
    for (auto& b : junk)
      b = static_cast<uint8_t>(rng());
    if (i % 2 == 1 && !junk.empty()) junk[0] = 3;
    bool ok = client.feed(junk);
    if (i % 3 == 0) ok = client.feed(std::span<const uint8_t>(junk).first(junk.size() / 2)) && ok;
    if (!ok) {
      ++failed;
      EXPECT_FALSE(client.error().empty());
      EXPECT_EQ(client.state(), ClientConnection::State::Failed);
    }
    (void)client.take_output();
  }
  EXPECT_GT(failed, 100);  // garbage is mostly detected, never a crash
}

TEST(ClientConnection, GarbageAfterRealSessionNeverCrashes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    ClientEvents ce;
    ServerEvents se;
    ServerConnection server(se, {}, fixed_random);
    ClientConnection client(ce, play_options(), fixed_random);
    ASSERT_TRUE(pump(client, server));
    server.send_media(MessageType::Video, 5, {}, pattern(rng() % 300, 1));
    Bytes wire = server.take_output();
    for (int flips = 0; flips < 4 && !wire.empty(); ++flips)
      wire[rng() % wire.size()] = static_cast<uint8_t>(rng());
    const size_t cut = wire.empty() ? 0 : rng() % wire.size();
    (void)client.feed(std::span<const uint8_t>(wire).first(cut));
    EXPECT_LE(ce.media.size(), 1u);
  }
}

TEST(PlayUrl, ParsesAndBuilds) {
  auto u = parse_play_url("rtmp://main.example:1936/live/stream?jwt=a.b.c");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "main.example");
  EXPECT_EQ(u->port, 1936);
  EXPECT_EQ(u->app, "live");
  EXPECT_EQ(u->name, "stream");
  EXPECT_EQ(u->query, "jwt=a.b.c");
  u = parse_play_url("rtmp://[::1]/live/a/b");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 1935);
  EXPECT_EQ(u->name, "a/b");
  for (const char* bad : {"http://x/live/s", "rtmp://", "rtmp://host", "rtmp://host/live",
                          "rtmp://host:0/live/s", "rtmp://host:99999/live/s", "rtmp://:1935/a/b",
                          "rtmp://host:/live/s", "rtmp://[::1/live/s", "rtmp://host:1x/live/s"}) {
    EXPECT_FALSE(parse_play_url(bad)) << bad;
  }
  const auto o = make_play_options("::1", 1935, "live/stream", "");
  EXPECT_EQ(o.app, "live");
  EXPECT_EQ(o.stream, "stream");
  EXPECT_EQ(o.tc_url, "rtmp://[::1]:1935/live");
}

}  // namespace
}  // namespace rtmp
