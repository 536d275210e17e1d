#include "rtmp/message_channel.hpp"

#include <gtest/gtest.h>

#include "rtmp/command.hpp"

namespace rtmp {
namespace {

using Bytes = std::vector<uint8_t>;

struct Recorder : MessageChannel::Listener {
  bool media_wanted = true;
  bool stop_on_command = false;
  std::vector<std::pair<Message, Bytes>> media;
  std::vector<std::string> commands;
  std::vector<UserControl> events;
  std::vector<uint32_t> bandwidths;

  bool wants_media() const override { return media_wanted; }
  void on_media(const Message& m) override {
    media.emplace_back(m, Bytes(m.payload.begin(), m.payload.end()));
  }
  bool on_command(const Command& c, const Message&) override {
    commands.push_back(c.name);
    return !stop_on_command;
  }
  void on_user_control(const UserControl& event) override { events.push_back(event); }
  void on_peer_bandwidth(uint32_t window) override { bandwidths.push_back(window); }
};

// The messages the channel wrote, read back as the peer would.
struct Collector : ChunkReader::Listener {
  std::vector<std::pair<Message, Bytes>> got;
  bool on_message(const Message& m) override {
    got.emplace_back(m, Bytes(m.payload.begin(), m.payload.end()));
    return true;
  }
};

struct Peer {
  ChunkWriter writer;
  Bytes send(MessageType type, std::span<const uint8_t> payload, uint32_t timestamp = 0) {
    Bytes out;
    writer.write(out, 3, type, timestamp, 1, payload);
    return out;
  }
};

std::vector<std::pair<Message, Bytes>> sent(MessageChannel& channel) {
  Collector c;
  ChunkReader reader;
  EXPECT_TRUE(reader.feed(channel.take_output(), c));
  return std::move(c.got);
}

Bytes command_bytes(std::string_view name) {
  Command c;
  c.name = std::string(name);
  c.transaction_id = 4;
  c.object = amf0::Value::make_null();
  return c.encode();
}

TEST(MessageChannel, AcknowledgesAtConfiguredThenPeerWindow) {
  Recorder rec;
  MessageChannel::Config config;
  config.ack_window = 20;
  MessageChannel channel(rec, config);
  Peer peer;
  const Bytes audio(10, 0xaf);
  auto bytes = peer.send(MessageType::Audio, audio);  // 12 + 10 bytes
  channel.count_received(bytes.size());
  ASSERT_TRUE(channel.feed(bytes));
  auto out = sent(channel);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first.type, MessageType::Acknowledgement);
  EXPECT_EQ(out[0].second, (Bytes{0, 0, 0, 22}));
  EXPECT_EQ(channel.acknowledgements_sent(), 1u);

  const auto window = encode_u32_control(1000);
  bytes = peer.send(MessageType::WindowAckSize, window);
  channel.count_received(bytes.size());
  ASSERT_TRUE(channel.feed(bytes));
  EXPECT_FALSE(channel.has_output());  // 22 + 12 bytes is far from the new window
  EXPECT_EQ(channel.bytes_received(), 34u);
}

TEST(MessageChannel, NoAcknowledgementBeforeAWindow) {
  Recorder rec;
  MessageChannel channel(rec, {});
  Peer peer;
  const Bytes audio(100, 0xaf);
  const auto bytes = peer.send(MessageType::Audio, audio);
  channel.count_received(bytes.size());
  ASSERT_TRUE(channel.feed(bytes));
  EXPECT_FALSE(channel.has_output());
}

TEST(MessageChannel, AnswersPingAndForwardsOtherEvents) {
  Recorder rec;
  MessageChannel channel(rec, {});
  Peer peer;
  ASSERT_TRUE(channel.feed(
      peer.send(MessageType::UserControl, UserControl::encode(UserControlEvent::PingRequest, 77))));
  ASSERT_TRUE(channel.feed(
      peer.send(MessageType::UserControl, UserControl::encode(UserControlEvent::StreamEof, 1))));
  EXPECT_EQ(channel.pings_answered(), 1u);
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0].event, UserControlEvent::StreamEof);
  const auto out = sent(channel);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first.type, MessageType::UserControl);
  EXPECT_EQ(out[0].first.chunk_stream_id, MessageChannel::ControlCsid);
  EXPECT_EQ(out[0].second, (Bytes{0, 7, 0, 0, 0, 77}));
}

TEST(MessageChannel, ReportsNonZeroPeerBandwidth) {
  Recorder rec;
  MessageChannel channel(rec, {});
  Peer peer;
  ASSERT_TRUE(channel.feed(
      peer.send(MessageType::SetPeerBandwidth, encode_peer_bandwidth(0, BandwidthLimit::Dynamic))));
  ASSERT_TRUE(channel.feed(peer.send(MessageType::SetPeerBandwidth,
                                     encode_peer_bandwidth(5000, BandwidthLimit::Dynamic))));
  EXPECT_EQ(rec.bandwidths, (std::vector<uint32_t>{5000}));
}

