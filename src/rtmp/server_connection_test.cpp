#include "rtmp/server_connection.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtmp/amf0.hpp"
#include "rtmp/chunk_reader.hpp"
#include "rtmp/chunk_writer.hpp"
#include "rtmp/command.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/handshake.hpp"

namespace rtmp {
namespace {

using Bytes = std::vector<uint8_t>;
using amf0::Value;

struct Got {
  Message m;
  Bytes payload;
};

struct Recorder : ServerConnection::Listener {
  std::vector<StreamKey> publishes, plays;
  std::vector<Got> media;
  int closed = 0;
  std::string refuse;
  std::string on_publish(const StreamKey& k) override {
    publishes.push_back(k);
    return refuse;
  }
  std::string on_play(const StreamKey& k) override {
    plays.push_back(k);
    return refuse;
  }
  void on_media(const Message& m) override {
    media.push_back({m, Bytes(m.payload.begin(), m.payload.end())});
  }
  void on_stream_closed() override { ++closed; }
};

void test_random(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(i * 7);
}

// Plays the client: handshake, chunked commands out, server replies parsed back.
class Client : ChunkReader::Listener {
 public:
  explicit Client(ServerConnection& conn) : conn_(conn) {}

  bool handshake() {
    Bytes hello(1 + Handshake::PacketSize, 0);
    hello[0] = 3;
    if (!conn_.feed(hello)) return false;
    const Bytes reply = conn_.take_output();
    EXPECT_EQ(reply.size(), 1 + 2 * Handshake::PacketSize);
    return conn_.feed(Bytes(Handshake::PacketSize, 0));  // C2
  }
  bool send(uint32_t csid, MessageType type, uint32_t msid, const Bytes& payload, uint32_t ts = 0) {
    Bytes wire;
    writer_.write(wire, csid, type, ts, msid, payload);
    const bool ok = conn_.feed(wire);
    collect();
    return ok;
  }
  bool command(const Command& c, uint32_t msid = 0) {
    return send(3, MessageType::CommandAmf0, msid, c.encode());
  }
  void collect() {
    const Bytes out = conn_.take_output();
    ASSERT_TRUE(reader_.feed(out, *this)) << reader_.error();
  }
  // Replies that are commands, parsed.
  std::vector<Command> commands() const {
    std::vector<Command> out;
    for (const auto& g : got) {
      if (g.m.type != MessageType::CommandAmf0) continue;
      std::string error;
      auto c = Command::parse(g.payload, {}, error);
      EXPECT_TRUE(c) << error;
      if (c) out.push_back(*c);
    }
    return out;
  }
  const Command* find(std::string_view name) const {
    static std::vector<Command> last;
    last = commands();
    for (auto it = last.rbegin(); it != last.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }
  std::vector<Got> got;
  ChunkReader reader_;

 private:
  bool on_message(const Message& m) override {
    got.push_back({m, Bytes(m.payload.begin(), m.payload.end())});
    return true;
  }
  ServerConnection& conn_;
  ChunkWriter writer_;
};

Command make(std::string name, double txn, Value object, std::vector<Value> args = {}) {
  Command c;
  c.name = std::move(name);
  c.transaction_id = txn;
  c.object = std::move(object);
  c.args = std::move(args);
  return c;
}

Command connect_command() {
  return make("connect", 1,
              Value::make_object({{"app", Value::make_string("live")},
                                  {"type", Value::make_string("nonprivate")},
                                  {"flashVer", Value::make_string("FMLE/3.0")},
                                  {"tcUrl", Value::make_string("rtmp://127.0.0.1:1935/live")}}));
}

std::string status_code(const Command& c) {
  if (c.args.empty()) return {};
  return std::string(c.args[0].find_string("code").value_or(""));
}

void connect(Client& client, ServerConnection& conn) {
  ASSERT_TRUE(client.handshake());
  EXPECT_EQ(conn.state(), ServerConnection::State::Connecting);
  ASSERT_TRUE(client.command(connect_command())) << conn.error();
  EXPECT_EQ(conn.state(), ServerConnection::State::Connected);
}

TEST(ServerConnection, PublisherSession) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Client client(conn);
  connect(client, conn);
  ASSERT_GE(client.got.size(), 3u);
  EXPECT_EQ(client.got[0].m.type, MessageType::WindowAckSize);
  EXPECT_EQ(parse_u32_control(client.got[0].payload), 2500000u);
  EXPECT_EQ(client.got[1].m.type, MessageType::SetPeerBandwidth);
  EXPECT_EQ(client.reader_.chunk_size(), 60000u);
  const Command* result = client.find("_result");
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->transaction_id, 1);
  EXPECT_EQ(result->object.find_string("fmsVer"), "FMS/3,0,1,123");
  EXPECT_EQ(result->object.find_number("capabilities"), 31);
  EXPECT_EQ(status_code(*result), "NetConnection.Connect.Success");
  EXPECT_EQ(result->args[0].find_number("objectEncoding"), 0);

