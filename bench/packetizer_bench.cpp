// Once-per-stream cost: VideoTrackPacketizer cutting one 720p frame into shared RTP packets.
// ns_per_packet is CPU time per RTP packet produced; allocs_per_frame counts every malloc.
#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "egress_fixture.hpp"
#include "webrtc/video_track_packetizer.hpp"

namespace {

void BM_PacketizeFrame(benchmark::State& state, bool idr) {
  const size_t bytes = idr ? bench::IdrBytes : bench::PFrameBytes;
  webrtc::VideoTrackPacketizer packetizer(0x5eed, 0, 0);
  // The first frame must be a keyframe; a P-frame run then follows it.
  media::Frame frame = *bench::h264_access_unit(true, 0, bytes);
  if (!packetizer.packetize(frame)) {
    state.SkipWithError("packetizer refused the frame");
    return;
  }
  frame.keyframe = idr;
  frame.data[4] = idr ? 0x65 : 0x41;
  size_t packets = 0;
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    frame.dts_ms += 33;
    auto out = packetizer.packetize(frame);
    packets += out ? out->count() : 0;
    benchmark::DoNotOptimize(out);
  }
  const auto frames = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["packets_per_frame"] = static_cast<double>(packets) / frames;
  state.counters["ns_per_packet"] =
      benchmark::Counter(static_cast<double>(packets) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (bench::allocations_counted()) {
    state.counters["allocs_per_frame"] =
        static_cast<double>(bench::allocations() - allocs_before) / frames;
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_PacketizeFrame, IDR_60KB, true);
BENCHMARK_CAPTURE(BM_PacketizeFrame, P_8KB, false);
