#!/usr/bin/env python3
"""Benchmark: server CPU and memory with N WHEP viewers of one 2 Mbit/s 720p30 stream, our C++
WHEP client as the load (one process per viewer, no decoding). CPU is the server process's own
user+system time over a fixed window (so the load clients' CPU does not count), as a percentage
of one core; memory is its resident set. Usage:
    python3 bench/whep_load.py --server build/src/app/airclass \\
        --client build/tools/whep_client/whep_client [--viewers 1 10 50] [--window 10]"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness as h  # noqa: E402
from load import cpu_seconds, rss_kib  # noqa: E402  (bench/load.py, beside this file)

def measure(pid, window):
    c0, t0 = cpu_seconds(pid), time.time()
    time.sleep(window)
    return 100.0 * (cpu_seconds(pid) - c0) / (time.time() - t0), rss_kib(pid)


def main():
    h.in_private_netns()
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--client", required=True)
    p.add_argument("--viewers", type=int, nargs="+", default=[1, 10, 50])
    p.add_argument("--window", type=float, default=10.0)
    args = p.parse_args()
    total = sum(args.window + 12 for _ in args.viewers) + args.window + 10
    rows = []
    with h.Server(args.server, webrtc=True, env={"AIRCLASS_LOG_LEVEL": "info"}) as srv:
        pid = srv.proc.pid
        pub = h.ffmpeg_publish(srv.url(), int(total), video_args=h.VIDEO_2M)
        srv.wait_log("video H264")
        time.sleep(2)
        base_cpu, base_rss = measure(pid, args.window)
        print(f"publisher only: server {base_cpu:.2f} % of a core, RSS {base_rss / 1024:.1f} MiB")
        for n in args.viewers:
            clients = [h.whep_client(args.client, srv.whep_url(), args.window + 8, ["--nack"])
                       for _ in range(n)]
            time.sleep(4)
            cpu, rss = measure(pid, args.window)
            reports = [c.result(timeout=args.window + 60) for c in clients]
            ok = [r for r in reports if r.get("exit_code") == 0]
            fps = statistics.median(r["video"]["frames"] / r["duration_s"] for r in ok) if ok else 0
            lost = sum(r["video"]["lost"] for r in ok)
            pkts = sum(r["video"]["packets"] for r in ok)
            connect = statistics.median(r["connected_ms"] for r in ok) if ok else 0
            rows.append((n, cpu, (cpu - base_cpu) / n, rss, (rss - base_rss) / n, len(ok), fps,
                         lost, pkts, connect))
            time.sleep(2)
        pub.kill()
    print()
    print("| viewers | server CPU (% of a core) | per viewer | RSS (MiB) | RSS per viewer (KiB) "
          "| viewers ok | median fps | lost / packets | median connect (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, cpu, cpv, rss, rpv, ok, fps, lost, pkts, connect in rows:
        print(f"| {n} | {cpu:.2f} | {cpv:.3f} | {rss / 1024:.1f} | {rpv:.0f} | {ok}/{n} | "
              f"{fps:.1f} | {lost} / {pkts} | {connect:.0f} |")
    print(f"(publisher only: {base_cpu:.2f} % of a core, {base_rss / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