  const Value name = Value::make_string("stream?pwd=x");
  ASSERT_TRUE(client.command(make("releaseStream", 2, Value::make_null(), {name})));
  EXPECT_EQ(client.find("_result")->transaction_id, 2);
  ASSERT_TRUE(client.command(make("FCPublish", 3, Value::make_null(), {name})));
  ASSERT_NE(client.find("onFCPublish"), nullptr);
  EXPECT_EQ(client.find("onFCPublish")->args[0].find_string("description"), "stream");
  EXPECT_EQ(client.find("_result")->transaction_id, 3);
  ASSERT_TRUE(client.command(make("createStream", 4, Value::make_null())));
  result = client.find("_result");
  EXPECT_EQ(result->transaction_id, 4);
  ASSERT_EQ(result->args.size(), 1u);
  EXPECT_EQ(result->args[0].number, 1);

  ASSERT_TRUE(client.command(
      make("publish", 5, Value::make_null(), {name, Value::make_string("live")}), 1));
  ASSERT_EQ(rec.publishes.size(), 1u);
  EXPECT_EQ(rec.publishes[0].app, "live");
  EXPECT_EQ(rec.publishes[0].name, "stream");
  EXPECT_EQ(rec.publishes[0].query, "pwd=x");
  const Command* status = client.find("onStatus");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status_code(*status), "NetStream.Publish.Start");
  EXPECT_EQ(client.got.back().m.stream_id, 1u);
  EXPECT_EQ(conn.state(), ServerConnection::State::Publishing);

  Bytes meta;
  amf0::encode_string("@setDataFrame", meta);
  amf0::encode_string("onMetaData", meta);
  amf0::encode(Value::make_ecma_array({{"width", Value::make_number(1920)}}), meta);
  ASSERT_TRUE(client.send(4, MessageType::DataAmf0, 1, meta));
  Bytes video(5000);
  for (size_t i = 0; i < video.size(); ++i)
    video[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(client.send(6, MessageType::Video, 1, video, 33));
  ASSERT_EQ(rec.media.size(), 2u);
  EXPECT_EQ(rec.media[0].m.type, MessageType::DataAmf0);
  EXPECT_EQ(rec.media[0].payload, meta);
  EXPECT_EQ(rec.media[1].m.type, MessageType::Video);
  EXPECT_EQ(rec.media[1].m.timestamp, 33u);
  EXPECT_EQ(rec.media[1].payload, video);

  ASSERT_TRUE(client.command(make("FCUnpublish", 6, Value::make_null(), {name})));
  EXPECT_EQ(rec.closed, 1);
  EXPECT_EQ(conn.state(), ServerConnection::State::Connected);
  ASSERT_TRUE(client.command(make("deleteStream", 7, Value::make_null(), {Value::make_number(1)})));
  EXPECT_EQ(rec.closed, 1);  // already closed by FCUnpublish
}

TEST(ServerConnection, PlayerSession) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Client client(conn);
  connect(client, conn);
  ASSERT_TRUE(client.command(make("createStream", 2, Value::make_null())));
  client.got.clear();
  ASSERT_TRUE(client.command(make("play", 3, Value::make_null(),
                                  {Value::make_string("stream"), Value::make_number(-2000)}),
                             1));
  ASSERT_EQ(rec.plays.size(), 1u);
  EXPECT_EQ(rec.plays[0].path(), "live/stream");
  ASSERT_GE(client.got.size(), 4u);
  EXPECT_EQ(client.got[0].m.type, MessageType::UserControl);
  EXPECT_EQ(UserControl::parse(client.got[0].payload)->event, UserControlEvent::StreamBegin);
  const auto cmds = client.commands();
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(status_code(cmds[0]), "NetStream.Play.Reset");
  EXPECT_EQ(status_code(cmds[1]), "NetStream.Play.Start");
  EXPECT_EQ(client.got.back().m.type, MessageType::DataAmf0);
  EXPECT_EQ(amf0::Decoder(client.got.back().payload).next()->string, "|RtmpSampleAccess");
  EXPECT_EQ(conn.state(), ServerConnection::State::Playing);

