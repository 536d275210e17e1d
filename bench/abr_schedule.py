#!/usr/bin/env python3
"""Benchmark: adaptive bitrate (?quality=auto) against a capacity schedule, and viewers sharing
one bottleneck. Headless Chromium plays in the viewer namespace of the network test bed
(tests/e2e/netbed.py; media straight over the veth, no relay) a 1080p30 source: a clip of
testsrc2 with temporal noise encoded once per run at --source-kbit (1 s GOP, High, no
B-frames), published in a loop with -c copy (tests/e2e/abr_bed.py). One server, one publisher;
a fresh page per row.

Schedule mode (default): the viewer's downlink (tbf, 100 ms queue) follows --phases (the issue's
20 Mbit/s 20 s, 1.5 Mbit/s 30 s, 20 Mbit/s 40 s). Medians over --runs of:
  - drop -> fit: from the capacity drop to the first sample whose picture height is a rung
    whose bitrate fits the narrow link (480p 1 Mbit/s, 360p 800k, 240p 300k) with frames advancing;
  - narrow freeze: Chromium's totalFreezesDuration delta over the narrow phase, and (separately)
    stalls: the time framesDecoded did not advance for more than 500 ms, from 250 ms samples;
  - return -> top: from the capacity return to the first advancing sample at height 1080;
  - steady switches/min: height changes in the last 30 s of each wide phase (not its first
    10 s), per minute;
  - fps per phase (whole phase, framesDecoded delta).
With --compare each run also plays ?quality=source (adaptation off), alternating with auto.

Shared mode (--shared N --link-kbit K): N viewers in one page (tests/e2e/whep_many.mjs, one
peer connection each) behind one link capped at K for --seconds; after --converge seconds,
per viewer: fps, longest freeze or stall, received bitrate (bytesReceived) against the fair
share K/N. Each run plays auto then source (with and without adaptation).

Prints each run, then a markdown table for bench/RESULTS.md and the command line; the CPU of the
server, the publisher and Chromium (% of one core; this machine has 2) for every row.
Usage (as root; re-executes itself in a fresh network namespace):
    python3 bench/abr_schedule.py --server build/src/app/airclass [--runs 3] [--compare]
        [--phases 20000:20,1500:30,20000:40] [--source-kbit 7000] [--json]
    python3 bench/abr_schedule.py --server build/src/app/airclass --shared 3 --link-kbit 6000
        [--source-kbit 7000] [--seconds 45] [--converge 15] [--runs 1]"""
import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import abr_bed as ab  # noqa: E402
import chromium_bed as cb  # noqa: E402
import netbed  # noqa: E402

WIDE_KBIT = 20000
STEADY_LAST_MS, STEADY_SKIP_MS = 30000, 10000
STALL_MS = 500


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", required=True, help="path to the airclass binary")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--compare", action="store_true",
                   help="schedule mode: also play ?quality=source (adaptation off)")
    p.add_argument("--phases", default="20000:20,1500:30,20000:40",
                   help="the downlink schedule, kbit:seconds,...")
    p.add_argument("--source-kbit", type=int, default=7000, help="the publisher's bitrate")
    p.add_argument("--shared", type=int, default=0, help="N viewers behind one link")
    p.add_argument("--link-kbit", type=int, default=6000, help="shared mode: the link's cap")
    p.add_argument("--seconds", type=float, default=45, help="shared mode: seconds per row")
    p.add_argument("--converge", type=float, default=15,
                   help="shared mode: seconds before the measurement")
    p.add_argument("--viewer-client", choices=("chromium", "load"), default="chromium",
                   help="shared mode: viewers in one Chromium page, or the load client (no "
                        "decoding; sends transport-cc feedback as Chromium does)")
    p.add_argument("--load-client", default="",
                   help="default: <build>/bench/load_client/load_client beside --server's build")
    p.add_argument("--only", choices=("auto", "source"), default="",
                   help="shared mode: play only this quality (a quick look, not a comparison)")
    p.add_argument("--server-log", default="", help="copy the server's log here at the end")
    p.add_argument("--renditions", default="",
                   help="the ladder (AIRCLASS_RENDITIONS, e.g. 720p=1280x720@2500k,...); "
                        "default: the server's")
    p.add_argument("--json", action="store_true", help="also print every run as JSON")
    # harness-style arguments, accepted so the bench runs with a test's command line
    for extra in ("--client", "--data", "--out"):
        p.add_argument(extra, default="", help=argparse.SUPPRESS)
    return p.parse_args()


