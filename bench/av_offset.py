#!/usr/bin/env python3
"""Benchmark: how far the sound trails the picture in headless Chromium over WHEP, per avSync.

avSync (AIRCLASS_AV_SYNC) decides whether the WHEP answer puts audio and video in one msid
stream (yes: Chromium lip-syncs, the video waits for the audio jitter buffer) or in two (no:
the video plays at once, the audio trails it). ITU-R BT.1359 finds audio up to ~125 ms behind
the picture undetectable and up to ~185 ms acceptable, so the figure that decides the default
is the offset a student sees and hears.

Method: the flash+beep publisher of tests/e2e/test_whep_av_sync.py (the picture flashes white
and a 1 kHz beep starts at the same instant once a second; a keyframe at each flash) publishes
over RTMP; bench/av_offset_page.mjs plays the WHEP stream on an unmuted <video> (as the student
page does) and times both ends in performance.now():
  picture: the first bright frame after a dark one, on requestVideoFrameCallback (its
           expectedDisplayTime; `now` too).
  sound (the figure): the sound the <video> element plays. A MediaStreamTrackProcessor on the
           remote audio track receives each 10 ms chunk as the element's renderer pulls it
           from NetEq, stamped with that pull (performance.now() timebase in Chromium 156;
           checked: the smallest receipt - stamp is kept as a correction and is ~0); the
           element's device plays it getStats media-playout totalPlayoutDelay per sample later.
  sound (Web Audio, as a cross-check): an AudioWorklet on the same track; the onset's context
           time maps to performance.now() through getOutputTimestamp(), which already includes
           the output latency (Chromium's AudioDestination: position = frames rendered -
           hardware delay); "+outLat" adds outputLatency once more, an upper bound. This sink
           is an extra Web Audio device with its own output latency, not what the student hears.
Each flash pairs with the nearest onset within 500 ms; offset = sound - picture (positive:
audio late). Beep onset: first sample above 0.1 within 30 ms after >= 300 ms below 0.02.
The publisher's and the server's own A/V alignment are part of the figure
(test_whep_av_sync.py bounds them at 45 ms). Chromium's lip sync converges in steps over
~25 s after joining, so the table shows the first 10 s ("join") and the last 10 s ("settled")
apart, and Chromium's own view (video - audio estimatedPlayoutTimestamp).

Every mode gets its own server (the variable is read at start) and publisher; the mode order
alternates run by run so that drift in machine load does not favour one mode.

Usage (re-executes itself inside `unshare -n`):
    python3 bench/av_offset.py --server build/src/app/airclass [--runs 2] [--seconds 20]
        [--modes yes no] [--no-smoothing] [--json]"""
import json
import os
import statistics
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import glass_to_glass as g2g  # noqa: E402
import harness as h  # noqa: E402
from test_whep_av_sync import publish  # noqa: E402

PAIR_WINDOW_MS = 500
PHASE_S = 10  # "join": the first PHASE_S s after the POST; "settled": the last PHASE_S s


def pair(flashes, beeps, video_key, audio_key):
    """For each flash, the nearest beep within PAIR_WINDOW_MS: (flash time since the POST,
    audio - video in ms). A flash whose callback followed skipped frames may be a frame late:
    left out."""
    pairs = []
    for f in flashes:
        if f.get("skipped", 0) > 0 or f.get(video_key) is None:
            continue
        near = min(beeps, key=lambda b: abs(b[audio_key] - f[video_key]), default=None)
        if near is not None and abs(near[audio_key] - f[video_key]) <= PAIR_WINDOW_MS:
            pairs.append((f["t"], near[audio_key] - f[video_key]))
    return pairs


def offset_summary(pairs, end_ms):
    s = g2g.summary(o for _, o in pairs)
    if s["n"]:
        s["absP95"] = g2g.pct(sorted(abs(o) for _, o in pairs), 0.95)
        join = [o for t, o in pairs if t < PHASE_S * 1000]
        settled = [o for t, o in pairs if t >= end_ms - PHASE_S * 1000]
        s["joinP50"] = statistics.median(join) if join else None
        s["settledP50"] = statistics.median(settled) if settled else None
    return s


