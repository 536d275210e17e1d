#!/usr/bin/env python3
"""Benchmark (issue 17): CPU of one media::VideoTranscoder rendition against the ffmpeg command
line doing the same transcode with the same settings, side by side in one run.

Makes two 1080p30 H.264 clips once (FLV, no audio): "high" (High profile, no B-frames, like a
phone) and "high-bf2" (High profile, 2 B-frames, like OBS), both testsrc2 with temporal noise
so that they are not trivially compressible. Then for each case it runs, interleaved, our tool
(bench/transcode_cpu, the frames pushed as fast as they go) and
`ffmpeg -threads 1 -i clip.flv ... -f null -`; both single-threaded (decoder, scaler and
x264), so the comparison is one core against one core.

Reported per case: median CPU seconds each side, the median of the per-pair ratios
ours/ffmpeg, and "% of a core" for a live stream (CPU seconds / clip seconds * 100). Ours is
measured twice: the transcode loop only (the tool's own getrusage, file reading excluded) and
the whole process (os.wait4, like ffmpeg's, which includes ffmpeg's start, file reading and FLV
demuxing). Before the timed runs, one untimed pair per case writes both outputs and compares
their slices: the same bytes prove the same settings (libx264's option strings are printed
when they differ). Exits non-zero only when a run fails, never on a ratio. Usage:
    python3 bench/transcode_cpu.py [--tool build/bench/transcode_cpu] [--runs 5] [--seconds 20]
        [--gop-seconds 1] [--preset veryfast] [--clips DIR] [--case NAME ...]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# The source clips: testsrc2 (moving pattern, text, gradients) plus temporal noise of strength
# 6, encoded at about 8 Mbit/s as a 1080p30 publisher would send it.
SOURCE_FILTER = "testsrc2=size=1920x1080:rate=30,noise=alls=6:allf=t+u,format=yuv420p"
CLIPS = {
    "high": ["-profile:v", "high", "-bf", "0"],
    "high-bf2": ["-profile:v", "high", "-bf", "2"],
}

# name, clip, bounding box, bit/s, output profile
CASES = [
    ("1080p->720p 2.5M", "high", 1280, 720, 2_500_000, "baseline"),
    ("1080p->480p 1M", "high", 854, 480, 1_000_000, "baseline"),
    ("1080p->240p 300k", "high", 426, 240, 300_000, "baseline"),
    ("1080p B-frames->1080p 8M", "high-bf2", 1920, 1080, 8_000_000, "baseline"),
]


def make_clip(path, seconds, codec_args):
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
           "-i", SOURCE_FILTER, "-t", str(seconds), "-c:v", "libx264", "-preset", "faster",
           *codec_args, "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M", "-g", "60",
           "-pix_fmt", "yuv420p", "-an", "-f", "flv", path]
    subprocess.run(cmd, check=True)


def run_measured(cmd):
    """Runs cmd to completion; returns (stdout, stderr, cpu seconds of the whole process, wall
    seconds). Raises on a non-zero exit."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {stderr.strip()[-2000:]}")
    return stdout, stderr, usage.ru_utime + usage.ru_stime, wall


def run_ours(tool, clip, case, args, output=None):
    _, _, box_w, box_h, bitrate, profile = case
    cmd = [tool, "--input", clip, "--width", str(box_w), "--height", str(box_h),
           "--bitrate", str(bitrate), "--gop-seconds", str(args.gop_seconds),
           "--preset", args.preset, "--profile", profile, "--threads", "1"]
    if output:
        cmd += ["--output", output]
    stdout, _, process_cpu, _ = run_measured(cmd)
    result = json.loads(stdout.strip().splitlines()[-1])
    result["process_cpu_seconds"] = process_cpu
    return result


def ffmpeg_command(clip, ours, case, args, output="-", muxer="null"):
    """The same transcode as VideoTranscoder (src/media/video_transcoder.cpp): native H.264
    decoder on one thread, bicubic swscale to the size ours chose (none when unchanged),
    libx264 preset/tune zerolatency/profile, VBV maxrate = bufsize = bitrate, fixed GOP with
    keyint_min = GOP and scenecut=0, no B-frames, forced IDR, global header, one x264 thread."""
    _, _, _, _, bitrate, profile = case
    gop = max(1, round(args.gop_seconds * ours["fps"]))
    w, h = ours["output_width"], ours["output_height"]
    scale = [] if (w, h) == (1920, 1080) else ["-vf", f"scale={w}:{h}:flags=bicubic"]
    return ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-filter_threads", "1",
            "-threads", "1", "-i", clip, "-an", *scale, "-c:v", "libx264",
            "-preset", args.preset, "-tune", "zerolatency", "-profile:v", profile,
            "-b:v", str(bitrate), "-maxrate", str(bitrate), "-bufsize", str(bitrate),
            "-g", str(gop), "-keyint_min", str(gop), "-bf", "0", "-forced-idr", "1",
            "-flags", "+global_header", "-x264-params", "scenecut=0", "-threads", "1",
            "-f", muxer, "-y", output]


def run_ffmpeg(cmd):
    _, stderr, cpu, wall = run_measured(cmd)
    # Final summary line, e.g. "video:6101kB audio:0kB subtitle:0kB ..."
    m = re.search(r"video:(\d+)kB", stderr)
    return {"cpu_seconds": cpu, "wall_seconds": wall,
            "output_bytes": int(m.group(1)) * 1024 if m else 0}