def url(srv, quality):
    return srv.whep_url() + "&quality=" + quality


# --- schedule mode -------------------------------------------------------------------------------
def schedule_row(args, bed, srv, pub, quality, phases):
    """One page through the schedule; returns its figures."""
    bed.set_rate("down", WIDE_KBIT, latency_ms=100)
    browser = cb.Browser(bed, url(srv, quality), max_seconds=sum(s for s, _ in phases) + 60)
    if not ab.wait_viewers(srv):
        browser.stop()
        raise RuntimeError("the page's viewer did not play")
    poller = ab.ServerPoller(srv)
    cpu = ab.CpuMeter({"server": srv.proc.pid, "ffmpeg": pub.pid,
                       "chromium": browser.proc.pid}).start()
    schedule = ab.CapacitySchedule(bed, phases)
    try:
        schedule.wait()
        used = cpu.stop()
        time.sleep(1.0)
    finally:
        poller.close()
    viewer = next(iter(poller.last_viewers()), {})
    rep = browser.stop()
    if rep.get("error"):
        raise RuntimeError(rep["error"])
    return analyse_schedule(ab.video(rep["timeline"]), schedule.windows(), viewer, used, quality)


def analyse_schedule(tl, windows, viewer, cpu, quality):
    narrow = min(range(len(windows)), key=lambda i: windows[i][2])
    n0, n1, n_kbit = windows[narrow]
    after = windows[narrow + 1] if narrow + 1 < len(windows) else None
    t_fit = ab.first_playing(tl, n0, lambda hgt: ab.fits(hgt, n_kbit), n1)
    t_top = after and ab.first_playing(tl, after[0], lambda hgt: hgt == ab.TOP_HEIGHT, after[1])
    a, b = cb.sample_at(tl, n0), cb.sample_at(tl, n1)
    steady_ms, steady_changes = 0, 0
    for t0, t1, kbit in windows:
        if kbit > n_kbit:
            w0 = max(t0 + STEADY_SKIP_MS, t1 - STEADY_LAST_MS)
            steady_ms += max(0, t1 - w0)
            steady_changes += len(ab.height_changes(tl, w0, t1))
    return {
        "quality": quality,
        "height_at_drop": a.get("height"),
        "drop_to_fit_s": None if t_fit is None else (t_fit - n0) / 1000,
        "narrow_freeze_s": cb.diff(b, a, "totalFreezesDuration"),
        "narrow_stall_s": sum(d for _, d in ab.stalls(tl, n0, n1, STALL_MS)),
        "return_to_top_s": None if not t_top else (t_top - after[0]) / 1000,
        "steady_switches_per_min": steady_changes * 60000 / steady_ms if steady_ms else None,
        "fps": [ab.fps_over(tl, t0, t1) for t0, t1, _ in windows],
        "heights": [(round((t - n0) / 1000, 2), x, y) for t, x, y in ab.height_changes(tl)],
        "server": {k: viewer.get(k) for k in ("quality", "rendition", "estimate_bps",
                                              "abr_switches", "abr_probes")},
        "cpu": cpu,
    }


