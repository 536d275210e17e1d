// CPU cost of the once-per-stream AAC -> Opus transcoder, per second of audio.
// Run: build/bench/transcoder_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
// "cpu_per_stream" is the fraction of one core a live stream of that format costs.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "media/aac_config.hpp"
#include "media/aac_opus_transcoder.hpp"

namespace {

struct Input {
  std::shared_ptr<const media::AudioConfig> config;
  std::vector<std::vector<uint8_t>> units;  // raw AAC access units
  int sample_rate = 0;
};

// ADTS (ISO 14496-3 1.A.2) -> raw access units and an AudioSpecificConfig.
Input read_adts(const std::string& name) {
  std::ifstream f(std::string(AIRCLASS_TEST_DATA) + "/audio/" + name, std::ios::binary);
  const std::vector<uint8_t> d((std::istreambuf_iterator<char>(f)), {});
  Input in;
  static const int kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                               22050, 16000, 12000, 11025, 8000,  7350};
  for (size_t i = 0; i + 7 <= d.size();) {
    const size_t len = ((d[i + 3] & 3) << 11) | (d[i + 4] << 3) | (d[i + 5] >> 5);
    const size_t header = (d[i + 1] & 1) ? 7 : 9;
    if (len < header || i + len > d.size()) break;
    if (!in.config) {
      const int object = ((d[i + 2] >> 6) & 3) + 1;
      const int rate_index = (d[i + 2] >> 2) & 0xF;
      const int channels = ((d[i + 2] & 1) << 2) | (d[i + 3] >> 6);
      const std::vector<uint8_t> asc = {
          static_cast<uint8_t>((object << 3) | (rate_index >> 1)),
          static_cast<uint8_t>(((rate_index & 1) << 7) | (channels << 3))};
      if (auto c = media::AacConfig::parse(asc)) {
        in.config = std::make_shared<media::AudioConfig>(c->to_audio_config(asc));
      }
      in.sample_rate = kRates[rate_index];
    }
    in.units.emplace_back(d.begin() + i + header, d.begin() + i + len);
    i += len;
  }
  return in;
}

void transcode(benchmark::State& state, const std::string& file) {
  const Input in = read_adts(file);
  if (!in.config || in.units.empty()) {
    state.SkipWithError("fixture missing or unreadable");
    return;
  }
  media::AacOpusTranscoder t;
  media::Frame frame;
  frame.kind = media::TrackKind::Audio;
  frame.codec = media::Codec::AAC;
  frame.keyframe = true;
  frame.audio = in.config;
  int64_t pts_ms_x1000 = 0;  // keep the timeline continuous across iterations
  const int64_t unit_us = 1024 * 1'000'000LL / in.sample_rate;
  size_t packets = 0;
  for (auto _ : state) {
    for (const auto& unit : in.units) {
      frame.data = unit;
      frame.dts_ms = pts_ms_x1000 / 1000;
      pts_ms_x1000 += unit_us;
      packets += t.push(frame).size();
    }
  }
  const double audio_seconds =
      static_cast<double>(state.iterations() * in.units.size() * 1024) / in.sample_rate;
  state.counters["audio_s"] = audio_seconds;
  state.counters["cpu_per_stream"] =
      benchmark::Counter(audio_seconds, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["opus_packets"] = static_cast<double>(packets);
}

}  // namespace

BENCHMARK_CAPTURE(transcode, aac_lc_32k_stereo, std::string("sine1k_32k_stereo.aac"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(transcode, aac_lc_44k_stereo, std::string("sine1k_44k_stereo.aac"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(transcode, aac_lc_48k_mono, std::string("sine1k_48k_mono.aac"))
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
