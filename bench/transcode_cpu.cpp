// CPU cost of one media::VideoTranscoder rendition: every video frame of an FLV file goes through
// the transcoder as fast as it can take them (offline, as `ffmpeg -i file ... -f null -` does),
// then flush. bench/transcode_cpu.py runs this side by side with the ffmpeg command line doing
// the same transcode; figures and the command are in bench/RESULTS.md.
//
// Usage: transcode_cpu --input clip.flv [--width 1280] [--height 720] [--bitrate 2500000]
//          [--gop-seconds 1] [--preset veryfast] [--profile baseline|main] [--threads 1]
//          [--output out.h264]
// Prints one JSON line; --output also writes what we produced as Annex-B (after the timing). CPU
// (getrusage of the whole process: user + system, every thread) and wall time cover the transcode
// loop only; reading and demuxing the file come before it. Exit status: 0 done, 1 the file or the
// transcode failed, 2 bad arguments.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/video_transcoder.hpp"
#include "rtmp/flv_demuxer.hpp"

namespace {

struct Options {
  std::string input;
  std::string output;  // Annex-B dump of what we produced, written after the timed loop
  media::VideoTranscoderConfig config;
};

double cpu_seconds() noexcept {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Returns false (after a message on stderr) for an unknown option or a missing value.
bool parse_options(int argc, char** argv, Options& o) {
  o.config.max_width = 1280;
  o.config.max_height = 720;
  o.config.bitrate = 2'500'000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "transcode_cpu: %s needs a value\n", argv[i]);
      return false;
    }
    const std::string value = argv[++i];
    try {
      if (name == "--input") {
        o.input = value;
      } else if (name == "--output") {
        o.output = value;
      } else if (name == "--width") {
        o.config.max_width = static_cast<uint32_t>(std::stoul(value));
      } else if (name == "--height") {
        o.config.max_height = static_cast<uint32_t>(std::stoul(value));
      } else if (name == "--bitrate") {
        o.config.bitrate = std::stoi(value);
      } else if (name == "--gop-seconds") {
        o.config.gop_seconds = std::stod(value);
      } else if (name == "--preset") {
        o.config.preset = value;
      } else if (name == "--profile" && (value == "baseline" || value == "main")) {
        o.config.profile = value == "main" ? media::H264OutputProfile::Main
                                           : media::H264OutputProfile::ConstrainedBaseline;
      } else if (name == "--threads") {
        o.config.threads = std::stoi(value);
      } else {
        std::fprintf(stderr, "transcode_cpu: unknown option or value: %s %s\n", argv[i - 1],
                     value.c_str());
        return false;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "transcode_cpu: not a number: %s %s\n", argv[i - 1], value.c_str());
      return false;
    }
  }
  if (o.input.empty()) std::fprintf(stderr, "transcode_cpu: --input is required\n");
  return !o.input.empty();
}

uint32_t be(const std::vector<uint8_t>& b, size_t pos, size_t n) noexcept {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | b[pos + i];
  return v;
}

// The video frames of an FLV file (FLV spec v10.1 E.2 header, E.3 tags), made by the demuxer
// that RTMP ingest uses, so the transcoder sees exactly what a publish would give it.
std::optional<std::vector<media::FramePtr>> read_flv_video(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<uint8_t> b(in ? static_cast<size_t>(in.tellg()) : 0);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!in) return std::nullopt;
  if (b.size() < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') return std::nullopt;
  rtmp::FlvDemuxer demuxer;
  std::vector<media::FramePtr> frames;
  size_t pos = be(b, 5, 4) + 4;  // header, then PreviousTagSize0
  while (pos + 11 <= b.size()) {
    const uint8_t type = b[pos] & 0x1f;
    const size_t size = be(b, pos + 1, 3);
    const uint32_t timestamp = be(b, pos + 4, 3) | (uint32_t{b[pos + 7]} << 24);
    const size_t body = pos + 11;
    if (size > b.size() - body) break;  // a truncated last tag, as a cut recording has
    if (type == static_cast<uint8_t>(rtmp::MessageType::Video)) {
      const rtmp::DemuxResult r = demuxer.on_message(rtmp::MessageType::Video, timestamp,
                                                     {b.data() + body, size}, /*arrival_ns=*/0);
      if (!r.error.empty()) {
        std::fprintf(stderr, "transcode_cpu: %s: %s\n", path.c_str(), r.error.c_str());
        return std::nullopt;
      }
      if (r.frame && r.frame->kind == media::TrackKind::Video) frames.push_back(r.frame);
    }
    pos = body + size + 4;
  }
  return frames;
}

