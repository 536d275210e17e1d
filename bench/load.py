#!/usr/bin/env python3
"""Benchmark driver for issue 8: server CPU and memory per WHEP viewer, loss, fps and start-up
times with N viewers from the event-driven load client (bench/load_client, one process).

Each run starts a fresh server (tests/e2e/harness.py), publishes a 1280x720 30 fps 2 Mbit/s
H.264 + AAC stream with ffmpeg, samples the server's own CPU (/proc/<pid>/stat) and RSS with the
publisher alone, then runs the load client and samples them again over its measurement window
(from 1 s after the last viewer started to 0.5 s before the end). The publisher sends a file
encoded once beforehand (-c copy), so no x264 competes for the two cores. Usage:

    python3 bench/load.py --server build/src/app/airclass --viewers 10 100 300 --seconds 20
    python3 bench/load.py --server build/src/app/airclass --join-storm 100 --seconds 10

--runs R repeats each case on a fresh server and prints the median row."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness as h  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
MEDIA = os.path.join(tempfile.gettempdir(), "airclass-load-720p30-2M-120s.flv")
MEDIA_SECONDS = 120


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def prepare_media():
    """720p30 H.264 baseline 2 Mbit/s (GOP 2 s) + AAC-LC 32 kHz stereo, encoded once."""
    if os.path.exists(MEDIA):
        return
    tmp = MEDIA + ".part.flv"
    cmd = h.FFMPEG + ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                      "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=32000",
                      "-t", str(MEDIA_SECONDS)] + h.VIDEO_2M + [
        "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
        "-c:a", "aac", "-ar", "32000", "-ac", "2", "-b:a", "64k", "-f", "flv", "-y", tmp]
    subprocess.run(cmd, check=True, timeout=600)
    os.replace(tmp, MEDIA)


def publish(url):
    # Looped, so a window longer than the file (a soak) still has media to the end.
    cmd = h.FFMPEG + ["-re", "-stream_loop", "-1", "-i", MEDIA, "-c", "copy", "-f", "flv", url]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sample_window(pid, start, end, at_start=None, at_end=None):
    """Server CPU (% of one core) and peak RSS (KiB) between two time.time() instants."""
    time.sleep(max(0.0, start - time.time()))
    if at_start:
        at_start()
    c0, t0, peak = cpu_seconds(pid), time.time(), rss_kib(pid)
    while time.time() < end:
        time.sleep(min(0.5, max(0.0, end - time.time())))
        peak = max(peak, rss_kib(pid))
    cpu = 100.0 * (cpu_seconds(pid) - c0) / (time.time() - t0)
    if at_end:
        at_end()
    return cpu, peak


STAGES = {"airclass_egress_latency_seconds": "", "airclass_egress_wait_seconds": "wait:",
          "airclass_egress_fanout_seconds": "fanout:"}


def egress_buckets(metrics_url):
    """Cumulative counts of the server-added latency histograms: {key: {le: count}}, the key
    being the kind ("delta", "keyframe", "audio") for the total and "wait:<kind>" or
    "fanout:<kind>" for its two stages."""
    with urllib.request.urlopen(metrics_url, timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        family = line.split("_bucket{", 1)[0]
        if family not in STAGES or "_bucket{" not in line:
            continue
        labels, value = line.split("}", 1)
        fields = dict(kv.split("=", 1) for kv in labels.split("{", 1)[1].split(","))
        le = fields["le"].strip('"')
        key = STAGES[family] + fields["kind"].strip('"')
        out.setdefault(key, {})[float(le)] = float(value)
    return out


def window_quantile(before, after, kind, q):
    """Upper bound (ms) of the bucket holding quantile q of what was recorded between two
    scrapes: the histogram's resolution (50/100/250/500 us, 1/2/5 ms...), never interpolated."""
    b, a = before.get(kind, {}), after.get(kind, {})
    bounds = sorted(a)
    total = a[bounds[-1]] - b.get(bounds[-1], 0.0) if bounds else 0.0
    if total <= 0:
        return None
    for le in bounds:
        if a[le] - b.get(le, 0.0) >= q * total:
            return le * 1000.0
    return None


def all_kinds(scrape):
    """The totals of every kind added up: {le: count} under the kind "all"."""
    total = {}
    for kind, buckets in scrape.items():
        if ":" in kind:
            continue
        for le, n in buckets.items():
            total[le] = total.get(le, 0.0) + n
    return {"all": total}


