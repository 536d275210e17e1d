#!/usr/bin/env python3
"""Benchmark: Chromium playback under loss (issue 15). Headless Chromium in the viewer namespace
of the network test bed (tests/e2e/netbed.py) plays the glass-to-glass publisher's stream
(bench/glass_to_glass.py: 720p30 H.264 at 2 Mbit/s, 2 s GOP, the capture time burnt into the
picture; video only) through the relay, one fresh page per row, and reports for each row:
frames per second, Chromium's freezes (count, total and longest), the share of lost packets
recovered, glass-to-glass latency (capture to render, read back from the picture by
bench/g2g_page.mjs) and the server's NACK and PLI counters for the viewer.

Rows: random downlink loss of 0, 1, 5, 10 and 20 % (nftables, media port only) and a burst
pattern (2 s of 25 % random loss every 10 s), each at 0 ms and 40 ms round trip (the relay:
half each way). The loss is on for the measured window only (after --warmup seconds); the
counters are read from just before it to --settle seconds after it, so repairs in flight land.

Recovered share: of the originals lost (Chromium's packetsLost counts every original that did
not arrive, repaired or not), the share the server NACKed and resent (its first resends:
`retransmitted` minus `second_copies` for the viewer). Chromium's retransmittedPacketsReceived
counts every RTX packet, the server's unasked second copy of each repair too, so it cannot say
which losses stayed lost; see tests/e2e/test_whep_lossy_network.py, which also checks that
Chromium completes the frames. A freeze is Chromium's (an inter-frame gap over max(3 frame times, a frame
time + 150 ms)); the longest one is read from 1 s samples (an upper bound when two end within
one second).

Usage (as root; re-executes itself in a fresh network namespace, about 40 s per row):
    python3 bench/network_quality.py --server build/src/app/airclass [--runs 1] [--seconds 25]
        [--loss 0 1 5 10 20 burst] [--rtt 0 40] [--json]"""
import json
import os
import statistics
import sys
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import chromium_bed as cb  # noqa: E402
import glass_to_glass as g2g  # noqa: E402
import netbed  # noqa: E402

BURST = [(8, 0), (2, 25)]  # seconds at each loss %, repeated over the window
SETTLE_S = 2.0
LOSSES = ["0", "1", "5", "10", "20", "burst"]


def apply_loss(bed, port, loss):
    """Starts the row's loss on the downlink; returns a Schedule to stop, or None."""
    if loss == "burst":
        return bed.loss_schedule("down", BURST, loop=True, port=port)
    bed.set_loss("down", float(loss), port=port)
    return None


def wait_join(srv, timeout=30):
    """Epoch seconds when the server first lists the page's viewer as sending video."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if cb.viewer_stats(srv).get("video_packets", 0) > 0:
                return time.time()
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the page's viewer did not appear at the server")


def play_row(args, bed, srv, loss, rtt_ms):
    """One page through the bed with this row's impairments; returns the raw readings."""
    bed.set_loss("down", 0)
    bed.relay.set(delay_ms=rtt_ms / 2)
    total = args.warmup + args.seconds + SETTLE_S + 2
    out = {}

    def page():
        try:
            out["rep"] = g2g.run_page("g2g_page.mjs", srv.whep_url() + "&quality=source", int(total + 0.5),
                                      ["--no-audio"], wrap=bed.viewer_prefix())
        except Exception as e:  # noqa: BLE001 - reported with the row
            out["error"] = str(e)

    thread = threading.Thread(target=page)
    thread.start()
    try:
        joined = wait_join(srv)
        time.sleep(max(0.0, joined + args.warmup - time.time()))
        r = {"srv_before": cb.viewer_stats(srv), "nft_before": bed.counters()["down"]}
        schedule = apply_loss(bed, srv.udp_port, loss)
        time.sleep(args.seconds)
        if schedule:
            schedule.stop()
        bed.set_loss("down", 0)
        r["nft_after"] = bed.counters()["down"]
        time.sleep(SETTLE_S)
        r["srv_after"] = cb.viewer_stats(srv)
    finally:
        thread.join(total + 120)
    if "error" in out:
        raise RuntimeError(out["error"])
    r["rep"] = out["rep"]
    return r


def longest_freeze(samples):
    longest = 0.0
    for a, b in zip(samples, samples[1:]):
        if (b.get("freezeCount") or 0) > (a.get("freezeCount") or 0):
            longest = max(longest, (b.get("totalFreezesDuration") or 0) -
                          (a.get("totalFreezesDuration") or 0))
    return longest