  client.got.clear();
  const Bytes head = {0x17, 0x01, 0, 0, 0};
  const Bytes body(100000, 0x42);
  conn.send_media(MessageType::Video, 1234, head, body);
  client.collect();
  ASSERT_EQ(client.got.size(), 1u);
  EXPECT_EQ(client.got[0].m.chunk_stream_id, 6u);
  EXPECT_EQ(client.got[0].m.stream_id, 1u);
  EXPECT_EQ(client.got[0].m.timestamp, 1234u);
  EXPECT_EQ(client.got[0].payload.size(), head.size() + body.size());
  EXPECT_EQ(client.got[0].payload[0], 0x17);
  EXPECT_EQ(client.got[0].payload.back(), 0x42);

  // Ping request -> response with the same timestamp.
  client.got.clear();
  const auto ping = UserControl::encode(UserControlEvent::PingRequest, 777);
  ASSERT_TRUE(client.send(2, MessageType::UserControl, 0, Bytes(ping.begin(), ping.end())));
  ASSERT_EQ(client.got.size(), 1u);
  EXPECT_EQ(UserControl::parse(client.got[0].payload)->event, UserControlEvent::PingResponse);
  EXPECT_EQ(UserControl::parse(client.got[0].payload)->value, 777u);

  // Unknown call gets an _error and the connection lives on.
  ASSERT_TRUE(client.command(make("fancyCall", 9, Value::make_null())));
  EXPECT_EQ(client.find("_error")->transaction_id, 9);
  EXPECT_EQ(status_code(*client.find("_error")), "NetConnection.Call.Failed");

  client.got.clear();
  conn.send_unpublish_notify();
  client.collect();
  EXPECT_EQ(status_code(*client.find("onStatus")), "NetStream.Play.UnpublishNotify");
  conn.send_publish_notify();
  client.collect();
  EXPECT_EQ(status_code(*client.find("onStatus")), "NetStream.Play.PublishNotify");

  ASSERT_TRUE(client.command(make("closeStream", 0, Value::make_null()), 1));
  EXPECT_EQ(rec.closed, 1);
  conn.send_media(MessageType::Audio, 1, head, body);  // no longer playing: dropped
  EXPECT_FALSE(conn.has_output());
}

TEST(ServerConnection, Play2UsesStreamName) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Client client(conn);
  connect(client, conn);
  ASSERT_TRUE(
      client.command(make("play2", 0, Value::make_null(),
                          {Value::make_object({{"streamName", Value::make_string("s2?pwd=y")}})}),
                     1));
  ASSERT_EQ(rec.plays.size(), 1u);
  EXPECT_EQ(rec.plays[0].name, "s2");
  EXPECT_EQ(rec.plays[0].query, "pwd=y");
}

TEST(ServerConnection, RefusedPublishAndPlay) {
  for (const char* cmd : {"publish", "play"}) {
    Recorder rec;
    rec.refuse = "bad password";
    ServerConnection conn(rec, {}, test_random);
    Client client(conn);
    connect(client, conn);
    EXPECT_FALSE(client.command(make(cmd, 2, Value::make_null(), {Value::make_string("s")}), 1));
    EXPECT_EQ(conn.error(), std::string(cmd) + " refused: bad password");
    const Command* status = client.find("onStatus");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(status->args[0].find_string("level"), "error");
    EXPECT_EQ(status_code(*status), std::string(cmd) == "publish"
                                        ? "NetStream.Publish.BadName"
                                        : "NetStream.Play.StreamNotFound");
    EXPECT_EQ(status->args[0].find_string("description"), "bad password");
    EXPECT_EQ(conn.state(), ServerConnection::State::Failed);
  }
}

TEST(ServerConnection, AcknowledgesEachWindow) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Client client(conn);
  connect(client, conn);
  ASSERT_TRUE(client.send(2, MessageType::WindowAckSize, 0, {0, 0, 0x10, 0}));  // 4096
  client.got.clear();
  ASSERT_TRUE(client.send(6, MessageType::Video, 1, Bytes(5000, 0)));
  ASSERT_EQ(client.got.size(), 1u);
  EXPECT_EQ(client.got[0].m.type, MessageType::Acknowledgement);
  EXPECT_EQ(parse_u32_control(client.got[0].payload), conn.bytes_received());
}