def window_share_over(before, after, ms):
    """Percent of all frames (every kind) recorded between two scrapes whose server-added
    latency exceeded `ms` (a bucket bound)."""
    b, a = all_kinds(before)["all"], all_kinds(after)["all"]
    if not a:
        return None
    top = max(a)
    total = a[top] - b.get(top, 0.0)
    within = a.get(ms / 1000.0, 0.0) - b.get(ms / 1000.0, 0.0)
    return 100.0 * (total - within) / total if total > 0 else None


def one_run(args, viewers, ramp):
    span = (viewers - 1) / ramp if ramp > 0 else 0.0
    env = {"AIRCLASS_LOG_LEVEL": "info", "AIRCLASS_TOKEN_RATE_BURST": "10000",
           "AIRCLASS_TOKEN_RATE_PER_SECOND": "10000"}
    env.update(kv.split("=", 1) for kv in args.server_env)
    with h.Server(args.server, webrtc=True, env=env) as srv:
        pid = srv.proc.pid
        pub = publish(srv.url())
        try:
            if not srv.wait_log("video H264", timeout=15):
                raise RuntimeError("publisher not live:\n" + srv.log_text()[-2000:])
            time.sleep(1.0)
            now = time.time()
            base_cpu, base_rss = sample_window(pid, now, now + args.baseline)
            out = os.path.join(tempfile.mkdtemp(prefix="airclass-load-"), "load.json")
            token_api = srv.api_url("/api/token?user_type=student&user_id=load-bench")
            cmd = [args.client, "--url", token_api, "-n", str(viewers), "--ramp", str(ramp),
                   "--seconds", str(args.seconds), "--threads", str(args.threads),
                   "--sample-auth", str(args.sample_auth), "--json", out]
            if args.no_gro:
                cmd.append("--no-gro")
            t0 = time.time()
            # SCHED_IDLE: the client only takes CPU the server leaves, as viewers on their own
            # machines would; the server's loops are then not preempted by their own audience.
            idle = (lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))) \
                if args.client_idle else None
            client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, preexec_fn=idle)
            scrapes = []
            scrape = lambda: scrapes.append(egress_buckets(srv.api_url("/metrics")))  # noqa: E731
            cpu, rss = sample_window(pid, t0 + 0.2 + span + 1.0,
                                     t0 + 0.2 + span + args.seconds - 0.5, scrape, scrape)
            table, err = client.communicate(timeout=span + args.seconds + 120)
            if client.returncode not in (0, 1):
                raise RuntimeError(f"load_client failed ({client.returncode}): {err[-2000:]}")
            with open(out) as f:
                report = json.load(f)
        finally:
            pub.kill()
            pub.wait()
    print(table.rstrip())
    s, run = report["summary"], report["run"]
    kf = s["time_to_first_keyframe_ms"] or {}
    cn = s["time_to_connected_ms"] or {}
    return {
        "viewers": viewers, "ramp": ramp, "server_cpu": cpu, "base_cpu": base_cpu,
        "cpu_per_viewer": (cpu - base_cpu) / viewers, "rss_mib": rss / 1024,
        "rss_per_viewer_kib": (rss - base_rss) / viewers, "base_rss_mib": base_rss / 1024,
        "connected": s["connected"], "loss_percent": s["loss_percent"],
        "min_fps": s["min_fps"] or 0, "median_fps": s["median_fps"] or 0,
        "kf_p50": kf.get("p50"), "kf_p95": kf.get("p95"), "conn_p50": cn.get("p50"),
        "conn_p95": cn.get("p95"), "nacks": s["nacks_sent"], "auth_failures": s["auth_failures"],
        "client_cpu": 100.0 * run["client_cpu_window_s"] / run["seconds"],
        "added_delta_p50": window_quantile(*scrapes, "delta", 0.50),
        "added_delta_p99": window_quantile(*scrapes, "delta", 0.99),
        "added_key_p99": window_quantile(*scrapes, "keyframe", 0.99),
        "added_audio_p50": window_quantile(*scrapes, "audio", 0.50),
        "added_audio_p99": window_quantile(*scrapes, "audio", 0.99),
        "added_over_2ms": window_share_over(*scrapes, 2),
        "added_all_p99": window_quantile(*map(all_kinds, scrapes), "all", 0.99),
        "stages": {f"{stage}:{kind}": (window_quantile(*scrapes, f"{stage}:{kind}", 0.50),
                                       window_quantile(*scrapes, f"{stage}:{kind}", 0.99))
                   for stage in ("wait", "fanout") for kind in ("delta", "keyframe", "audio")},
    }


