#include "whep_client/media_receiver.hpp"

#include <gtest/gtest.h>
#include <opus.h>

#include <array>
#include <cmath>
#include <numbers>
#include <random>

#include "whep_client/whep_test_support.hpp"

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using Time = MediaReceiver::TimePoint;
const Time T0 = Time{} + 1h;

AnswerInfo answer() {
  AnswerInfo a;
  a.video_pts = {96};
  a.rtx = {{97, 96}};
  a.audio_pt = 111;
  return a;
}

void feed(MediaReceiver& r, const std::vector<uint8_t>& bytes, Time now = T0) {
  auto p = webrtc::rtp::RtpPacketView::parse(bytes);
  ASSERT_TRUE(p);
  r.on_rtp(*p, now);
}

std::vector<std::vector<uint8_t>> fixture_packets(uint16_t seq = 1000) {
  const auto h264 = test::load_file("rtp/720p.h264");
  EXPECT_FALSE(h264.empty());
  return test::packetize(test::access_units(h264), 96, test::VideoSsrc, seq);
}

TEST(MediaReceiver, RebuildsEveryFrameOfARealStream) {
  MediaReceiver r(answer(), false);
  const auto packets = fixture_packets();
  uint64_t payload = 0;
  for (const auto& p : packets) {
    feed(r, p);
    payload += p.size() - webrtc::rtp::FixedHeaderSize;
  }
  const VideoCounters v = r.video();
  EXPECT_EQ(v.packets, packets.size());
  EXPECT_EQ(v.bytes, payload);
  EXPECT_EQ(v.frames, 30u);
  EXPECT_EQ(v.keyframes, 2u);
  EXPECT_EQ(v.width, 1280u);
  EXPECT_EQ(v.height, 720u);
  EXPECT_EQ(r.first_keyframe_at(), T0);
  EXPECT_EQ(r.first_frame_at(), T0);
}

TEST(MediaReceiver, LossBreaksAFrameAndRtxRepairsTheCount) {
  MediaReceiver r(answer(), true);
  const auto packets = fixture_packets(2000);
  ASSERT_GT(packets.size(), 20u);
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i != 10) feed(r, packets[i]);
  }
  EXPECT_EQ(r.video().lost, 1u);
  EXPECT_EQ(r.video().incomplete_frames, 1u);
  EXPECT_EQ(r.video().frames, 29u);
  std::vector<uint16_t> nacked;
  r.due_nacks(T0, [&](uint32_t ssrc, std::span<const uint16_t> lost) {
    EXPECT_EQ(ssrc, test::VideoSsrc);
    nacked.assign(lost.begin(), lost.end());
  });
  EXPECT_EQ(nacked, (std::vector<uint16_t>{2010}));
  // RFC 4588 4: RTX payload = original sequence number + original payload.
  const auto original = webrtc::rtp::RtpPacketView::parse(packets[10]);
  std::vector<uint8_t> rtx_payload = {0x07, 0xDA};  // 2010
  rtx_payload.insert(rtx_payload.end(), original->payload().begin(), original->payload().end());
  feed(r, test::rtp_packet(97, 2222, 1, original->timestamp(), rtx_payload));
  EXPECT_EQ(r.video().rtx_packets, 1u);
  EXPECT_EQ(r.video().lost, 0u);
  EXPECT_EQ(r.nack_recovered(), 1u);
}

TEST(MediaReceiver, AudioUnknownPayloadTypesAndReportBlocks) {
  MediaReceiver r(answer(), false);
  const std::vector<uint8_t> opus(50, 7);
  feed(r, test::rtp_packet(111, test::AudioSsrc, 1, 0, opus));
  feed(r, test::rtp_packet(111, test::AudioSsrc, 3, 1920, opus));
  feed(r, test::rtp_packet(100, 9, 1, 0, opus));
  EXPECT_EQ(r.audio().packets, 2u);
  EXPECT_EQ(r.audio().bytes, 100u);
  EXPECT_EQ(r.audio().lost, 1u);
  EXPECT_EQ(r.unknown_packets(), 1u);
  std::array<webrtc::rtcp::ReportBlock, 8> blocks{};
  ASSERT_EQ(r.report_blocks(T0, blocks), 1u);
  EXPECT_EQ(blocks[0].ssrc, test::AudioSsrc);
  EXPECT_EQ(blocks[0].cumulative_lost, 1);
}

TEST(MediaReceiver, TracksAtMostMaxStreamsSsrcs) {
  MediaReceiver r(answer(), false);
  const std::vector<uint8_t> opus(10, 7);
  for (uint32_t ssrc = 1; ssrc <= 20; ++ssrc)
    feed(r, test::rtp_packet(111, ssrc, 1, 0, opus));
  EXPECT_EQ(r.audio().packets, 20u);
  EXPECT_EQ(r.untracked_packets(), 20u - MediaReceiver::MaxStreams);
}

