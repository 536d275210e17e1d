// The transport-wide sequence number stage on its own (the bytes of the extension block, the
// 16-bit wire number against the listener's unwrapped one), then inside a TrackSender: every
// kind of packet it sends carries the extension, a parse finds it, and the payload is the
// stored packet's.
#include "webrtc/transport_sequencer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <vector>

#include "webrtc/nack_responder.hpp"
#include "webrtc/packet_history.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/track_sender.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using webrtc::TransportSequencer;
using TimePoint = std::chrono::steady_clock::time_point;

const auto T0 = TimePoint{} + 1h;

using webrtc::test::RecordingListener;

using Block = std::array<uint8_t, TransportSequencer::ExtensionBytes>;

Block write(TransportSequencer& sequencer) {
  Block b{};
  sequencer.write_extension(b);
  return b;
}

TEST(TransportSequencer, WritesAOneByteExtensionBlockWithTheSequenceNumber) {
  RecordingListener listener;
  TransportSequencer sequencer(5, listener);
  EXPECT_EQ(sequencer.next_sequence(), 0);
  EXPECT_EQ(write(sequencer), (Block{0xBE, 0xDE, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}));
  EXPECT_EQ(write(sequencer), (Block{0xBE, 0xDE, 0x00, 0x01, 0x51, 0x00, 0x01, 0x00}));
  EXPECT_EQ(sequencer.next_sequence(), 2);
  // The id is the offer's: the high nibble of the element header, 1..14.
  TransportSequencer high(14, listener);
  EXPECT_EQ(write(high)[4], 0xE1);
}

TEST(TransportSequencer, WrapsOnTheWireButNotForTheListener) {
  RecordingListener listener;
  TransportSequencer sequencer(3, listener);
  for (int i = 0; i < 65535; ++i) {
    write(sequencer);
    sequencer.sent(100);
  }
  const Block last = write(sequencer);  // 65535
  sequencer.sent(100);
  const Block wrapped = write(sequencer);  // 65536: 0 on the wire
  sequencer.sent(100);
  const Block after = write(sequencer);  // 65537: 1
  sequencer.sent(100);
  EXPECT_EQ(last[5], 0xFF);
  EXPECT_EQ(last[6], 0xFF);
  EXPECT_EQ(wrapped[5], 0x00);
  EXPECT_EQ(wrapped[6], 0x00);
  EXPECT_EQ(after[6], 0x01);
  ASSERT_EQ(listener.sent.size(), 65538u);
  EXPECT_EQ(listener.sent[65535].sequence, 65535);
  EXPECT_EQ(listener.sent[65536].sequence, 65536);
  EXPECT_EQ(listener.sent[65537].sequence, 65537);
  EXPECT_EQ(sequencer.next_sequence(), 65538);
}

TEST(TransportSequencer, ReportsBytesProbeClusterAndTheSessionTime) {
  RecordingListener listener;
  TransportSequencer sequencer(1, listener);
  sequencer.set_now(T0);
  write(sequencer);
  sequencer.sent(1232);
  sequencer.set_now(T0 + 5ms);
  sequencer.set_probe_cluster(7);
  write(sequencer);
  sequencer.sent(1242);
  sequencer.set_probe_cluster(-1);
  write(sequencer);
  sequencer.sent(80);
  ASSERT_EQ(listener.sent.size(), 3u);
  EXPECT_EQ(listener.sent[0].sequence, 0);
  EXPECT_EQ(listener.sent[0].bytes, 1232u);
  EXPECT_EQ(listener.sent[0].cluster, -1);
  EXPECT_EQ(listener.sent[0].now, T0);
  EXPECT_EQ(listener.sent[1].sequence, 1);
  EXPECT_EQ(listener.sent[1].bytes, 1242u);
  EXPECT_EQ(listener.sent[1].cluster, 7);
  EXPECT_EQ(listener.sent[1].now, T0 + 5ms);
  EXPECT_EQ(listener.sent[2].cluster, -1);
}