TEST(ServerConnection, AggregateMessagesAreSplit) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Client client(conn);
  connect(client, conn);
  ASSERT_TRUE(client.command(make("publish", 2, Value::make_null(), {Value::make_string("s")}), 1));
  Bytes agg;
  auto tag = [&agg](uint8_t type, uint32_t ts, Bytes body) {
    const auto n = static_cast<uint32_t>(body.size());
    agg.insert(agg.end(), {type, uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n), uint8_t(ts >> 16),
                           uint8_t(ts >> 8), uint8_t(ts), uint8_t(ts >> 24), 0, 0, 0});
    agg.insert(agg.end(), body.begin(), body.end());
    const uint32_t prev = n + 11;
    agg.insert(agg.end(),
               {uint8_t(prev >> 24), uint8_t(prev >> 16), uint8_t(prev >> 8), uint8_t(prev)});
  };
  tag(9, 5000, {0x17, 1});
  tag(8, 5020, {0xaf, 1, 2});
  ASSERT_TRUE(client.send(6, MessageType::Aggregate, 1, agg, 100));
  ASSERT_EQ(rec.media.size(), 2u);
  EXPECT_EQ(rec.media[0].m.type, MessageType::Video);
  EXPECT_EQ(rec.media[0].m.timestamp, 100u);
  EXPECT_EQ(rec.media[1].m.type, MessageType::Audio);
  EXPECT_EQ(rec.media[1].m.timestamp, 120u);
  EXPECT_EQ(rec.media[1].payload, (Bytes{0xaf, 1, 2}));
  agg.pop_back();
  EXPECT_FALSE(client.send(6, MessageType::Aggregate, 1, agg, 200));
  EXPECT_EQ(conn.error(), "truncated aggregate message");
}

// --- Malformed input --------------------------------------------------------------------

struct Connected {
  Recorder rec;
  ServerConnection conn;
  Client client{conn};
  explicit Connected(ConnectionLimits limits = {}) : conn(rec, limits, test_random) {
    EXPECT_TRUE(client.handshake());
    EXPECT_TRUE(client.command(connect_command()));
  }
};

TEST(ServerConnection, RandomBytesAfterHandshake) {
  std::mt19937 rng(99);
  int failures = 0;
  for (int i = 0; i < 500; ++i) {
    Connected c;
    Bytes junk(1 + rng() % 2000);
    for (auto& b : junk)
      b = static_cast<uint8_t>(rng());
    if (!c.conn.feed(junk)) {
      ++failures;
      EXPECT_FALSE(c.conn.error().empty());
      EXPECT_FALSE(c.conn.feed(Bytes{1}));
    }
  }
  EXPECT_GT(failures, 400);
  Connected c;
  EXPECT_FALSE(c.conn.feed(Bytes{0x8a, 1, 2, 3, 4}));
  EXPECT_EQ(c.conn.error(), "chunk stream 10: fmt 2 without a preceding full header");
}

TEST(ServerConnection, HugeChunkSize) {
  Connected c;
  EXPECT_FALSE(c.client.send(2, MessageType::SetChunkSize, 0, {0x7f, 0xff, 0xff, 0xff}));
  EXPECT_EQ(c.conn.error(), "chunk size 2147483647 exceeds limit 1048576");
  EXPECT_EQ(c.conn.state(), ServerConnection::State::Failed);
}

TEST(ServerConnection, HugeMessageLength) {
  ConnectionLimits limits;
  limits.max_message_size = 4u << 20;
  Connected c(limits);
  ASSERT_TRUE(
      c.client.command(make("publish", 2, Value::make_null(), {Value::make_string("s")}), 1));
  EXPECT_FALSE(c.conn.feed(Bytes{0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0}));
  EXPECT_EQ(c.conn.error(), "message length 16777215 exceeds limit 4194304");
}