# --- shared mode ---------------------------------------------------------------------------------
def shared_row(args, bed, srv, pub, quality):
    """N viewers in one page behind the capped link; returns per-viewer figures."""
    bed.set_rate("down", args.link_kbit, latency_ms=100)
    many = ab.ManyViewers(bed, [url(srv, quality)] * args.shared,
                          max_seconds=args.seconds + 60)
    joined = ab.wait_viewers(srv, count=args.shared, packets=100, timeout=40)
    t_start = time.time() * 1000
    time.sleep(args.converge)
    cpu = ab.CpuMeter({"server": srv.proc.pid, "ffmpeg": pub.pid,
                       "chromium": many.proc.pid}).start()
    t0 = time.time() * 1000
    time.sleep(max(1.0, args.seconds - args.converge))
    t1 = time.time() * 1000
    used = cpu.stop()
    viewers = ab.streams(srv)[1]
    rep = many.stop()
    if rep.get("error"):
        raise RuntimeError(rep["error"])
    fair = args.link_kbit / args.shared
    out = {"quality": quality, "joined": joined, "cpu": used, "fair_kbit": fair, "viewers": []}
    for i, v in enumerate(rep["viewers"]):
        tl = ab.video(v.get("timeline", []))
        worst = max([d for _, d in ab.freezes(tl, t0, t1)] +
                    [d for _, d in ab.stalls(tl, t0, t1, STALL_MS)] + [0.0])
        kbit = ab.received_kbit(tl, t0, t1)
        out["viewers"].append({
            "error": v.get("error"), "fps": ab.fps_over(tl, t0, t1), "max_freeze_s": worst,
            "kbit": kbit, "of_fair": None if kbit is None else kbit / fair,
            "heights": sorted({s.get("height") for s in tl if s["t"] >= t0}),
            "switches": len(ab.height_changes(tl, t_start)),
            "server": {k: viewers[i].get(k) for k in ("rendition", "estimate_bps",
                                                      "abr_switches")} if i < len(viewers)
            else {},
        })
    return out


def load_shared_row(args, bed, srv, pub, quality):
    """N load-client viewers behind the capped link; per-viewer figures from its report and the
    renditions the server says each viewer was sent, sampled over the measurement window."""
    bed.set_rate("down", args.link_kbit, latency_ms=100)
    ramp = 4.0  # the token allows 4 offers still connecting (the server is busy transcoding)
    window = max(1.0, args.seconds - args.converge)
    many = ab.LoadViewers(bed, load_client_path(args), url(srv, quality), args.shared,
                          seconds=args.seconds, settle=args.converge, ramp=ramp)
    poller = ab.ServerPoller(srv, period=0.5)
    cpu = ab.CpuMeter({"server": srv.proc.pid, "ffmpeg": pub.pid, "client": many.proc.pid})
    time.sleep(args.shared / ramp + args.converge)
    cpu.start()
    t0 = time.time() * 1000
    time.sleep(window)
    t1 = time.time() * 1000
    used = cpu.stop()
    poller.close()
    rep = many.wait()
    if rep.get("error"):
        raise RuntimeError(rep["error"])
    fair = args.link_kbit / args.shared
    out = {"quality": quality, "joined": rep["summary"]["with_keyframe"], "cpu": used,
           "fair_kbit": fair, "viewers": [], "renditions": window_renditions(poller, t0, t1)}
    for v in rep["viewers"]:
        kbit = v.get("kbit")
        out["viewers"].append({
            "error": v.get("error"), "fps": v.get("fps") or 0.0,
            "max_freeze_s": (v.get("max_freeze_ms") or window * 1000) / 1000, "kbit": kbit,
            "of_fair": None if kbit is None else kbit / fair, "heights": [],
            "feedbacks": v.get("feedbacks_sent"), "server": {}})
    return out


def window_renditions(poller, t0, t1):
    """{rendition: share of viewer-samples} and the switches the server counted in [t0, t1]."""
    counts, first, last = {}, {}, {}
    for t, _, viewers in poller.samples:
        if not t0 <= t <= t1:
            continue
        for v in viewers:
            counts[v.get("rendition")] = counts.get(v.get("rendition"), 0) + 1
            first.setdefault(v.get("id"), v.get("abr_switches") or 0)
            last[v.get("id")] = v.get("abr_switches") or 0
    total = sum(counts.values()) or 1
    return {"share": {k: round(n / total, 3) for k, n in sorted(counts.items(), key=str)},
            "switches": sum(last[i] - first[i] for i in last)}


def load_client_path(args):
    if args.load_client:
        return args.load_client
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.server))))
    return os.path.join(build, "bench", "load_client", "load_client")


# --- report --------------------------------------------------------------------------------------
def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec=".1f"):
    return "-" if v is None else f"{v:{spec}}"


def never(rows, key):
    n = sum(r[key] is None for r in rows)
    return f" (never in {n}/{len(rows)})" if n else ""


