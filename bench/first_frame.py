#!/usr/bin/env python3
"""Benchmark: time from the WHEP POST to the first rendered frame in headless Chromium, joining
at a different phase of a long GOP each run (instant start from the GOP cache). Prints the
per-run figures and the median/p95. Usage:
    python3 bench/first_frame.py --server build/src/app/airclass [--runs 7] [--gop 6]
        [--server-env AIRCLASS_AV_SYNC=no] [--no-audio] [--quality 480p]
        [--cases source warm cold] [--trace]
Each run also shows when the answer came back and when Chromium had applied it: the rest is
Chromium's ICE/DTLS start, our GOP replay and its decoder (with an audio track, headless
Chromium starts ICE about 70 ms later than without).

--quality NAME appends &quality=NAME to the WHEP URL of every join. --cases compares, in one
run on one server and publisher, joins of the pass-through source with joins of the rendition
--quality names (480p unless given), each run in a rotated order:
  source  the pass-through stream, no encoder running;
  warm    a rendition already running: our C++ WHEP client (build/tools/whep_client) watches it
          in the background, so the join only asks the running encoder for an IDR;
  cold    a rendition nobody watches: the join starts its encoder, which decodes the source's
          GOP cache and encodes its newest picture as an IDR. The server runs with
          renditionIdleTimeout 1s; before each cold (and source) join the benchmark waits until
          the server has stopped every rendition.
Each join waits a random part of the source GOP first. The server log says when the viewer's
offer was accepted, when the rendition started and when ICE/DTLS completed; --trace adds the
first RTP packet of the viewer's video (AF_PACKET on lo) and the rendition encoders' counters
(/metrics polled every 20 ms): where the time to the first frame goes."""
import argparse
import datetime
import os
import random
import re
import signal
import statistics
import sys
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import harness as h  # noqa: E402
import glass_to_glass as g2g  # noqa: E402

LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ")
ENCODER_METRICS = ("frames_in", "frames_out", "keyframes")


def p95(values):
    """The nearest-rank 95th percentile, as this benchmark has always reported it."""
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


def log_epoch_ms(line):
    """The epoch milliseconds of a server log line (local time, as logging.cpp writes it)."""
    m = LOG_TIME.match(line)
    if not m:
        return None
    return datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000


def server_timeline(log, answered_ms, quality):
    """From the log written since a join began: the epoch ms of the POST (the server logs
    "offer accepted" as it answers: that minus the page's answeredMs, within a millisecond or
    two on loopback) and when (ms after it) the rendition started and the viewer connected,
    with the connect time the server measured itself."""
    out, times = {}, {}
    viewer = None
    for line in log.splitlines():
        t = log_epoch_ms(line)
        if t is None:
            continue
        m = re.search(r"viewer (\S+) of \S+ from \S+: offer accepted", line)
        if m and viewer is None:
            viewer, times["accepted"] = m.group(1), t
        if quality and f"starting rendition {quality} " in line and "rendition" not in times:
            times["rendition"] = t
        m = re.search(r"viewer (\S+) of \S+ connected from \S+ in (-?\d+) ms", line)
        if m and viewer is not None and m.group(1) == viewer:
            times["connected"] = t
            out["serverConnectMs"] = int(m.group(2))
            break
    if "accepted" not in times:
        return out, None
    posted = times["accepted"] - answered_ms
    if "rendition" in times:
        out["renditionStartMs"] = times["rendition"] - posted
    if "connected" in times:
        out["connectedMs"] = times["connected"] - posted
    return out, posted


class EncoderPoll:
    """Polls /metrics every 20 ms and keeps the rendition encoders' counters: when the GOP cache
    was decoded (frames in) and the first picture came out. A request on a loaded machine may
    take 100-500 ms, so each sample keeps when it was asked and when it was answered."""

    def __init__(self, srv):
        self.srv = srv
        self.samples = []  # (epoch ms asked, epoch ms answered, {counter: value})
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read(self):
        status, text, _ = self.srv.api("GET", "/metrics")
        vals = {}
        for name in ENCODER_METRICS:
            m = re.search(rf"^airclass_video_encoder_{name}_total (\S+)$", text, re.M) \
                if status == 200 else None
            vals[name] = float(m.group(1)) if m else None
        return vals

    def _run(self):
        while not self.stop:
            asked = time.time() * 1000
            vals = self._read()
            self.samples.append((asked, time.time() * 1000, vals))
            time.sleep(0.02)

    def close(self):
        self.stop = True
        self.thread.join(2)

    def at_post(self, name, posted_ms):
        before = [v[name] for a, _, v in self.samples if a <= posted_ms and v[name] is not None]
        return before[-1] if before else 0

    def first_change(self, name, posted_ms):
        """(after, by, sample): ms after the POST between which `name` first rose above its
        value at the POST (after the previous sample was asked for, by the time this one was
        answered), and that sample's counters."""
        base = self.at_post(name, posted_ms)
        prev_asked = posted_ms
        for asked, answered, v in self.samples:
            if answered > posted_ms and v[name] is not None and v[name] > base:
                return max(prev_asked, posted_ms) - posted_ms, answered - posted_ms, v
            prev_asked = asked
        return None