def slices_and_options(path):
    """The slice NAL units (types 1 and 5) of an Annex-B file, hashed, and libx264's option
    string from its SEI: equal hashes mean both sides made the same bitstream."""
    with open(path, "rb") as f:
        nals = [n.rstrip(b"\0") for n in re.split(b"\0\0\1", f.read())]
    slices = hashlib.sha1(b"".join(n for n in nals if n and n[0] & 0x1f in (1, 5)))
    options = next((m.group(1) for n in nals if n and n[0] & 0x1f == 6
                    for m in [re.search(rb"options: ([ -~]*)", n)] if m), b"")
    return slices.hexdigest(), options.decode()


def same_bitstream(case, clip, args, work_dir):
    """One untimed pair writing both outputs: are the slices bit for bit the same? If not,
    prints both sides' libx264 options (a setting that differs shows there)."""
    ours_path = os.path.join(work_dir, "ours.h264")
    ffmpeg_path = os.path.join(work_dir, "ffmpeg.h264")
    ours = run_ours(args.tool, clip, case, args, output=ours_path)
    run_measured(ffmpeg_command(clip, ours, case, args, output=ffmpeg_path, muxer="h264"))
    (ours_hash, ours_options), (ffmpeg_hash, ffmpeg_options) = (
        slices_and_options(ours_path), slices_and_options(ffmpeg_path))
    os.remove(ours_path)
    os.remove(ffmpeg_path)
    if ours_hash != ffmpeg_hash:
        print(f"  {case[0]}: the bitstreams differ\n    ours:   {ours_options}\n"
              f"    ffmpeg: {ffmpeg_options}", flush=True)
    return ours_hash == ffmpeg_hash


def percent_of_core(cpu_seconds, clip_seconds):
    return cpu_seconds / clip_seconds * 100


def measure_case(case, clip, args):
    pairs = []
    for run in range(args.runs):
        ours = run_ours(args.tool, clip, case, args)
        ff = run_ffmpeg(ffmpeg_command(clip, ours, case, args))
        pairs.append((ours, ff))
        print(f"  {case[0]} run {run + 1}: ours {ours['cpu_seconds']:.2f} s "
              f"(process {ours['process_cpu_seconds']:.2f} s, {ours['frames_out']} frames, "
              f"{ours['output_bytes'] / 1024:.0f} KiB), ffmpeg {ff['cpu_seconds']:.2f} s "
              f"({ff['output_bytes'] / 1024:.0f} KiB)", flush=True)
    return pairs


def summarize(case, pairs, clip_seconds, same):
    """One markdown row: medians, % of a core, and the median (min-max) of per-pair ratios."""
    ours = [o["cpu_seconds"] for o, _ in pairs]
    ours_process = [o["process_cpu_seconds"] for o, _ in pairs]
    ff = [f["cpu_seconds"] for _, f in pairs]
    ratios = [o / f for o, f in zip(ours, ff)]
    ratio_process = statistics.median(o / f for o, f in zip(ours_process, ff))
    last = pairs[-1][0]

    def cpu(values):
        median = statistics.median(values)
        return f"{median:.2f} ({percent_of_core(median, clip_seconds):.0f} %)"

    return (f"| {case[0]} | {last['output_width']}x{last['output_height']} | {cpu(ours)} | "
            f"{statistics.median(ours_process):.2f} | {cpu(ff)} | "
            f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}) | "
            f"{ratio_process:.3f} | {'yes' if same else 'NO'} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool", default=os.path.join(ROOT, "build", "bench", "transcode_cpu"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seconds", type=int, default=20, help="length of each source clip")
    p.add_argument("--gop-seconds", type=float, default=1.0)
    p.add_argument("--preset", default="veryfast")
    p.add_argument("--clips", help="directory for the clips, kept and reused (default: a temp "
                   "directory removed at the end)")
    p.add_argument("--case", action="append", help="only the cases whose name contains this")
    args = p.parse_args()
    if shutil.which("ffmpeg") is None or not os.access(args.tool, os.X_OK):
        sys.exit(f"needs ffmpeg on PATH and {args.tool} "
                 "(cmake --build build --target transcode_cpu)")
    clips_dir = args.clips or tempfile.mkdtemp(prefix="transcode_cpu_")
    os.makedirs(clips_dir, exist_ok=True)
    try:
        clips = {}
        for name, codec_args in CLIPS.items():
            clips[name] = os.path.join(clips_dir, f"{name}-{args.seconds}s.flv")
            if not os.path.exists(clips[name]):
                print(f"making {clips[name]}", flush=True)
                make_clip(clips[name], args.seconds, codec_args)
        rows = []
        for case in CASES:
            if args.case and not any(c in case[0] for c in args.case):
                continue
            same = same_bitstream(case, clips[case[1]], args, clips_dir)
            rows.append(summarize(case, measure_case(case, clips[case[1]], args), args.seconds,
                                  same))
    finally:
        if not args.clips:
            shutil.rmtree(clips_dir, ignore_errors=True)
    print(f"\n{args.runs} interleaved runs per case, {args.seconds} s clips, preset "
          f"{args.preset}, GOP {args.gop_seconds} s, one thread each side; CPU seconds (median), "
          f"in brackets % of a core for a live stream\n")
    print("| case | output | ours: transcode loop | ours: whole process | ffmpeg CLI: whole "
          "process | ours/ffmpeg (median of pairs, min-max) | ours whole process/ffmpeg | "
          "same slices as ffmpeg |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