def schedule_table(results, args):
    ab.log(f"\nmedians over {args.runs} run(s); schedule {args.phases} (kbit:s), source "
           f"{args.source_kbit} kbit/s 1080p30")
    ab.log("| viewer asks | height at the drop | drop -> fitting rung s | narrow: freeze s "
           "(Chromium) | narrow: stalls > 0.5 s, s | return -> 1080 s | steady switches/min | "
           "fps per phase | CPU server / Chromium / ffmpeg / machine % |")
    ab.log("|---|---|---|---|---|---|---|---|---|")
    for quality, rows in results.items():
        at_drop = "/".join(str(r["height_at_drop"]) for r in rows)
        fps = " / ".join(fmt(med([r["fps"][i] for r in rows]))
                         for i in range(len(rows[0]["fps"])))
        cpu = " / ".join(fmt(med([r["cpu"][k] for r in rows]), ".0f")
                         for k in ("server", "chromium", "ffmpeg", "machine"))
        ab.log(f"| ?quality={quality} | {at_drop} | "
               f"{fmt(med([r['drop_to_fit_s'] for r in rows]), '.2f')}"
               f"{never(rows, 'drop_to_fit_s')} | "
               f"{fmt(med([r['narrow_freeze_s'] for r in rows]), '.2f')} | "
               f"{fmt(med([r['narrow_stall_s'] for r in rows]), '.2f')} | "
               f"{fmt(med([r['return_to_top_s'] for r in rows]), '.2f')}"
               f"{never(rows, 'return_to_top_s')} | "
               f"{fmt(med([r['steady_switches_per_min'] for r in rows]), '.1f')} | {fps} | "
               f"{cpu} |")


def shared_table(results, args):
    who = "in one Chromium page" if args.viewer_client == "chromium" else "(load client)"
    ab.log(f"\nmedians over {args.runs} run(s); {args.shared} viewers {who} "
           f"behind one {args.link_kbit} kbit/s link (fair share "
           f"{args.link_kbit / args.shared:.0f} kbit/s), source {args.source_kbit} kbit/s "
           f"1080p30; measured from {args.converge:g} s to {args.seconds:g} s")
    ab.log("| viewer asks | viewer | fps | longest freeze/stall s | received kbit/s | of fair "
           "share | heights | CPU server / viewers / machine % |")
    ab.log("|---|---|---|---|---|---|---|---|")
    for quality, rows in results.items():
        client = "chromium" if args.viewer_client == "chromium" else "client"
        cpu = " / ".join(fmt(med([r["cpu"].get(k) for r in rows]), ".0f")
                         for k in ("server", client, "machine"))
        if args.viewer_client == "load":
            shared_summary(quality, rows, cpu)
            continue
        for i in range(args.shared):
            vs = [r["viewers"][i] for r in rows if i < len(r["viewers"])]
            of_fair = med([v["of_fair"] for v in vs])
            ab.log(f"| ?quality={quality} | {i + 1} | {fmt(med([v['fps'] for v in vs]))} | "
                   f"{fmt(med([v['max_freeze_s'] for v in vs]), '.2f')} | "
                   f"{fmt(med([v['kbit'] for v in vs]), '.0f')} | "
                   f"{fmt(None if of_fair is None else 100 * of_fair, '.0f')} % | "
                   f"{vs[-1]['heights'] if vs else '-'} | {cpu if i == 0 else ''} |")


def shared_summary(quality, rows, cpu):
    """One line per quality for many load viewers: the spread across viewers (medians of runs of
    each viewer's figure, then min / median / max over viewers)."""
    n = max(len(r["viewers"]) for r in rows)

    def spread(key, scale=1.0):
        per = [med([r["viewers"][i][key] for r in rows if i < len(r["viewers"])])
               for i in range(n)]
        per = [p * scale for p in per if p is not None]
        if not per:
            return "-"
        return f"{min(per):.2f} / {statistics.median(per):.2f} / {max(per):.2f}"

    within = [sum(1 for v in r["viewers"] if v["of_fair"] is not None and
                  abs(v["of_fair"] - 1) <= 0.3) for r in rows]
    ab.log(f"| ?quality={quality} | {n} viewers | fps {spread('fps')} | freeze s "
           f"{spread('max_freeze_s')} | kbit/s {spread('kbit')} | of fair {spread('of_fair')} "
           f"(within 30 %: {'/'.join(map(str, within))} of {n}) | renditions "
           f"{[r['renditions']['share'] for r in rows]}, switches in the window "
           f"{[r['renditions']['switches'] for r in rows]} | {cpu} |")