def answer_video_ssrc(answer):
    """The SSRC the server sends this viewer's video with (the answer's video m-section)."""
    video = (answer or "").split("m=video", 1)
    if len(video) < 2:
        return None
    m = re.search(r"^a=ssrc:(\d+) ", video[1].split("m=audio", 1)[0], re.M)
    return int(m.group(1)) if m else None


def join(srv, url, args, quality):
    """One Chromium join; returns its report with the server's timeline (and, with --trace,
    the first RTP packet and the encoder's counters) in ms after the POST."""
    log_start = len(srv.log_text())
    cap = g2g.RtpCapture(srv.udp_port) if args.trace else None
    poll = EncoderPoll(srv) if args.trace else None
    try:
        rep = h.whep_browser(url, 2, no_audio=args.no_audio)
    finally:
        if cap:
            cap.close()
        if poll:
            poll.close()
    if rep.get("answeredMs") is None:
        return rep
    rep["server"], posted = server_timeline(srv.log_text()[log_start:], rep["answeredMs"],
                                            quality)
    if posted is None:
        return rep
    if cap:
        # A rendition's packets carry one SSRC for all its viewers: the viewer's are the first
        # ones to a port that got none before the POST (the background viewer's).
        ssrc = answer_video_ssrc(rep.get("answer"))
        before = {p[5] for p in cap.packets if p[1] == ssrc and p[0] / 1e6 <= posted}
        first = next((p[0] for p in cap.packets
                      if p[1] == ssrc and p[5] not in before and p[0] / 1e6 > posted), None)
        rep["server"]["firstRtpMs"] = None if first is None else first / 1e6 - posted
    if poll:
        for name in ENCODER_METRICS:
            change = poll.first_change(name, posted)
            rep["server"][f"encoder_{name}_ms"] = change[:2] if change else None
            if name == "frames_out" and change:
                # Source frames the encoder had taken when its first picture came out: the GOP
                # cache it decoded first (cold) or the frames until the requested IDR (warm).
                rep["server"]["encoderFramesInAtFirstOut"] = \
                    change[2]["frames_in"] - poll.at_post("frames_in", posted)
        rep["server"]["pollMaxGapMs"] = max(
            (b[1] - a[1] for a, b in zip(poll.samples, poll.samples[1:])), default=None)
    return rep


class Keeper:
    """Our C++ WHEP client watching one rendition in the background, so that it keeps running."""

    def __init__(self, binary):
        self.binary = binary
        self.proc = None
        self.reports = []

    def start(self, srv, url):
        if self.proc is not None:
            return
        connected = srv.log_text().count(" connected from ")
        self.proc = h.whep_client(self.binary, url, 3600, extra=["--no-audio"])
        if not srv.wait_log(" connected from ", 10, count=connected + 1):
            raise RuntimeError("the rendition's background viewer did not connect")
        time.sleep(1.5)  # the encoder is past its start and encoding live pictures

    def stop(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)  # it DELETEs its session: the rendition idles
        self.reports.append(self.proc.result(timeout=20))
        self.proc = None


def describe(label, rep):
    ms = rep.get("firstFrameMs")
    if not ms:
        return f"{label}: none ({rep.get('error', 'no frame')})"
    s = rep.get("server", {})
    parts = [f"{k} {s[k]:.0f}" for k in ("renditionStartMs", "connectedMs", "firstRtpMs",
                                          "encoderFramesInAtFirstOut", "pollMaxGapMs")
             if s.get(k) is not None]
    parts += [f"{k} {s[k][0]:.0f}-{s[k][1]:.0f}" for k in (
        "encoder_frames_in_ms", "encoder_frames_out_ms", "encoder_keyframes_ms")
        if s.get(k) is not None]
    return (f"{label}: first frame {ms:.0f} ms after POST (answer at "
            f"{rep.get('answeredMs', 0):.0f}, applied at {rep.get('remoteSetMs', 0):.0f}"
            f"{'; server: ' + ', '.join(parts) if parts else ''}) {rep.get('firstFrameSize')}")