struct Measured {
  double cpu_seconds = 0;
  double wall_seconds = 0;
  uint64_t output_bytes = 0;
  std::vector<media::FramePtr> kept;  // only with --output
};

// Pushes every frame, then flushes; only this is timed.
Measured transcode(media::VideoTranscoder& t, const std::vector<media::FramePtr>& frames,
                   bool keep) {
  Measured m;
  if (keep) m.kept.reserve(frames.size() + 16);
  const auto count = [&m, keep](std::span<const media::FramePtr> out) {
    for (const media::FramePtr& f : out)
      m.output_bytes += f->data.size();
    if (keep) m.kept.insert(m.kept.end(), out.begin(), out.end());
  };
  const double cpu_start = cpu_seconds();
  const auto wall_start = std::chrono::steady_clock::now();
  for (const media::FramePtr& f : frames)
    count(t.push(*f));
  count(t.flush());
  m.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  m.cpu_seconds = cpu_seconds() - cpu_start;
  return m;
}

// Annex-B (ITU-T H.264 B.1) with SPS and PPS before each keyframe, as `ffmpeg -f h264` writes,
// so that bench/transcode_cpu.py can compare our slices with the ffmpeg command line's.
bool write_annexb(const std::string& path, const std::vector<media::FramePtr>& frames) {
  std::ofstream out(path, std::ios::binary);
  static constexpr char StartCode[4] = {0, 0, 0, 1};
  const auto put = [&out](std::span<const uint8_t> nal) {
    out.write(StartCode, sizeof StartCode);
    out.write(reinterpret_cast<const char*>(nal.data()), static_cast<std::streamsize>(nal.size()));
  };
  for (const media::FramePtr& f : frames) {
    if (f->keyframe && f->video) {
      for (const auto& sps : f->video->sps)
        put(sps);
      for (const auto& pps : f->video->pps)
        put(pps);
    }
    const std::span<const uint8_t> au = f->data;  // AVCC, 4-byte lengths, checked by us
    for (size_t pos = 0; pos + 4 <= au.size();) {
      const size_t len = be(f->data, pos, 4);
      if (len > au.size() - pos - 4) return false;
      put(au.subspan(pos + 4, len));
      pos += 4 + len;
    }
  }
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) return 2;
  const auto frames = read_flv_video(o.input);
  if (!frames || frames->empty()) {
    std::fprintf(stderr, "transcode_cpu: no H.264 video read from %s\n", o.input.c_str());
    return 1;
  }
  try {
    media::VideoTranscoder t(o.config);
    const Measured m = transcode(t, *frames, !o.output.empty());
    if (!o.output.empty() && !write_annexb(o.output, m.kept)) {
      std::fprintf(stderr, "transcode_cpu: cannot write %s\n", o.output.c_str());
      return 1;
    }
    const media::VideoTranscoderStatus& s = t.status();
    std::printf(
        "{\"frames_in\": %llu, \"frames_out\": %llu, \"keyframes_out\": %llu, "
        "\"output_bytes\": %llu, \"output_width\": %u, \"output_height\": %u, \"fps\": %.3f, "
        "\"cpu_seconds\": %.4f, \"wall_seconds\": %.4f, \"decode_errors\": %llu, "
        "\"encode_errors\": %llu, \"skipped\": %llu}\n",
        static_cast<unsigned long long>(s.frames_in), static_cast<unsigned long long>(s.frames_out),
        static_cast<unsigned long long>(s.keyframes_out),
        static_cast<unsigned long long>(m.output_bytes), s.output_width, s.output_height, s.fps,
        m.cpu_seconds, m.wall_seconds, static_cast<unsigned long long>(s.decode_errors),
        static_cast<unsigned long long>(s.encode_errors),
        static_cast<unsigned long long>(s.skipped));
    return s.frames_out > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "transcode_cpu: %s\n", e.what());
    return 2;  // the config was refused (or the libraries lack a codec)
  }
}