TEST(MediaReceiver, GarbageH264PayloadsNeverCrash) {
  MediaReceiver r(answer(), true);
  std::mt19937 rng(99);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> payload(rng() % 300);
    for (auto& b : payload)
      b = static_cast<uint8_t>(rng());
    feed(r, test::rtp_packet(96, test::VideoSsrc, static_cast<uint16_t>(rng()), rng(), payload,
                             rng() % 2 == 0));
  }
  EXPECT_EQ(r.video().packets, 3000u);
  r.due_nacks(T0, [](uint32_t, std::span<const uint16_t> lost) {
    EXPECT_LE(lost.size(), MediaReceiver::MaxNacksPerBatch);
  });
}

// RFC 7587 RTP packets of a 1 kHz stereo sine (amplitude 0.25), one 20 ms Opus frame each,
// encoded with libopus directly.
std::vector<std::vector<uint8_t>> opus_sine_packets(int count, uint16_t seq, uint32_t ts) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  EXPECT_EQ(err, OPUS_OK);
  std::vector<std::vector<uint8_t>> out;
  std::array<float, 960 * 2> pcm{};
  std::array<uint8_t, 1500> buf{};
  for (int p = 0; p < count; ++p) {
    for (size_t i = 0; i < 960; ++i) {
      const double t = static_cast<double>(static_cast<size_t>(p) * 960 + i) / 48000.0;
      pcm[2 * i] = pcm[2 * i + 1] =
          static_cast<float>(0.25 * std::sin(2 * std::numbers::pi * 1000 * t));
    }
    const int n = opus_encode_float(enc, pcm.data(), 960, buf.data(), static_cast<int>(buf.size()));
    EXPECT_GT(n, 0);
    const std::span<const uint8_t> payload(buf.data(), static_cast<size_t>(std::max(n, 0)));
    out.push_back(test::rtp_packet(111, test::AudioSsrc, static_cast<uint16_t>(seq + p),
                                   ts + 960u * static_cast<uint32_t>(p), payload));
  }
  opus_encoder_destroy(enc);
  return out;
}

TEST(MediaReceiver, DecodesOpusAndFindsTheTone) {
  MediaReceiver r(answer(), false);
  EXPECT_EQ(r.audio().tone_hz, std::nullopt);
  EXPECT_EQ(r.audio().level_dbfs, std::nullopt);
  const auto packets = opus_sine_packets(100, 65500, 0xFFFFF000u);  // both counters wrap
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i != 30) feed(r, packets[i]);  // one lost: nothing is decoded in its place
  }
  const AudioCounters a = r.audio();
  EXPECT_EQ(a.packets, 99u);
  EXPECT_EQ(a.lost, 1u);
  EXPECT_EQ(a.decoded_ms, 1980u);
  EXPECT_EQ(a.decode_errors, 0u);
  ASSERT_TRUE(a.tone_hz);
  EXPECT_NEAR(*a.tone_hz, 1000, 20);
  ASSERT_TRUE(a.level_dbfs);
  EXPECT_NEAR(*a.level_dbfs, 20 * std::log10(0.25 / std::sqrt(2.0)), 1.5);  // -15.05
}

TEST(MediaReceiver, OnlyTheFirstAudioSsrcIsDecodedAndGarbageIsCounted) {
  MediaReceiver r(answer(), false);
  for (const auto& p : opus_sine_packets(10, 1, 0))
    feed(r, p);
  // Another SSRC on the audio payload type: counted, not decoded into the same decoder.
  feed(r, test::rtp_packet(111, 4444, 1, 0, std::vector<uint8_t>{0xF8, 0x01, 0x02}));
  // RFC 6716 3.2.5: code 3 without its frame count byte is malformed.
  feed(r, test::rtp_packet(111, test::AudioSsrc, 11, 9600, std::vector<uint8_t>{0xFB}));
  const AudioCounters a = r.audio();
  EXPECT_EQ(a.packets, 12u);
  EXPECT_EQ(a.decoded_ms, 200u);
  EXPECT_EQ(a.decode_errors, 1u);
}

TEST(MediaReceiver, SilentAudioHasALevelButNoTone) {
  MediaReceiver r(answer(), false);
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  const std::array<float, 960 * 2> silence{};
  std::array<uint8_t, 1500> buf{};
  for (uint16_t i = 0; i < 20; ++i) {
    const int n = opus_encode_float(enc, silence.data(), 960, buf.data(), 1500);
    ASSERT_GT(n, 0);
    feed(r, test::rtp_packet(111, test::AudioSsrc, i, 960u * i,
                             std::span<const uint8_t>(buf.data(), static_cast<size_t>(n))));
  }
  opus_encoder_destroy(enc);
  const AudioCounters a = r.audio();
  EXPECT_EQ(a.decoded_ms, 400u);
  EXPECT_EQ(a.tone_hz, std::nullopt);
  ASSERT_TRUE(a.level_dbfs);
  EXPECT_LT(*a.level_dbfs, -90);
}

}  // namespace
}  // namespace tools::whep_client