def main():
    netbed.in_netbed()
    args = parse_args()
    phases = ab.parse_phases(args.phases)
    if args.shared:
        qualities = [args.only] if args.only else ["auto", "source"]
    else:
        qualities = ["auto", "source"] if args.compare else ["auto"]
    results = {q: [] for q in qualities}
    clip_dir = tempfile.mkdtemp(prefix="airclass-abr-")
    try:
        clip, secs = ab.make_clip(clip_dir, kbit=args.source_kbit)
        ab.log(f"clip: {ab.clip_kbit(clip):.0f} kbit/s mean, encoded in {secs:.1f} s")
        play_all(args, clip, phases, qualities, results)
    finally:
        shutil.rmtree(clip_dir, ignore_errors=True)
    (shared_table if args.shared else schedule_table)(results, args)
    ab.log("\ncommand: python3 bench/abr_schedule.py " + " ".join(
        shlex.quote(a) for a in sys.argv[1:]))
    if args.json:
        ab.log(json.dumps(results))


def log_shared_row(run, quality, row):
    ab.log(f"run {run + 1} ?quality={quality}: " + "; ".join(
        f"viewer {i + 1}: {v['fps']:.1f} fps, max freeze {v['max_freeze_s']:.2f} s, "
        f"{fmt(v['kbit'], '.0f')} kbit/s (fair {row['fair_kbit']:.0f}), heights "
        f"{v['heights']}, server {v['server']}{', ' + v['error'] if v.get('error') else ''}"
        for i, v in enumerate(row["viewers"])) +
        f"; renditions {row.get('renditions')}; CPU {ab.fmt_cpu(row['cpu'])}")


def log_schedule_row(run, quality, row):
    ab.log(f"run {run + 1} ?quality={quality}: height at the drop {row['height_at_drop']}, "
           f"drop -> fit {fmt(row['drop_to_fit_s'], '.2f')} s, narrow freeze "
           f"{row['narrow_freeze_s']:.2f} s, stalls {row['narrow_stall_s']:.2f} s, return -> "
           f"1080 {fmt(row['return_to_top_s'], '.2f')} s, steady switches/min "
           f"{fmt(row['steady_switches_per_min'])}, fps {[round(f, 1) for f in row['fps']]}, "
           f"heights {row['heights']}, server {row['server']}; CPU {ab.fmt_cpu(row['cpu'])}")


def play_all(args, clip, phases, qualities, results):
    """Every run's rows on one server and one publisher, into results[quality]."""
    env = {"AIRCLASS_RENDITIONS": args.renditions} if args.renditions else {}
    with netbed.NetBed() as bed, bed.server(args.server, relay=False, env=env) as srv:
        pub = ab.publish_clip(srv.url(), clip)
        try:
            if not srv.wait_log("video H264", 15):
                raise RuntimeError("stream did not start")
            time.sleep(3)
            ab.log(f"source: {ab.source_kbps(srv)} kbit/s as the server measures it")
            for run in range(args.runs):
                # Alternate which goes first, so neither always gets the fresher machine.
                order = qualities if run % 2 == 0 else list(reversed(qualities))
                for quality in order:
                    if args.shared and args.viewer_client == "load":
                        row = load_shared_row(args, bed, srv, pub, quality)
                        log_shared_row(run, quality, row)
                    elif args.shared:
                        row = shared_row(args, bed, srv, pub, quality)
                        log_shared_row(run, quality, row)
                    else:
                        row = schedule_row(args, bed, srv, pub, quality, phases)
                        log_schedule_row(run, quality, row)
                    row["run"] = run
                    results[quality].append(row)
                    time.sleep(2)
        finally:
            pub.kill()
            pub.wait()
            if args.server_log:
                shutil.copy(srv.log_path, args.server_log)


if __name__ == "__main__":
    main()