def playout_delay_ms(timeline, warmup_ms):
    """The element's audio output delay: media-playout totalPlayoutDelay per sample."""
    tl = [x for x in timeline if x["t"] >= warmup_ms and x.get("playoutSamplesCount")]
    if len(tl) < 2 or tl[-1]["playoutSamplesCount"] == tl[0]["playoutSamplesCount"]:
        return None
    a, b = tl[0], tl[-1]
    return 1000 * (b["playoutTotalDelay"] - a["playoutTotalDelay"]) / \
        (b["playoutSamplesCount"] - a["playoutSamplesCount"])


def chromium_sync_ms(timeline, end_ms):
    """Chromium's own view of the offset, settled: video - audio estimatedPlayoutTimestamp
    (both in the sender's NTP ms) over the last PHASE_S s."""
    d = [x["estimatedPlayoutTimestamp"] - x["audioEstimatedPlayoutTimestamp"] for x in timeline
         if x["t"] >= end_ms - PHASE_S * 1000 and x.get("estimatedPlayoutTimestamp")
         and x.get("audioEstimatedPlayoutTimestamp")]
    return statistics.median(d) if d else None


def browser_run(url, seconds, warmup, no_smoothing):
    rep = g2g.run_page("av_offset_page.mjs", url, seconds + warmup,
                       ["--no-smoothing"] if no_smoothing else [])
    end_ms = (seconds + warmup) * 1000
    flashes = [f for f in rep["flashes"] if f["t"] >= warmup * 1000]
    beeps = [b for b in rep["beeps"] if b["t"] >= warmup * 1000]
    for b in beeps:  # the map already holds outputLatency: adding it once more is an upper bound
        b["speakerPlusLatency"] = b["speaker"] + b["outputLatency"]
    tap = rep.get("tap") or {}
    element_delay = playout_delay_ms(rep["timeline"], warmup * 1000)
    tap_beeps = []
    if tap.get("calibMs") is not None and element_delay is not None:
        tap_beeps = [dict(b, element=b["stamp"] + tap["calibMs"] + element_delay)
                     for b in tap.get("beeps", []) if b["t"] >= warmup * 1000]
    levels = [x for x in rep["levels"] if x["t"] >= warmup * 1000]
    return {
        "flashes": len(flashes), "beeps": len(beeps), "tapBeeps": len(tap_beeps),
        "skippedFlashes": sum(1 for f in flashes if f.get("skipped", 0) > 0),
        "offset": offset_summary(pair(flashes, tap_beeps, "display", "element"), end_ms),
        "offsetVsNow": offset_summary(pair(flashes, tap_beeps, "now", "element"), end_ms),
        "webAudio": offset_summary(pair(flashes, beeps, "display", "speaker"), end_ms),
        "webAudioRendered": offset_summary(pair(flashes, beeps, "display", "rendered"), end_ms),
        "webAudioPlusLatency": offset_summary(
            pair(flashes, beeps, "display", "speakerPlusLatency"), end_ms),
        "chromiumSyncMs": chromium_sync_ms(rep["timeline"], end_ms),
        "elementOutputDelayMs": element_delay,
        "outputLatencyMs": statistics.median(b["outputLatency"] for b in beeps) if beeps else None,
        "baseLatencyMs": statistics.median(b["baseLatency"] for b in beeps) if beeps else None,
        # Per second of Web Audio sound: the loudest sample and the longest quiet stretch (an
        # onset needs 300 ms), to tell "no sound reaches the page" from "no onset found".
        "audioPeakMedian": statistics.median(x["peak"] for x in levels) if levels else None,
        "audioLongestQuietMedianMs": statistics.median(x["quietMs"] for x in levels)
        if levels else None,
        "tap": {k: v for k, v in tap.items() if k != "beeps"},
        "audioContext": rep.get("audioContext"),
        "stats": g2g.stats_window(rep["timeline"], warmup * 1000),
    }