def summarize(label, reps):
    firsts = sorted(r["firstFrameMs"] for r in reps if r.get("firstFrameMs"))
    if not firsts:
        print(f"{label}: no frame in {len(reps)} joins")
        return
    line = (f"{label}: first frame median {statistics.median(firsts):.0f} ms, p95 "
            f"{p95(firsts):.0f} ms, min {firsts[0]:.0f} ms, max {firsts[-1]:.0f} ms over "
            f"{len(firsts)} runs")
    phases = []
    for key in ("connectedMs", "renditionStartMs", "firstRtpMs"):
        vals = [r["server"][key] for r in reps if r.get("server", {}).get(key) is not None]
        if vals:
            phases.append(f"{key} median {statistics.median(vals):.0f}")
    print(line + (f" ({', '.join(phases)})" if phases else ""))


def run_cases(srv, args, rnd):
    """--cases: each run joins every case once, in an order rotated run by run."""
    client = args.whep_client or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.server)))),
        "tools", "whep_client", "whep_client")
    keeper = Keeper(client)
    results = {c: [] for c in args.cases}
    rendition_url = srv.whep_url() + f"&quality={args.quality}"
    try:
        for i in range(args.runs):
            order = args.cases[i % len(args.cases):] + args.cases[:i % len(args.cases)]
            for case in order:
                if case == "warm":
                    keeper.start(srv, rendition_url)
                else:
                    keeper.stop()
                    if not g2g.wait_renditions_stopped(srv, 10):
                        print("warning: a rendition did not stop in 10 s", file=sys.stderr)
                time.sleep(rnd.uniform(0.2, args.gop))
                url = srv.whep_url() + "&quality=source" if case == "source" else rendition_url
                rep = join(srv, url, args, None if case == "source" else args.quality)
                results[case].append(rep)
                print(describe(f"run {i + 1} {case}", rep))
                sys.stdout.flush()
    finally:
        keeper.stop()
    for r in keeper.reports:
        v = r.get("video") or {}
        print(f"background viewer: exit {r.get('exit_code')}, video {v.get('packets')} packets, "
              f"{v.get('frames')} frames, {v.get('width')}x{v.get('height')}", file=sys.stderr)
    print(f"\n{args.quality}: source = pass-through; warm = rendition running (IDR on join); "
          "cold = rendition started by the join")
    for case in args.cases:
        summarize(case, results[case])


def main():
    h.in_private_netns()
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--gop", type=float, default=6.0)
    p.add_argument("--no-audio", action="store_true", help="publish and play video only")
    p.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                   help="extra server environment, e.g. AIRCLASS_AV_SYNC=no")
    p.add_argument("--quality", default=None,
                   help="append &quality=NAME to the WHEP URL (source, 720p, 480p, 240p)")
    p.add_argument("--cases", nargs="+", choices=["source", "warm", "cold"], default=None,
                   help="compare joins of the source and of the --quality rendition (480p "
                   "unless given) running already (warm) or started by the join (cold)")
    p.add_argument("--whep-client", default=None,
                   help="our WHEP client (--cases warm); default: beside --server's build")
    p.add_argument("--trace", action="store_true",
                   help="also time the viewer's first RTP packet and the encoders' counters")
    args = p.parse_args()
    if args.cases and not args.quality:
        args.quality = "480p"
    env = dict(kv.split("=", 1) for kv in args.server_env)
    extra = "airclass:\n  renditionIdleTimeout: 1s\n" if args.cases else ""
    rnd = random.Random(7)
    seconds = 30 + args.runs * (12 if not args.cases else 20 * len(args.cases))
    with h.Server(args.server, webrtc=True, env=env, extra_yaml=extra) as srv:
        pub = h.ffmpeg_publish(srv.url(), seconds, gop=int(args.gop * 30),
                               video_args=h.VIDEO_2M, audio=not args.no_audio)
        try:
            if not srv.wait_log("video H264", 30):
                raise RuntimeError("the publisher did not start in 30 s")
            if args.cases:
                run_cases(srv, args, rnd)
            else:
                run_one_case(srv, args, rnd)
        finally:
            pub.kill()
            pub.wait()


def run_one_case(srv, args, rnd):
    """Every run joins the same URL (with --quality, that rendition), as the benchmark always
    did."""
    url = srv.whep_url() + (f"&quality={args.quality}" if args.quality else "")
    reps = []
    for i in range(args.runs):
        time.sleep(rnd.uniform(0.2, args.gop))
        rep = join(srv, url, args, args.quality)
        reps.append(rep)
        print(describe(f"run {i + 1}", rep))
    firsts = sorted(r["firstFrameMs"] for r in reps if r.get("firstFrameMs"))
    if firsts:
        print(f"first frame: median {statistics.median(firsts):.0f} ms, p95 {p95(firsts):.0f} ms, "
              f"min {firsts[0]:.0f} ms, max {firsts[-1]:.0f} ms over {len(firsts)} runs")


if __name__ == "__main__":
    main()