TEST(TransportSequencer, BlockParsesAsAnRtpHeaderExtension) {
  RecordingListener listener;
  TransportSequencer sequencer(9, listener);
  for (int i = 0; i < 0x1234; ++i)
    write(sequencer);
  std::vector<uint8_t> packet = {0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};  // X set
  const Block block = write(sequencer);
  packet.insert(packet.end(), block.begin(), block.end());
  packet.insert(packet.end(), {0xAA, 0xBB});
  const auto view = webrtc::rtp::RtpPacketView::parse(packet);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->extension_profile(), webrtc::rtp::OneByteExtensionProfile);
  const auto value = view->find_extension(9);
  ASSERT_TRUE(value);
  ASSERT_EQ(value->size(), 2u);
  EXPECT_EQ(((*value)[0] << 8) | (*value)[1], 0x1234);
  EXPECT_FALSE(view->find_extension(8));
  ASSERT_EQ(view->payload().size(), 2u);
  EXPECT_EQ(view->payload()[0], 0xAA);
}

// --- In a TrackSender -----------------------------------------------------------------------

struct Wire {
  std::vector<uint8_t> bytes;
};

class WireSink : public webrtc::RtpSink {
 public:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override {
    packets.push_back({{buffer.begin(), buffer.begin() + static_cast<long>(length)}});
  }
  std::vector<Wire> packets;
};

constexpr uint8_t kExtensionId = 4;
constexpr uint8_t kPt = 102;
constexpr uint8_t kRtxPt = 103;

struct StampedSender {
  explicit StampedSender(bool rtx) {
    webrtc::TrackSenderConfig config;
    config.payload_type = kPt;
    config.ssrc = 0xBBBB;
    config.initial_seq = 65500;  // wraps during the test
    config.initial_rtx_seq = 65530;
    if (rtx) {
      config.rtx_payload_type = kRtxPt;
      config.rtx_ssrc = 0xCCCC;
    }
    sender.emplace(config, sink, &sequencer);
  }
  webrtc::PacketizedFramePtr add(bool key, int64_t ms) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, 5000));
    history.append(f);
    return f;
  }

  webrtc::VideoTrackPacketizer packetizer{0xAAAA, 65000, 90000};
  webrtc::PacketHistory history;
  WireSink sink;
  RecordingListener listener;
  TransportSequencer sequencer{kExtensionId, listener};
  std::optional<webrtc::TrackSender> sender;
};

// Checks every packet the sink saw: the X bit, the extension with our id and the next
// transport-wide number, the listener told of it with its length, and the payload equal to
// `expected[i]` (the stored packet's payload, with the OSN in front for RTX).
void expect_stamped(const StampedSender& s, const std::vector<std::vector<uint8_t>>& expected) {
  ASSERT_EQ(s.sink.packets.size(), expected.size());
  ASSERT_EQ(s.listener.sent.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& bytes = s.sink.packets[i].bytes;
    EXPECT_EQ(bytes[0] & 0x10, 0x10);
    const auto view = webrtc::rtp::RtpPacketView::parse(bytes);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->header_size(), 12u + TransportSequencer::ExtensionBytes);
    const auto value = view->find_extension(kExtensionId);
    ASSERT_TRUE(value);
    ASSERT_EQ(value->size(), 2u);
    EXPECT_EQ(((*value)[0] << 8) | (*value)[1], static_cast<uint16_t>(i));
    EXPECT_EQ(s.listener.sent[i].sequence, static_cast<int64_t>(i));
    EXPECT_EQ(s.listener.sent[i].bytes, bytes.size());
    EXPECT_TRUE(std::ranges::equal(view->payload(), expected[i]));
  }
}

std::vector<uint8_t> payload_of(const webrtc::PacketizedFrame& f, size_t i) {
  const auto p = f.packet(i).subspan(12);
  return {p.begin(), p.end()};
}

std::vector<uint8_t> rtx_payload(uint16_t osn, std::vector<uint8_t> payload) {
  payload.insert(payload.begin(), {static_cast<uint8_t>(osn >> 8), static_cast<uint8_t>(osn)});
  return payload;
}

uint16_t seq_of(const Wire& w) {
  return static_cast<uint16_t>((w.bytes[2] << 8) | w.bytes[3]);
}