def analyse(args, r):
    """The row's figures from the page's report (page time: ms since its WHEP POST; the loss
    began warmup seconds after the server saw the viewer, a little after the POST)."""
    tl = [s for s in r["rep"]["timeline"] if s.get("framesDecoded") is not None]
    w0, w1 = args.warmup * 1000, (args.warmup + args.seconds) * 1000
    a = max((s for s in tl if s["t"] <= w0), key=lambda s: s["t"], default=tl[0] if tl else {})
    b = max((s for s in tl if s["t"] <= w1), key=lambda s: s["t"], default={})
    end = tl[-1] if tl else {}
    window = [s for s in tl if a.get("t", 0) <= s["t"] <= b.get("t", 0)]
    secs = (b.get("t", 0) - a.get("t", 0)) / 1000
    lost = cb.diff(end, a, "packetsLost")
    repaired = cb.diff(end, a, "retransmittedPacketsReceived")
    nft = {k: r["nft_after"][k] - r["nft_before"][k] for k in ("udp", "loss")}
    g2g_ms = g2g.summary(f["now"] for f in r["rep"]["frames"] if w0 <= f["t"] <= w1)
    srv = {k: cb.diff(r["srv_after"], r["srv_before"], k) for k in (
        "nacks", "retransmitted", "nacks_not_in_history", "nacks_over_budget", "nacks_too_soon",
        "plis", "paced_replays", "second_copies")}
    first_resends = srv["retransmitted"] - srv["second_copies"]
    return {
        "seconds": secs, "fps": cb.diff(b, a, "framesDecoded") / secs if secs > 0 else 0,
        "freezes": cb.diff(b, a, "freezeCount"),
        "freezeSeconds": cb.diff(b, a, "totalFreezesDuration"),
        "longestFreezeSeconds": longest_freeze(window),
        "lost": lost, "repaired": repaired, "firstResends": first_resends,
        "recovered": min(1, first_resends / lost) if lost > 0 else None,
        "nftDropped": nft["loss"], "nftUdp": nft["udp"],
        "nftDroppedPct": 100 * nft["loss"] / nft["udp"] if nft["udp"] else 0,
        "chromiumPlis": cb.diff(end, a, "pliCount"), "chromiumNacks": cb.diff(end, a, "nackCount"),
        "g2gP50": g2g_ms.get("p50"), "g2gP95": g2g_ms.get("p95"), "g2gSamples": g2g_ms["n"],
        "rttMs": r["srv_after"].get("rtt_ms"), "server": srv,
    }


def med(rows, key, sub=None):
    vals = [(x[sub] if sub else x).get(key) for x in rows]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec=".1f", suffix=""):
    return "-" if v is None else f"{v:{spec}}{suffix}"


def label(loss):
    return "25 % bursts (2 s in 10 s)" if loss == "burst" else f"{loss} % random"


def table(results, runs):
    print(f"\nmedians over {runs} run(s); window {results[0][2][0]['seconds']:.0f} s per row")
    print("| downlink loss | RTT | fps | freezes | frozen s | longest freeze s | recovered | "
          "glass-to-glass p50 / p95 ms | nft dropped | PLIs | NACKs not in history / over "
          "budget / too soon |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for loss, rtt, rows in results:
        rec = med(rows, "recovered")
        print(f"| {label(loss)} | {rtt} ms | {fmt(med(rows, 'fps'))} | "
              f"{fmt(med(rows, 'freezes'), 'g')} | {fmt(med(rows, 'freezeSeconds'), '.2f')} | "
              f"{fmt(med(rows, 'longestFreezeSeconds'), '.2f')} | "
              f"{fmt(None if rec is None else 100 * rec, '.2f', ' %')} | "
              f"{fmt(med(rows, 'g2gP50'), '.0f')} / {fmt(med(rows, 'g2gP95'), '.0f')} | "
              f"{fmt(med(rows, 'nftDroppedPct'), '.1f', ' %')} | "
              f"{fmt(med(rows, 'plis', 'server'), 'g')} | "
              f"{fmt(med(rows, 'nacks_not_in_history', 'server'), 'g')} / "
              f"{fmt(med(rows, 'nacks_over_budget', 'server'), 'g')} / "
              f"{fmt(med(rows, 'nacks_too_soon', 'server'), 'g')} |")
    for loss, rtt, rows in results:
        if loss == "10" and rtt == 40:
            fps, longest = med(rows, "fps"), med(rows, "longestFreezeSeconds")
            ok = fps is not None and fps >= 25 and longest is not None and longest <= 1.0
            print(f"\ntarget (10 % loss at 40 ms: >= 25 fps, no freeze over 1 s): "
                  f"{'met' if ok else 'MISSED'} ({fmt(fps)} fps, longest freeze "
                  f"{fmt(longest, '.2f')} s)")


def main():
    netbed.in_netbed()
    p = g2g.browser_bench_args(seconds=25, warmup=5)
    p.add_argument("--loss", nargs="+", default=LOSSES, choices=LOSSES,
                   help="downlink loss rows: percent, or burst (2 s of 25 %% every 10 s)")
    p.add_argument("--rtt", nargs="+", type=int, default=[0, 40], help="round trips, ms")
    args = p.parse_args()
    rows = [(loss, rtt) for rtt in args.rtt for loss in args.loss]
    per_row = args.warmup + args.seconds + SETTLE_S + 15
    results = {row: [] for row in rows}
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = g2g.publisher(srv.url(), int(len(rows) * args.runs * per_row + 60), audio=False)
        try:
            if not srv.wait_log("video H264", 15):
                raise RuntimeError("stream did not start")
            for run in range(args.runs):
                for loss, rtt in rows:
                    fig = analyse(args, play_row(args, bed, srv, loss, rtt))
                    fig.update(run=run, loss=loss, rttTarget=rtt, load=os.getloadavg()[0])
                    results[(loss, rtt)].append(fig)
                    print(f"run {run + 1} {label(loss)} {rtt} ms: {fig['fps']:.1f} fps, "
                          f"freezes {fig['freezes']} ({fig['freezeSeconds']:.2f} s), recovered "
                          f"{fmt(fig['recovered'] and 100 * fig['recovered'], '.2f', ' %')}, "
                          f"g2g p50 {fmt(fig['g2gP50'], '.0f')} p95 {fmt(fig['g2gP95'], '.0f')}"
                          f" ms, server {fig['server']}, load {fig['load']:.1f}")
                    sys.stdout.flush()
        finally:
            pub.kill()
            pub.wait()
    table([(loss, rtt, results[(loss, rtt)]) for loss, rtt in rows], args.runs)
    if args.json:
        print(json.dumps({"rows": [r for row in rows for r in results[row]]}))


if __name__ == "__main__":
    main()