def one_mode(args, mode, workdir):
    """A server with AIRCLASS_AV_SYNC=mode, the flash+beep publisher, one browser."""
    os.makedirs(workdir, exist_ok=True)
    srv = h.Server(args.server, webrtc=True, workdir=workdir, env={"AIRCLASS_AV_SYNC": mode})
    with srv:
        pub = publish(srv, args.seconds + args.warmup + 60)
        try:
            if not srv.wait_log("audio AAC", 15):
                raise RuntimeError("stream did not start")
            res = browser_run(srv.whep_url() + "&quality=source", args.seconds, args.warmup, args.no_smoothing)
        finally:
            pub.kill()
            pub.wait()
    res["serverLogProblems"] = g2g.server_log_problems(srv.log_text())
    for line in res["serverLogProblems"][:10]:
        print(f"server log ({mode}): {line}", file=sys.stderr)
    return res


def one_run(args, index, workdir):
    run = {"loadavg": os.getloadavg()[0]}
    modes = args.modes if index % 2 == 0 else list(reversed(args.modes))
    for mode in modes:
        run[mode] = one_mode(args, mode, os.path.join(workdir, f"run{index}-{mode}"))
    return run


def report(runs, modes):
    med, fmt = g2g.med, g2g.fmt
    print(f"\nmedian over {len(runs)} run(s) of each run's figure; offset = audio out - picture "
          "shown, positive: audio late")
    print("element: the <video> element's sound (NetEq pull + media-playout delay); web audio: "
          "the AudioContext tap (getOutputTimestamp)")
    print(f"{'avSync':<6} {'pairs':>5} {'median':>8} {'join':>8} {'settled':>8} {'p95|o|':>8} "
          f"{'min':>8} {'max':>8} | {'web aud':>8} {'+outLat':>8} | {'Cr sync':>8} "
          f"{'el.out':>7} {'outLat':>7} {'A jbuf':>7} {'V jbuf':>7}")
    for m in modes:
        o, w = (m, "offset"), (m, "webAudio")
        print(f"{m:<6} {fmt(med(runs, *o, 'n'), ''):>5} {fmt(med(runs, *o, 'p50'), ''):>8} "
              f"{fmt(med(runs, *o, 'joinP50'), ''):>8} {fmt(med(runs, *o, 'settledP50'), ''):>8} "
              f"{fmt(med(runs, *o, 'absP95'), ''):>8} {fmt(med(runs, *o, 'min'), ''):>8} "
              f"{fmt(med(runs, *o, 'max'), ''):>8} | {fmt(med(runs, *w, 'p50'), ''):>8} "
              f"{fmt(med(runs, m, 'webAudioPlusLatency', 'p50'), ''):>8} | "
              f"{fmt(med(runs, m, 'chromiumSyncMs'), ''):>8} "
              f"{fmt(med(runs, m, 'elementOutputDelayMs'), ''):>7} "
              f"{fmt(med(runs, m, 'outputLatencyMs'), ''):>7} "
              f"{fmt(med(runs, m, 'stats', 'audioJitterBufferDelayMs'), ''):>7} "
              f"{fmt(med(runs, m, 'stats', 'jitterBufferDelayMs'), ''):>7}")
    print("(ms; join/settled: median of the first/last 10 s; Cr sync: video - audio "
          "estimatedPlayoutTimestamp, last 10 s; el.out: element output delay; outLat: "
          "AudioContext.outputLatency; jbuf: getStats jitterBufferDelay per sample/frame)")


def main():
    h.in_private_netns()
    p = g2g.browser_bench_args(seconds=20, warmup=2)
    p.add_argument("--modes", nargs="+", default=["yes", "no"], choices=["yes", "no"],
                   help="AIRCLASS_AV_SYNC values, order alternated per run")
    p.add_argument("--no-smoothing", action="store_true",
                   help="Chromium with --disable-rtc-smoothness-algorithm")
    args = p.parse_args()
    runs = g2g.run_all(args.runs, "airclass-avoffset-", lambda i, w: one_run(args, i, w),
                       lambda run: ", ".join(
                           f"avSync {m}: {run[m]['offset'].get('n', 0)} pairs, median "
                           f"{g2g.fmt(run[m]['offset'].get('p50'))} (settled "
                           f"{g2g.fmt(run[m]['offset'].get('settledP50'))}), web audio "
                           f"{g2g.fmt(run[m]['webAudio'].get('p50'))}" for m in args.modes))
    report(runs, args.modes)
    if args.json:
        print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