def median_row(rows):
    """The run with the median server CPU per viewer, so one row's figures stay together."""
    ordered = sorted(rows, key=lambda r: r["cpu_per_viewer"])
    return ordered[len(ordered) // 2]


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def main():
    h.in_private_netns()
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--client", default="", help="default: <build>/bench/load_client/load_client")
    p.add_argument("--viewers", type=int, nargs="*", default=[])
    p.add_argument("--join-storm", type=int, default=0, help="N viewers at N per second")
    p.add_argument("--ramp", type=float, default=0.0, help="ramp for --viewers (0: at once)")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sample-auth", type=int, default=10)
    p.add_argument("--baseline", type=float, default=3.0, help="publisher-only sample, s")
    p.add_argument("--no-gro", action="store_true",
                   help="load client reads one datagram per packet (no UDP_GRO)")
    p.add_argument("--client-idle", action="store_true",
                   help="run the load client at SCHED_IDLE (it only uses CPU the server leaves)")
    p.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                   help="extra server environment, e.g. AIRCLASS_UDP_SEGMENTATION=no")
    args = p.parse_args()
    if not args.client:
        args.client = os.path.normpath(os.path.join(os.path.dirname(args.server), "..", "..",
                                                    "bench", "load_client", "load_client"))
    cases = [(n, args.ramp) for n in args.viewers]
    if args.join_storm:
        cases.append((args.join_storm, float(args.join_storm)))
    if not cases:
        p.error("give --viewers and/or --join-storm")
    prepare_media()
    results = []
    for n, ramp in cases:
        rows = []
        for i in range(args.runs):
            print(f"--- {n} viewers, ramp {ramp or 'all at once'}, run {i + 1}/{args.runs}")
            rows.append(one_run(args, n, ramp))
            sys.stdout.flush()
        results.append((median_row(rows), rows))
    print()
    print("| viewers | ramp | server CPU (% of a core) | per viewer | RSS (MiB) | RSS per viewer "
          "(KiB) | connected | loss % | min fps | median fps | first keyframe p50 / p95 (ms) "
          "| connected p50 / p95 (ms) | client CPU (% of a core) | server-added (ms, bucket bound): "
          "delta frames p50 / p99, keyframes p99, audio p50 / p99; all frames p99; frames over 2 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r, rows in results:
        ramp = f"{r['ramp']:g}/s" if r["ramp"] else "at once"
        print(f"| {r['viewers']} | {ramp} | {r['server_cpu']:.1f} | {r['cpu_per_viewer']:.3f} | "
              f"{r['rss_mib']:.1f} | {r['rss_per_viewer_kib']:.0f} | {r['connected']}/"
              f"{r['viewers']} | {r['loss_percent']:.4f} | {r['min_fps']:.1f} | "
              f"{r['median_fps']:.1f} | {fmt(r['kf_p50'], '.0f')} / {fmt(r['kf_p95'], '.0f')} | "
              f"{fmt(r['conn_p50'], '.0f')} / {fmt(r['conn_p95'], '.0f')} | "
              f"{r['client_cpu']:.1f} | {fmt(r['added_delta_p50'], 'g')} / "
              f"{fmt(r['added_delta_p99'], 'g')}, {fmt(r['added_key_p99'], 'g')}, "
              f"{fmt(r['added_audio_p50'], 'g')} / {fmt(r['added_audio_p99'], 'g')}; "
              f"{fmt(r['added_all_p99'], 'g')}; "
              f"{fmt(r['added_over_2ms'], '.1f')} % |")
        if len(rows) > 1:
            per = ", ".join(f"{x['cpu_per_viewer']:.3f}" for x in rows)
            print(f"|   (runs: CPU per viewer {per}; publisher-only "
                  f"{statistics.median(x['base_cpu'] for x in rows):.1f} %, "
                  f"{statistics.median(x['base_rss_mib'] for x in rows):.1f} MiB) |")
    print()
    print("Server-added latency by stage (ms, bucket bound, p50 / p99): wait = ingest to the "
          "loop starting the frame, fanout = sending it to the loop's viewers")
    print("| viewers | ramp | delta wait | delta fanout | keyframe wait | keyframe fanout "
          "| audio wait | audio fanout |")
    print("|---|---|---|---|---|---|---|---|")
    for r, _ in results:
        ramp = f"{r['ramp']:g}/s" if r["ramp"] else "at once"
        cells = [f"{fmt(r['stages'][f'{st}:{k}'][0], 'g')} / {fmt(r['stages'][f'{st}:{k}'][1], 'g')}"
                 for k in ("delta", "keyframe", "audio") for st in ("wait", "fanout")]
        print(f"| {r['viewers']} | {ramp} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