TEST(MessageChannel, ParsesCommandsOfBothTypes) {
  Recorder rec;
  MessageChannel channel(rec, {});
  Peer peer;
  ASSERT_TRUE(channel.feed(peer.send(MessageType::CommandAmf0, command_bytes("connect"))));
  Bytes amf3 = {0};
  const auto body = command_bytes("play");
  amf3.insert(amf3.end(), body.begin(), body.end());
  ASSERT_TRUE(channel.feed(peer.send(MessageType::CommandAmf3, amf3)));
  EXPECT_EQ(rec.commands, (std::vector<std::string>{"connect", "play"}));
}

TEST(MessageChannel, MalformedCommandFailsWithConfiguredPrefix) {
  Recorder rec;
  MessageChannel::Config config;
  config.malformed_command = "malformed command from server";
  MessageChannel channel(rec, config);
  Peer peer;
  EXPECT_FALSE(channel.feed(peer.send(MessageType::CommandAmf0, Bytes{0x02, 0, 9})));
  EXPECT_EQ(channel.error().rfind("malformed command from server: ", 0), 0u) << channel.error();
}

TEST(MessageChannel, ListenerStopKeepsItsReason) {
  Recorder rec;
  rec.stop_on_command = true;
  MessageChannel channel(rec, {});
  Peer peer;
  channel.fail("publish refused: no");
  EXPECT_FALSE(channel.feed(peer.send(MessageType::CommandAmf0, command_bytes("publish"))));
  EXPECT_EQ(channel.error(), "publish refused: no");
}

TEST(MessageChannel, MediaOnlyWhenWanted) {
  Recorder rec;
  rec.media_wanted = false;
  MessageChannel channel(rec, {});
  Peer peer;
  Bytes meta;
  amf0::encode_string("onMetaData", meta);
  ASSERT_TRUE(channel.feed(peer.send(MessageType::Video, Bytes{0x17, 0})));
  ASSERT_TRUE(channel.feed(peer.send(MessageType::DataAmf0, meta)));
  EXPECT_TRUE(rec.media.empty());
  rec.media_wanted = true;
  Bytes amf3_meta = {0};
  amf3_meta.insert(amf3_meta.end(), meta.begin(), meta.end());
  Bytes other;
  amf0::encode_string("onCuePoint", other);
  ASSERT_TRUE(channel.feed(peer.send(MessageType::DataAmf3, amf3_meta)));
  ASSERT_TRUE(channel.feed(peer.send(MessageType::DataAmf0, other)));
  ASSERT_EQ(rec.media.size(), 1u);
  EXPECT_EQ(rec.media[0].first.type, MessageType::DataAmf0);
  EXPECT_EQ(rec.media[0].second, meta);
}

Bytes aggregate_of(std::initializer_list<std::pair<uint8_t, uint32_t>> tags) {
  Bytes agg;
  for (const auto& [type, ts] : tags) {
    agg.insert(agg.end(), {type, 0, 0, 1, uint8_t(ts >> 16), uint8_t(ts >> 8), uint8_t(ts),
                           uint8_t(ts >> 24), 0, 0, 0, type, 0, 0, 0, 12});
  }
  return agg;
}

TEST(MessageChannel, SplitsAggregatesAndStopsWhenMediaIsNoLongerWanted) {
  struct StopAfterFirst : Recorder {
    void on_media(const Message& m) override {
      Recorder::on_media(m);
      media_wanted = false;
    }
  };
  Recorder rec;
  MessageChannel channel(rec, {});
  Peer peer;
  ASSERT_TRUE(
      channel.feed(peer.send(MessageType::Aggregate, aggregate_of({{9, 5000}, {8, 5020}}), 100)));
  ASSERT_EQ(rec.media.size(), 2u);
  EXPECT_EQ(rec.media[1].first.type, MessageType::Audio);
  EXPECT_EQ(rec.media[1].first.timestamp, 120u);

  StopAfterFirst stopper;
  MessageChannel stopping(stopper, {});
  Peer peer2;
  ASSERT_TRUE(stopping.feed(peer2.send(MessageType::Aggregate, aggregate_of({{9, 0}, {9, 40}}))));
  EXPECT_EQ(stopper.media.size(), 1u);

  auto truncated = aggregate_of({{9, 0}});
  truncated.pop_back();
  EXPECT_FALSE(channel.feed(peer.send(MessageType::Aggregate, truncated)));
  EXPECT_EQ(channel.error(), "truncated aggregate message");
}

TEST(MessageChannel, SetChunkSizeGoesOutBeforeItApplies) {
  Recorder rec;
  MessageChannel channel(rec, {});
  channel.send_chunk_size(4096);
  const Bytes big(1000, 0x11);
  channel.write(6, MessageType::Video, 0, 1, big);
  Collector c;
  ChunkReader reader;
  const auto out = channel.take_output();
  EXPECT_EQ(out.size(), 12u + 4 + 12 + 1000);  // one chunk each: the new size applied
  ASSERT_TRUE(reader.feed(out, c));
  EXPECT_EQ(reader.chunk_size(), 4096u);  // applied by the reader, not delivered
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].second, big);
}

}  // namespace
}  // namespace rtmp