TEST(TransportSequencerInTrackSender, EveryKindOfPacketCarriesTheExtension) {
  StampedSender s(true);
  std::vector<std::vector<uint8_t>> expected;
  // Replayed: the GOP so far.
  auto key = s.add(true, 0);
  auto delta = s.add(false, 33);
  s.sender->replay(s.history.since_keyframe());
  for (const auto* f : {key.get(), delta.get()})
    for (size_t i = 0; i < f->count(); ++i)
      expected.push_back(payload_of(*f, i));
  // Live.
  auto live = s.add(false, 66);
  s.sender->send_live(*live);
  for (size_t i = 0; i < live->count(); ++i)
    expected.push_back(payload_of(*live, i));
  // Paced (a keyframe request's replay), then live again.
  s.sender->send_paced(*key, 0, 2, 100'000'000);
  s.sender->send_paced(*key, 2, key->count(), 101'000'000);
  s.sender->resume_live();
  for (size_t i = 0; i < key->count(); ++i)
    expected.push_back(payload_of(*key, i));
  // Retransmitted over RTX, its second copy, and a probe copy: the OSN, then the payload.
  const size_t live_first = s.sink.packets.size() - key->count() - live->count();
  const uint16_t nacked = seq_of(s.sink.packets[live_first + 1]);
  webrtc::NackResponder responder;
  ASSERT_TRUE(s.sender->retransmit(nacked, s.history, responder, T0, 20ms));
  ASSERT_TRUE(s.sender->resend_copy(nacked, s.history, responder, T0 + 20ms));
  ASSERT_TRUE(s.sender->send_probe(nacked, s.history));
  for (int i = 0; i < 3; ++i)
    expected.push_back(rtx_payload(nacked, payload_of(*live, 1)));
  expect_stamped(s, expected);
  for (size_t i = expected.size() - 3; i < expected.size(); ++i) {
    const auto view = webrtc::rtp::RtpPacketView::parse(s.sink.packets[i].bytes);
    EXPECT_EQ(view->payload_type(), kRtxPt);
    EXPECT_EQ(view->ssrc(), 0xCCCCu);
    EXPECT_EQ(view->sequence_number(), static_cast<uint16_t>(65530 + (i - (expected.size() - 3))));
  }
  EXPECT_EQ(s.sender->stats().probe_packets, 1u);
  EXPECT_EQ(s.sender->stats().retransmitted, 2u);
  EXPECT_EQ(s.sender->stats().second_copies, 1u);
}

TEST(TransportSequencerInTrackSender, RetransmissionWithoutRtxCarriesANewNumber) {
  StampedSender s(false);
  auto key = s.add(true, 0);
  s.sender->send_live(*key);
  const auto original = s.sink.packets[2];
  ASSERT_TRUE(s.sender->retransmit(seq_of(original), s.history));
  EXPECT_FALSE(s.sender->send_probe(seq_of(original), s.history));  // no RTX: no probes
  std::vector<std::vector<uint8_t>> expected;
  for (size_t i = 0; i < key->count(); ++i)
    expected.push_back(payload_of(*key, i));
  expected.push_back(payload_of(*key, 2));
  expect_stamped(s, expected);
  // Same RTP header as the original; only the transport-wide number differs.
  const auto& resent = s.sink.packets.back().bytes;
  EXPECT_TRUE(std::equal(resent.begin(), resent.begin() + 12, original.bytes.begin()));
  EXPECT_EQ(s.sender->stats().probe_packets, 0u);
}

TEST(TransportSequencerInTrackSender, RtxLayoutPutsTheOsnAfterTheExtension) {
  StampedSender s(true);
  auto key = s.add(true, 0);
  s.sender->send_live(*key);
  const uint16_t nacked = seq_of(s.sink.packets[0]);
  ASSERT_TRUE(s.sender->retransmit(nacked, s.history));
  const auto& rtx = s.sink.packets.back().bytes;
  const auto stored = key->packet(0);
  ASSERT_EQ(rtx.size(), stored.size() + TransportSequencer::ExtensionBytes + 2);
  // 12-byte header, 8-byte extension block (BE DE 00 01, id<<4|1, seq, 0), OSN, payload.
  EXPECT_EQ(rtx[12], 0xBE);
  EXPECT_EQ(rtx[13], 0xDE);
  EXPECT_EQ(rtx[16], kExtensionId << 4 | 1);
  EXPECT_EQ((rtx[17] << 8) | rtx[18], static_cast<int>(key->count()));  // after the originals
  EXPECT_EQ(rtx[19], 0);
  EXPECT_EQ((rtx[20] << 8) | rtx[21], nacked);
  EXPECT_TRUE(std::equal(stored.begin() + 12, stored.end(), rtx.begin() + 22));
}

}  // namespace