TEST(ServerConnection, OnlySmallMessagesBeforePublishOrPlay) {
  Connected c;  // connected, nothing authorised yet
  const Bytes big_header{0x06, 0, 0, 0, 0x01, 0x00, 0x01, 9, 1, 0, 0, 0};  // 65537 bytes
  EXPECT_FALSE(c.conn.feed(big_header));
  EXPECT_EQ(c.conn.error(), "message length 65537 exceeds limit 65536 before publish/play");
  EXPECT_EQ(c.conn.state(), ServerConnection::State::Failed);

  Connected at_bound;  // exactly the bound is still accepted
  EXPECT_TRUE(at_bound.client.send(6, MessageType::Video, 1, Bytes(64u << 10, 0)));

  Connected playing;  // after an accepted play the full limit applies
  ASSERT_TRUE(
      playing.client.command(make("play", 2, Value::make_null(), {Value::make_string("s")}), 1));
  EXPECT_EQ(playing.conn.state(), ServerConnection::State::Playing);
  EXPECT_TRUE(playing.conn.feed(big_header)) << playing.conn.error();
}

TEST(ServerConnection, PreStartBoundNeverExceedsTheMessageLimit) {
  ConnectionLimits limits;
  limits.max_message_size = 1000;
  Connected c(limits);
  EXPECT_FALSE(c.conn.feed(Bytes{0x06, 0, 0, 0, 0, 0x03, 0xe9, 9, 1, 0, 0, 0}));  // 1001 bytes
  EXPECT_EQ(c.conn.error(), "message length 1001 exceeds limit 1000 before publish/play");
}

TEST(ServerConnection, TricklingPeerHoldsAtMostTwiceThePreStartBound) {
  // A peer opening many chunk streams with large messages and trickling their bodies is cut off
  // once its partial messages reach 2 x 64 KiB.
  Connected c;
  Bytes wire;
  for (uint8_t csid = 4; csid < 7; ++csid) {
    wire.insert(wire.end(), {csid, 0, 0, 0, 0x01, 0x00, 0x00, 9, 1, 0, 0, 0});  // 65536 bytes
    for (int chunk = 0; chunk < 507; ++chunk) {  // all but the last 640 bytes of each
      if (chunk > 0) wire.push_back(static_cast<uint8_t>(0xc0 | csid));
      wire.insert(wire.end(), 128, 0);
    }
  }
  EXPECT_FALSE(c.conn.feed(wire));
  EXPECT_EQ(c.conn.error(), "partial messages exceed 131072 bytes");
}

TEST(ServerConnection, AmfNestingBomb) {
  Connected c;
  Bytes bomb;
  amf0::encode_string("createStream", bomb);
  amf0::encode_number(2, bomb);
  for (int i = 0; i < 10000; ++i)
    bomb.insert(bomb.end(), {0x03, 0x00, 0x01, 'a'});
  EXPECT_FALSE(c.client.send(3, MessageType::CommandAmf0, 0, bomb));
  EXPECT_EQ(c.conn.error(), "malformed command: AMF0 nesting deeper than 16");
}

TEST(ServerConnection, TruncatedCommand) {
  Connected c;
  Bytes cmd = make("createStream", 2, Value::make_null()).encode();
  cmd.erase(cmd.end() - 3, cmd.end());  // cut into the transaction id
  EXPECT_FALSE(c.client.send(3, MessageType::CommandAmf0, 0, cmd));
  EXPECT_EQ(c.conn.error(), "malformed command: AMF0 value truncated");
}

TEST(ServerConnection, HandshakeAndOrderingErrors) {
  Recorder rec;
  {
    ServerConnection conn(rec);
    EXPECT_FALSE(conn.feed(Bytes{6}));
    EXPECT_NE(conn.error().find("unsupported RTMP version 6"), std::string::npos);
  }
  {
    ServerConnection conn(rec, {}, test_random);
    Client client(conn);
    ASSERT_TRUE(client.handshake());
    EXPECT_FALSE(client.command(make("publish", 2, Value::make_null(), {Value::make_string("s")})));
    EXPECT_EQ(conn.error(), "command publish before connect");
    EXPECT_TRUE(rec.publishes.empty());
  }
}

TEST(ServerConnection, HandshakePipelinedWithConnect) {
  Recorder rec;
  ServerConnection conn(rec, {}, test_random);
  Bytes all(1 + 2 * Handshake::PacketSize, 0);
  all[0] = 3;
  ChunkWriter w;
  const Bytes cmd = connect_command().encode();
  w.write(all, 3, MessageType::CommandAmf0, 0, 0, cmd);
  ASSERT_TRUE(conn.feed(all)) << conn.error();
  EXPECT_EQ(conn.state(), ServerConnection::State::Connected);
  EXPECT_EQ(conn.bytes_received(), all.size());
}

}  // namespace
}  // namespace rtmp
