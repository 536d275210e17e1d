#!/usr/bin/env python3
"""Benchmark: time from the WHEP POST to the first rendered frame in headless Chromium, joining
at a different phase of a long GOP each run (instant start from the GOP cache). Prints the
per-run figures and the median/p95. Usage:
    python3 bench/first_frame.py --server build/src/app/airclass [--runs 7] [--gop 6]
        [--server-env AIRCLASS_AV_SYNC=no] [--no-audio]
Each run also shows when the answer came back and when Chromium had applied it: the rest is
Chromium's ICE/DTLS start, our GOP replay and its decoder (with an audio track, headless
Chromium starts ICE about 70 ms later than without)."""
import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness as h  # noqa: E402


def main():
    h.in_private_netns()
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--gop", type=float, default=6.0)
    p.add_argument("--no-audio", action="store_true", help="publish and play video only")
    p.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                   help="extra server environment, e.g. AIRCLASS_AV_SYNC=no")
    args = p.parse_args()
    env = dict(kv.split("=", 1) for kv in args.server_env)
    rnd = random.Random(7)
    firsts = []
    with h.Server(args.server, webrtc=True, env=env) as srv:
        pub = h.ffmpeg_publish(srv.url(), 30 + args.runs * 12, gop=int(args.gop * 30),
                               video_args=h.VIDEO_2M, audio=not args.no_audio)
        srv.wait_log("video H264")
        for i in range(args.runs):
            time.sleep(rnd.uniform(0.2, args.gop))
            rep = h.whep_browser(srv.whep_url(), 2, no_audio=args.no_audio)
            ms = rep.get("firstFrameMs")
            print(f"run {i + 1}: first frame {ms:.0f} ms after POST (answer at "
                  f"{rep.get('answeredMs', 0):.0f}, applied at {rep.get('remoteSetMs', 0):.0f})"
                  if ms else f"run {i + 1}: none")
            if ms:
                firsts.append(ms)
        pub.kill()
    if firsts:
        firsts.sort()
        p95 = firsts[min(len(firsts) - 1, int(round(0.95 * (len(firsts) - 1))))]
        print(f"first frame: median {statistics.median(firsts):.0f} ms, p95 {p95:.0f} ms, "
              f"min {firsts[0]:.0f} ms, max {firsts[-1]:.0f} ms over {len(firsts)} runs")


if __name__ == "__main__":
    main()
