#!/usr/bin/env python3
"""Benchmark: glass-to-glass latency, capture to render in headless Chromium over WHEP.

ffmpeg stamps every frame with the wall clock at capture (settb=AVTB,setpts=RTCTIME, then a geq
painting the epoch milliseconds as 16x16 black/white blocks plus an inverted check row), encodes
720p30 H.264 at 2 Mbit/s (x264 ultrafast zerolatency baseline, 2 s GOP) + AAC and publishes over
RTMP; bench/g2g_page.mjs reads the stamp back on every requestVideoFrameCallback. One clock on one
machine, so `render - stamp` is the true latency. Both Chromium renderers are measured: the stock
one (frame smoothing on) and --disable-rtc-smoothness-algorithm (off).

The publisher's share is measured apart: the same stamped publisher writes FLV to a pipe here,
and each video tag's arrival is matched with that frame's capture time (showinfo logs RTCTIME),
so glass-to-glass = publisher (capture -> x264 -> FLV mux) + server + loopback + Chromium (jitter
buffer, decode, render). The page also reports rVFC receiveTime (last packet of the frame in) and
Chromium's getStats per-frame jitter buffer, decode and processing delays.

--publisher ffmpeg (default) is one ffmpeg muxing audio and video into one FLV/RTMP output: the
muxer interleaves by dts, so with audio each video packet waits for a later audio packet.
--publisher phone sends like a phone (RootEncoder): the same ffmpeg writes video and audio to two
single-stream FLV pipes and bench/phone_publisher.py sends each tag over RTMP as it completes.

--qualities source 480p plays each mode once per quality (?quality= on the WHEP URL), back to
back and in alternating order, on one publisher and one server (renditionIdleTimeout 1 s, so
that an encoder stops before the next play), and reports each rendition's glass-to-glass minus
the source's in the same run. The page reads the stamp back at the rendition's scaled
positions; the 16 px blocks survive 854x480 and 426x240 (--stamp-block 32 for more margin: 24
bits, epoch milliseconds modulo 2^24, completed by the page).

Usage (re-executes itself inside `unshare -n`):
    python3 bench/glass_to_glass.py --server build/src/app/airclass [--runs 3] [--seconds 30]
        [--modes off on] [--no-audio] [--publisher ffmpeg|phone] [--json]
        [--qualities source 480p [240p ...]] [--stamp-block 16|32]"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import harness as h  # noqa: E402
import phone_publisher as pp  # noqa: E402

BITS = 44  # 2^44 ms: epoch milliseconds until the year 2527
SIZE, RATE, BLOCK = "1280x720", 30, 16
SOURCE_WIDTH = 1280
# The stamp as published: (bits, block size in pixels). The 16 px blocks survive the server's
# downscaling (854x480 at 1 Mbit/s and 426x240 at 300 kbit/s: 10.7 and 5.3 px blocks, weakest
# block contrast 238-255 of 255, no read rejected); --stamp-block 32 gives more margin: 24
# bits of 32 px (768 x 64 px) hold the epoch milliseconds modulo 2^24 (4.6 hours), which the
# page completes from its own clock.
STAMP = (BITS, BLOCK)
SCALED_STAMP = (24, 32)
# ffmpeg holds each video packet until an audio packet with a later dts is muxed (AAC: 32 ms
# packets, plus encoder delay): about 80 ms with the default 10 s interleave bound, about 35 ms
# with this. Phones send as they encode.
INTERLEAVE = ["-max_interleave_delta", "1"]
# AAC frames are 1024 samples: 32 ms at 32 kHz (the figures in RESULTS.md), 21.3 ms at 48 kHz
# (what phone encoders use); the transcoder's 20 ms Opus packets come out in steps of a frame.
AUDIO_RATE = 32000


def stamp_graph(bits=BITS, block=BLOCK):
    """The filter graph that burns the capture time into the top-left corner. Without settb=AVTB
    RTCTIME is rounded to the frame interval; the stamp is rounded to the nearest millisecond.
    With fewer than 44 bits it is the low `bits` bits of the epoch milliseconds."""
    w = bits * block
    ms = "floor(T*1000+0.5)"
    bit = f"mod(floor({ms}/pow(2\\,floor(X/{block})))\\,2)"
    lum = f"if(lt(Y\\,{block})\\,255*{bit}\\,255-255*{bit})"
    return (f"[0:v]settb=AVTB,setpts=RTCTIME,split[a][b];"
            f"[b]crop={w}:{2 * block}:0:0,showinfo,geq=lum='{lum}':cb=128:cr=128[s];"
            f"[a][s]overlay=0:0,setpts=PTS-STARTPTS[v]")


def _stamped_input(audio, probe):
    """ffmpeg up to the filter graph: the stamped 720p30 source and, with audio, a 1 kHz sine."""
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "info" if probe else "error",
           "-re", "-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate={RATE}[out0]" +
           (f";sine=frequency=1000:sample_rate={AUDIO_RATE}[out1]" if audio else "")]
    # One lavfi input for both: with two -re inputs and a filter graph, ffmpeg 5.1 starves the
    # video (about 12 fps).
    return cmd + ["-filter_complex", stamp_graph(*STAMP)]


def _video_codec(gop_s):
    gop = str(int(gop_s * RATE))
    return h.VIDEO_2M + ["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"]


def _audio_codec():
    return ["-c:a", "aac", "-ar", str(AUDIO_RATE), "-ac", "2", "-b:a", "64k"]


def publisher(url, seconds, gop_s=2.0, audio=True, probe=False):
    """The stamped 720p30 publisher: x264 as harness.VIDEO_2M, GOP gop_s, AAC 32 kHz stereo.
    With probe, showinfo logs each frame's capture time on stderr (a pipe the caller reads);
    otherwise stderr goes nowhere, so a full pipe never stalls the encoder."""
    cmd = _stamped_input(audio, probe) + ["-map", "[v]"]
    if audio:
        cmd += ["-map", "0:a"]
    cmd += ["-t", str(seconds)] + _video_codec(gop_s)
    if audio:
        cmd += _audio_codec()
    cmd += ["-flush_packets", "1"] + INTERLEAVE + ["-f", "flv", url]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if probe else subprocess.DEVNULL,
                            stderr=subprocess.PIPE if probe else subprocess.DEVNULL)


def split_publisher(seconds, gop_s=2.0, audio=True, probe=False):
    """The same encoder as publisher(), but two single-stream FLV outputs: video on stdout,
    audio on a second pipe. A muxer with one stream has nothing to interleave, so each packet
    is written when the encoder returns it, as a phone sends. One process and one input: both
    outputs share the input timeline. Returns (process, video file, audio file or None)."""
    cmd = _stamped_input(audio, probe) + ["-map", "[v]", "-t", str(seconds)] + \
        _video_codec(gop_s)
    rfd = wfd = None
    if audio:
        # The AAC encoder's priming packet has dts -1024 samples; a muxer shifts all its streams
        # so that this is 0. publisher()'s one muxer moves video with it (first video frame at
        # 32 ms at 32 kHz); here only the audio output would move, so video moves by hand.
        cmd += ["-output_ts_offset", f"{1024 / AUDIO_RATE:.6f}"]
    cmd += ["-flush_packets", "1", "-f", "flv", "pipe:1"]
    if audio:
        rfd, wfd = os.pipe()
        cmd += ["-map", "0:a", "-t", str(seconds)] + _audio_codec() + \
            ["-flush_packets", "1", "-f", "flv", f"pipe:{wfd}"]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE if probe else subprocess.DEVNULL,
                                pass_fds=() if wfd is None else (wfd,))
    except OSError:
        if rfd is not None:
            os.close(rfd)
        raise
    finally:
        if wfd is not None:
            os.close(wfd)  # the child holds it: EOF here when ffmpeg exits
    return proc, proc.stdout, None if rfd is None else os.fdopen(rfd, "rb")


def _flv_video_arrivals(f, arrivals, first_ts=None):
    """Appends (arrival time in epoch ms, FLV timestamp) of every coded video frame in an FLV
    byte stream; first_ts (a dict) gets the FLV timestamp of the first coded video and audio
    frame."""
    for tag_type, ts, body in pp.read_flv_tags(f):
        if len(body) > 1 and body[1] == 1:  # AVC NALU / AAC raw (not a sequence header)
            if tag_type == 9:
                arrivals.append((time.time() * 1000, ts))
            if first_ts is not None and tag_type in (8, 9):
                first_ts.setdefault("video" if tag_type == 9 else "audio", ts)


def _showinfo_captures(f, captures):
    """The capture time (epoch ms, from RTCTIME) of frame n, as showinfo logs it."""
    pat = re.compile(rb"n:\s*(\d+)\s+pts:\s*(\d+)")
    for line in f:
        m = pat.search(line)
        if m and int(m.group(1)) == len(captures):
            captures.append(int(m.group(2)) / 1000)


def _match_frames(captures, arrivals, skip):
    """Latency of each coded frame: arrival minus the capture time of the same frame. Frame n
    is not always the n-th tag: the FLV muxer makes ffmpeg 5.1 sync video as VFR on a 1/RATE
    encoder time base (fftools do_video_out), which drops a frame that comes in 1.6 slots or
    more behind the next free slot (after a stall on a loaded box) and moves a later one to its
    rounded slot. That rule is replayed on the capture times (the frame's pts is capture minus
    first capture) and each tag is paired with the frame the replay puts in its slot; from the
    first tag whose slot the replay does not predict on, nothing is paired. Slots below `skip`
    are the warm-up. Returns (latencies, tags paired before a mismatch)."""
    if not captures or not arrivals:
        return [], 0
    out, next_slot = [], 0  # (slot, capture) of each frame that reaches the encoder
    for c in captures:
        x = (c - captures[0]) * RATE / 1000
        if x - next_slot <= -1.6:  # delta = x - next + duration(1) <= -0.6: dropped
            continue
        if x >= next_slot:  # otherwise clipped to the next slot
            next_slot = round(x)
        out.append((next_slot, c))
        next_slot += 1
    ts0 = arrivals[0][1]  # frame 0 is never dropped
    lat, paired = [], 0
    for (arrival, ts), (slot, capture) in zip(arrivals, out):
        if round((ts - ts0) * RATE / 1000) != slot:
            break
        paired += 1
        if slot >= skip:
            lat.append(arrival - capture)
    return lat, paired


def encode_probe(seconds, warmup, audio=True, phone=False):
    """The publisher's own share: capture (RTCTIME) -> x264 -> FLV mux, read from its stdout
    as each video tag arrives (the RTMP hop on loopback adds no measurable time). Frame n's
    capture time comes from showinfo on the stamp branch. With phone, the video-only pipe of
    split_publisher() is timed and its audio pipe drained. Returns latencies after the warm-up
    and the first coded video / audio FLV timestamps (one clock: they should be a frame apart
    at most)."""
    first_ts, drain = {}, None
    if phone:
        pub, video, audio_pipe = split_publisher(seconds + warmup, audio=audio, probe=True)
        if audio_pipe is not None:
            drain = threading.Thread(target=_flv_video_arrivals, args=(audio_pipe, [], first_ts),
                                     daemon=True)
            drain.start()
    else:
        pub = publisher("pipe:1", seconds + warmup, audio=audio, probe=True)
        video = pub.stdout
    captures, arrivals = [], []
    t = threading.Thread(target=_showinfo_captures, args=(pub.stderr, captures), daemon=True)
    t.start()
    try:
        _flv_video_arrivals(video, arrivals, first_ts)
    finally:
        if pub.poll() is None:
            pub.kill()
        pub.wait()
        t.join(5)
        if drain is not None:
            drain.join(5)
            audio_pipe.close()
    lat, paired = _match_frames(captures, arrivals, warmup * RATE)
    if paired < len(arrivals):
        print(f"encode probe: {len(arrivals) - paired} of {len(arrivals)} video tags not paired "
              "with a capture (ffmpeg's frame sync did not go as replayed)", file=sys.stderr)
    return {"latency": summary(lat), "captured": len(captures), "sent": len(arrivals),
            "paired": paired, "firstTs": first_ts}


class RtpCapture:
    """Records the kernel arrival time of every RTP packet the server sends from its UDP port,
    with an AF_PACKET socket on lo (root, inside the bench's own namespace; no tcpdump). SRTP
    leaves the RTP header in clear (RFC 3711 3.1), so SSRC, sequence number and timestamp are
    readable: enough to see the arrival pattern NetEq sees."""

    def __init__(self, udp_port):
        import socket
        self.port = udp_port
        self.packets = []  # (arrival ns, ssrc, payload type, timestamp, size, destination port)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))
        self.sock.bind(("lo", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        import socket
        while not self.stop:
            try:
                data, anc, _, addr = self.sock.recvmsg(2048, 64)
            except socket.timeout:
                continue
            if addr[2] != 0 or len(data) < 14 + 20 + 8 + 12:  # PACKET_HOST only: once per packet
                continue
            ip = data[14:]
            if ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            udp = ip[(ip[0] & 15) * 4:]
            if int.from_bytes(udp[0:2], "big") != self.port:
                continue
            rtp = udp[8:]
            if rtp[0] >> 6 != 2 or 64 <= (rtp[1] & 0x7F) < 96:  # not RTP, or RTCP (RFC 5761 4)
                continue
            t = None
            for level, kind, val in anc:
                if level == socket.SOL_SOCKET and kind == 35:
                    sec, nsec = int.from_bytes(val[0:8], "little"), int.from_bytes(val[8:16], "little")
                    t = sec * 1_000_000_000 + nsec
            self.packets.append((t or time.time_ns(), int.from_bytes(rtp[8:12], "big"),
                                 rtp[1] & 0x7F, int.from_bytes(rtp[4:8], "big"), len(rtp),
                                 int.from_bytes(udp[2:4], "big")))

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def arrival_analysis(packets, skip_s=5):
    """Per SSRC: arrival jitter as NetEq measures it (packet_arrival_history.cc: arrival minus
    RTP time, relative to the earliest packet of the last 2 s; underrun_optimizer.cc: the max of
    each 500 ms, 95th percentile over 20 ms buckets, + 1 bucket), drift, gaps and bursts."""
    by_ssrc = {}
    for p in packets:
        by_ssrc.setdefault(p[1], []).append(p)
    out = {}
    for ssrc, ps in by_ssrc.items():
        if len(ps) < 100:
            continue
        t0 = ps[0][0]
        ps = [p for p in ps if p[0] - t0 >= skip_s * 1e9]
        steps = sorted({(b[3] - a[3]) & 0xFFFFFFFF for a, b in zip(ps, ps[1:])} - {0})
        rate = 48 if steps and steps[0] % 960 == 0 and steps[0] < 5000 else 90
        kind = "audio" if rate == 48 else "video"
        # unwrap timestamps; one sample per RTP timestamp (the first packet of a frame)
        rows, ts_u, last = [], 0, None
        for p in ps:
            if last is not None:
                dt = (p[3] - last) & 0xFFFFFFFF
                if dt == 0:
                    continue
                ts_u += dt if dt < 0x80000000 else dt - 0x100000000
            last = p[3]
            rows.append((p[0] / 1e6, ts_u / rate))
        if len(rows) < 10:
            continue
        d = [t - m for t, m in rows]
        rel, win_maxes, win_start, win_max = [], [], rows[0][0], 0
        from collections import deque
        q = deque()  # monotonic min of d over the last 2 s of media time
        for i, (t, m) in enumerate(rows):
            while q and d[q[-1]] >= d[i]:
                q.pop()
            q.append(i)
            while rows[q[0]][1] < m - 2000:
                q.popleft()
            r = d[i] - d[q[0]]
            rel.append(r)
            if t - win_start > 500:
                win_maxes.append(win_max)
                win_start, win_max = t, 0
            win_max = max(win_max, r)
        n = len(rows)
        mt, mm = statistics.fmean(m for _, m in rows), statistics.fmean(d)
        cov = sum((rows[i][1] - mt) * (d[i] - mm) for i in range(n))
        var = sum((rows[i][1] - mt) ** 2 for i in range(n))
        gaps = [b[0] - a[0] for a, b in zip(rows, rows[1:])]
        wm = sorted(win_maxes)
        q95 = pct(wm, 0.95) if wm else None
        out[kind] = {
            "ssrc": ssrc, "units": n, "relativeDelay": summary(rel),
            "max500msP95": q95,
            "netEqUnderrunTargetMs": None if q95 is None else (1 + int(q95 // 20)) * 20,
            "driftMsPerS": 1000 * cov / var if var else None,
            "interArrival": summary(gaps),
            "burstPct": 100 * sum(1 for g in gaps if g < 2) / len(gaps),
        }
    return out


def pct(sorted_vals, q):
    if not sorted_vals:
        return None
    k = (len(sorted_vals) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def summary(vals):
    v = sorted(x for x in vals if x is not None)
    if not v:
        return {"n": 0}
    return {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "p99": pct(v, 0.99),
            "max": v[-1], "min": v[0], "mean": statistics.fmean(v)}


def stats_window(timeline, warmup_ms):
    """Per-frame averages of Chromium's cumulative inbound-rtp counters over the measured window."""
    tl = [s for s in timeline if s.get("t", 0) >= warmup_ms and s.get("framesDecoded")]
    if len(tl) < 2:
        return {}
    a, b = tl[0], tl[-1]

    def d(key):
        return (b.get(key) or 0) - (a.get(key) or 0)

    emitted, decoded = d("jitterBufferEmittedCount"), d("framesDecoded")
    out = {"seconds": (b["t"] - a["t"]) / 1000, "framesDecoded": decoded,
           "fps": decoded * 1000 / (b["t"] - a["t"]), "framesDropped": d("framesDropped"),
           "freezeCount": d("freezeCount"), "packetsLost": d("packetsLost"),
           "nackCount": d("nackCount"), "pliCount": d("pliCount"),
           "rttMs": (b.get("rtt") or 0) * 1000}
    if emitted:
        out["jitterBufferDelayMs"] = d("jitterBufferDelay") * 1000 / emitted
        out["jitterBufferTargetDelayMs"] = d("jitterBufferTargetDelay") * 1000 / emitted
        out["jitterBufferMinimumDelayMs"] = d("jitterBufferMinimumDelay") * 1000 / emitted
    if decoded:
        out["decodeMs"] = d("totalDecodeTime") * 1000 / decoded
        out["processingDelayMs"] = d("totalProcessingDelay") * 1000 / decoded
        out["interFrameMs"] = d("totalInterFrameDelay") * 1000 / decoded
    assembled = d("framesAssembledFromMultiplePackets")
    if assembled:
        out["assemblyMs"] = d("totalAssemblyTime") * 1000 / assembled
    ae = d("audioJitterBufferEmittedCount")
    if ae:
        out["audioJitterBufferDelayMs"] = d("audioJitterBufferDelay") * 1000 / ae
        out["audioJitterBufferTargetDelayMs"] = d("audioJitterBufferTargetDelay") * 1000 / ae
        out["audioJitterBufferMinimumDelayMs"] = d("audioJitterBufferMinimumDelay") * 1000 / ae
        out["audioJitterMs"] = (b.get("audioJitter") or 0) * 1000
        samples = d("audioTotalSamplesReceived")
        out["audioConcealedPct"] = 100 * d("audioConcealedSamples") / samples if samples else None
        out["audioInsertedSamples"] = d("audioInsertedSamplesForDeceleration")
        out["audioRemovedSamples"] = d("audioRemovedSamplesForAcceleration")
        out["audioInterruptionMs"] = d("audioTotalInterruptionDuration") * 1000
    return out


def run_page(page, url, seconds, flags, wrap=None):
    """Runs a bench page (node <page> <url> <seconds> <flags>) and returns its JSON report.
    `wrap` is a command prefix (netbed's viewer_prefix(): run in the viewer namespace)."""
    out = subprocess.run((wrap or []) + ["node", os.path.join(BENCH_DIR, page), url,
                                         str(seconds)] + flags,
                         capture_output=True, text=True, timeout=seconds + 90)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"{page} failed ({out.returncode}): {out.stderr[-3000:]}")
    rep = json.loads(out.stdout.strip().splitlines()[-1])
    if rep.get("error"):
        raise RuntimeError(rep["error"])
    return rep


def browser_run(url, seconds, warmup, no_smoothing, audio=True):
    flags = (["--no-smoothing"] if no_smoothing else []) + ([] if audio else ["--no-audio"])
    # The stamp's geometry, and the publisher's width: a rendition is read at scaled positions.
    flags += ["--bits", str(STAMP[0]), "--block", str(STAMP[1]),
              "--source-width", str(SOURCE_WIDTH)]
    rep = run_page("g2g_page.mjs", url, seconds + warmup, flags)
    frames = [f for f in rep["frames"] if f["t"] >= warmup * 1000]
    return {
        "mode": "off" if no_smoothing else "on",
        "firstFrameMs": rep.get("firstFrameMs"), "frameSize": rep.get("frameSize"),
        "callbacks": rep["callbacks"], "rejected": rep["rejected"],
        "stampContrast": summary(rep.get("contrast", [])),
        "render": summary(f["now"] for f in frames),
        "expectedDisplay": summary(f["display"] for f in frames),
        "receive": summary(f["receive"] for f in frames),
        "receiveToRender": summary(f["now"] - f["receive"] for f in frames
                                   if f["receive"] is not None),
        "rvfcProcessingMs": summary(f["processing"] for f in frames),
        "skippedFrames": sum(max(0, b["presented"] - a["presented"] - 1)
                             for a, b in zip(frames, frames[1:])),
        "stats": stats_window(rep["timeline"], warmup * 1000),
        "clockSkewDriftMs": rep["clockSkewEndMs"] - rep["clockSkewStartMs"],
    }


def start_publisher(args, url, seconds):
    """Starts the publisher --publisher chose; returns a function that stops it."""
    audio = not args.no_audio
    if args.publisher == "ffmpeg":
        pub = publisher(url, seconds, audio=audio)

        def stop_ffmpeg():
            pub.kill()
            pub.wait()
        return stop_ffmpeg
    proc, video, audio_pipe = split_publisher(seconds, audio=audio)
    pipes = {"video": video} if audio_pipe is None else {"video": video, "audio": audio_pipe}
    phone = pp.PhonePublisher(url, pipes)
    try:
        phone.start()
    except Exception:
        proc.kill()
        proc.wait()
        raise

    def stop_phone():
        proc.kill()
        proc.wait()
        phone.close()
        phone.wait(5)
        for f in pipes.values():
            f.close()
        if phone.error:
            print(f"phone publisher: {phone.error}", file=sys.stderr)
        print(f"phone publisher: first FLV timestamps {phone.first_ts}, tags sent {phone.sent}",
              file=sys.stderr)
    return stop_phone


def server_log_problems(text):
    """The warning and error lines of a server log (logging.cpp: date time level [logger] text),
    so that a publisher the server complains about does not go unnoticed."""
    return [line for line in text.splitlines()
            if re.match(r"\S+ \S+ (warning|error|critical)\b", line)]


def one_run(args, workdir):
    run = {"loadavg": os.getloadavg()[0]}
    run["encode"] = encode_probe(args.probe_seconds, 2, audio=not args.no_audio,
                                 phone=args.publisher == "phone")
    print(f"probe: first coded FLV timestamps {run['encode']['firstTs']}", file=sys.stderr)
    modes = args.modes if args.index % 2 == 0 else list(reversed(args.modes))
    # (result key, mode, quality): with --qualities each mode plays every quality back to back,
    # in the opposite order on odd runs, so that a rendition and the source it is compared
    # with share the publisher, the machine's load of the moment and the run.
    qualities = args.qualities if args.index % 2 == 0 else list(reversed(args.qualities or []))
    plays = [(m, m, None) for m in modes] if not args.qualities else \
        [(play_key(m, q), m, q) for m in modes for q in qualities]
    total = len(plays) * (args.seconds + args.warmup + 30) + 30
    env = dict(kv.split("=", 1) for kv in args.server_env)
    # A rendition stops 1 s after its viewer left, so that its encoder does not load the next
    # play's measurement.
    extra = "airclass:\n  renditionIdleTimeout: 1s\n" if args.qualities else ""
    srv = h.Server(args.server, webrtc=True, workdir=workdir, env=env, extra_yaml=extra)
    # The log is appended to, run after run.
    log_start = len(srv.log_text()) if os.path.exists(srv.log_path) else 0
    with srv:
        stop_publisher = start_publisher(args, srv.url(), total)
        try:
            if not srv.wait_log("video H264", 15):
                raise RuntimeError("stream did not start")
            for key, mode, quality in plays:
                url = srv.whep_url() + f"&quality={quality or 'source'}"
                if quality:
                    wait_renditions_stopped(srv, 5)
                cap = RtpCapture(srv.udp_port) if args.capture else None
                try:
                    run[key] = browser_run(url, args.seconds, args.warmup, mode == "off",
                                           audio=not args.no_audio)
                finally:
                    if cap:
                        cap.close()
                if cap:
                    run[key]["arrivals"] = arrival_analysis(cap.packets, args.warmup)
        finally:
            stop_publisher()
    run["serverLogProblems"] = server_log_problems(srv.log_text()[log_start:])
    for line in run["serverLogProblems"][:10]:
        print(f"server log: {line}", file=sys.stderr)
    return run


def play_key(mode, quality):
    return f"{mode} {quality}"


def wait_renditions_stopped(srv, timeout):
    """Waits until every rendition the server started has stopped again (its log's "starting
    rendition" and "stopping rendition" lines pair up); False on timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        log = srv.log_text()
        if log.count(": starting rendition ") <= log.count(": stopping rendition "):
            return True
        time.sleep(0.1)
    return False


def med(runs, *path):
    vals = []
    for r in runs:
        v = r
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        if v is not None:
            vals.append(v)
    return statistics.median(vals) if vals else None


def run_all(count, prefix, one_run, describe):
    """Runs one_run(i, workdir) count times in one temporary folder, printing a line per run
    (its load average, then describe(run)) as it ends; returns the runs."""
    runs = []
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        for i in range(count):
            run = one_run(i, workdir)
            runs.append(run)
            print(f"run {i + 1}: load {run['loadavg']:.1f}, {describe(run)}")
            sys.stdout.flush()
    return runs


def fmt(v, unit=" ms"):
    return "-" if v is None else f"{v:.1f}{unit}"


def report(runs, modes, label="smoothing {}"):
    """Prints the medians of each play; `modes` are the result keys, `label` names one."""
    print(f"\nmedians over {len(runs)} run(s)")
    e = ("encode", "latency")
    print(f"publisher (capture->x264->FLV out): p50 {fmt(med(runs, *e, 'p50'))} "
          f"p95 {fmt(med(runs, *e, 'p95'))} p99 {fmt(med(runs, *e, 'p99'))} "
          f"n {med(runs, *e, 'n')}")
    for m in modes:
        r = (m, "render")
        print(f"{label.format(m)}: glass-to-glass p50 {fmt(med(runs, *r, 'p50'))} "
              f"p95 {fmt(med(runs, *r, 'p95'))} p99 {fmt(med(runs, *r, 'p99'))} "
              f"max {fmt(med(runs, *r, 'max'))} samples {med(runs, *r, 'n')}")
        print(f"  capture->packet received p50 {fmt(med(runs, m, 'receive', 'p50'))} "
              f"p95 {fmt(med(runs, m, 'receive', 'p95'))}; received->render p50 "
              f"{fmt(med(runs, m, 'receiveToRender', 'p50'))} "
              f"p95 {fmt(med(runs, m, 'receiveToRender', 'p95'))}; expectedDisplayTime p50 "
              f"{fmt(med(runs, m, 'expectedDisplay', 'p50'))}")
        s = (m, "stats")
        print(f"  getStats per frame: jitterBufferDelay {fmt(med(runs, *s, 'jitterBufferDelayMs'))}"
              f" (target {fmt(med(runs, *s, 'jitterBufferTargetDelayMs'))}, minimum "
              f"{fmt(med(runs, *s, 'jitterBufferMinimumDelayMs'))}), decode "
              f"{fmt(med(runs, *s, 'decodeMs'))}, processing "
              f"{fmt(med(runs, *s, 'processingDelayMs'))}, assembly "
              f"{fmt(med(runs, *s, 'assemblyMs'))}, audio jitter buffer "
              f"{fmt(med(runs, *s, 'audioJitterBufferDelayMs'))}; fps "
              f"{fmt(med(runs, *s, 'fps'), '')}, dropped {med(runs, *s, 'framesDropped')}, "
              f"skipped callbacks {med(runs, m, 'skippedFrames')}, rejected reads "
              f"{med(runs, m, 'rejected')}")
        if med(runs, *s, "audioJitterBufferDelayMs") is not None:
            print(f"  audio NetEq: delay {fmt(med(runs, *s, 'audioJitterBufferDelayMs'))}, target "
                  f"{fmt(med(runs, *s, 'audioJitterBufferTargetDelayMs'))}, minimum (no A/V "
                  f"sync) {fmt(med(runs, *s, 'audioJitterBufferMinimumDelayMs'))}, RFC 3550 "
                  f"jitter {fmt(med(runs, *s, 'audioJitterMs'))}, concealed "
                  f"{fmt(med(runs, *s, 'audioConcealedPct'), ' %')}, inserted "
                  f"{med(runs, *s, 'audioInsertedSamples')} removed "
                  f"{med(runs, *s, 'audioRemovedSamples')} samples")
        for kind in ("audio", "video"):
            a = (m, "arrivals", kind)
            if med(runs, *a, "units") is None:
                continue
            print(f"  {kind} arrivals: relative delay (NetEq) p50 "
                  f"{fmt(med(runs, *a, 'relativeDelay', 'p50'))} p95 "
                  f"{fmt(med(runs, *a, 'relativeDelay', 'p95'))} max "
                  f"{fmt(med(runs, *a, 'relativeDelay', 'max'))}; 500 ms max p95 "
                  f"{fmt(med(runs, *a, 'max500msP95'))} -> underrun target "
                  f"{fmt(med(runs, *a, 'netEqUnderrunTargetMs'))}; drift "
                  f"{fmt(med(runs, *a, 'driftMsPerS'), ' ms/s')}; inter-arrival min "
                  f"{fmt(med(runs, *a, 'interArrival', 'min'))} p95 "
                  f"{fmt(med(runs, *a, 'interArrival', 'p95'))}; bursts "
                  f"{fmt(med(runs, *a, 'burstPct'), ' %')}")


def quality_differences(runs, modes, qualities):
    """Per mode and quality: the rendition's render p50/p95 minus the source's of the same run
    (paired), as medians over the runs; also what the page saw (picture size, rejected reads)."""
    out = {}
    for m in modes:
        for q in qualities:
            key, src = play_key(m, q), play_key(m, "source")
            row = {"p50": med(runs, key, "render", "p50"), "p95": med(runs, key, "render", "p95"),
                   "n": med(runs, key, "render", "n"), "frameSize": runs[-1][key].get("frameSize"),
                   "rejected": med(runs, key, "rejected"),
                   "contrastP50": med(runs, key, "stampContrast", "p50"),
                   "contrastMin": med(runs, key, "stampContrast", "min"),
                   "callbacks": med(runs, key, "callbacks"),
                   "fps": med(runs, key, "stats", "fps"),
                   "decodeMs": med(runs, key, "stats", "decodeMs"),
                   "jitterBufferDelayMs": med(runs, key, "stats", "jitterBufferDelayMs")}
            row["receiveP50"] = med(runs, key, "receive", "p50")
            if q != "source" and "source" in qualities:
                # render: capture to rendered (glass-to-glass); receive: capture to the frame's
                # last packet in (rVFC receiveTime), what the server adds without Chromium's
                # render scheduling.
                for what, name in (("render", ""), ("receive", "Receive")):
                    for p in ("p50", "p95"):
                        diffs = [r[key][what][p] - r[src][what][p] for r in runs
                                 if p in r[key][what] and p in r[src][what]]
                        row[f"minusSource{name}{p.upper()}"] = \
                            statistics.median(diffs) if diffs else None
                        row[f"minusSource{name}All{p.upper()}"] = diffs
            out[key] = row
    return out


def report_qualities(runs, modes, qualities):
    diffs = quality_differences(runs, modes, qualities)
    print(f"\nper quality, medians over {len(runs)} run(s); minus source: the median of each "
          "run's difference")
    for key, d in diffs.items():
        line = (f"{key}: {d['frameSize']} glass-to-glass p50 {fmt(d['p50'])} p95 {fmt(d['p95'])}"
                f" (n {d['n']}, rejected reads {d['rejected']} of {d['callbacks']}, stamp contrast "
                f"p50 {fmt(d['contrastP50'], '')} min {fmt(d['contrastMin'], '')}, fps "
                f"{fmt(d['fps'], '')}, decode {fmt(d['decodeMs'])}, jitter buffer "
                f"{fmt(d['jitterBufferDelayMs'])})")
        if "minusSourceP50" in d:
            line += (f"; minus source p50 {fmt(d['minusSourceP50'])} p95 "
                     f"{fmt(d['minusSourceP95'])} (runs: "
                     + ", ".join(f"{x:+.1f}" for x in d["minusSourceAllP50"]) + "); capture->"
                     f"received p50 {fmt(d['receiveP50'])}, minus source p50 "
                     f"{fmt(d['minusSourceReceiveP50'])} p95 {fmt(d['minusSourceReceiveP95'])}"
                     " (runs: " + ", ".join(f"{x:+.1f}" for x in d["minusSourceReceiveAllP50"])
                     + ")")
        print(line)
    return diffs


def browser_bench_args(seconds, warmup):
    """The options every Chromium benchmark takes: server, runs, window and warm-up, --json."""
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True, help="path to the airclass binary")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--seconds", type=int, default=seconds, help="measured seconds per mode")
    p.add_argument("--warmup", type=int, default=warmup, help="seconds dropped after joining")
    p.add_argument("--json", action="store_true", help="print every run as one JSON line")
    return p


def main():
    h.in_private_netns()
    p = browser_bench_args(seconds=30, warmup=5)
    p.add_argument("--probe-seconds", type=int, default=15, help="encode probe length")
    p.add_argument("--modes", nargs="+", default=["off", "on"], choices=["off", "on"],
                   help="Chromium frame smoothing off (--disable-rtc-smoothness-algorithm) / on")
    p.add_argument("--no-audio", action="store_true", help="publish and play video only")
    p.add_argument("--server-env", nargs="*", default=[], metavar="NAME=VALUE",
                   help="extra server environment, e.g. AIRCLASS_AV_SYNC=yes")
    p.add_argument("--capture", action="store_true",
                   help="record each RTP packet's arrival (AF_PACKET on lo) and report the "
                   "arrival jitter NetEq sees")
    p.add_argument("--audio-rate", type=int, default=32000, choices=[32000, 44100, 48000],
                   help="AAC sample rate of the publisher")
    p.add_argument("--publisher", default="ffmpeg", choices=["ffmpeg", "phone"],
                   help="ffmpeg: one interleaved FLV/RTMP output; phone: each encoded frame "
                   "sent over RTMP as the encoder returns it (bench/phone_publisher.py)")
    p.add_argument("--qualities", nargs="+", default=None, metavar="NAME",
                   help="play each mode once per ?quality= (source, 720p, 480p, 240p), back "
                   "to back, and report each rendition's latency minus the source's")
    p.add_argument("--stamp-block", type=int, choices=[16, 32], default=None,
                   help="the stamp's block size: 16 (44 bits, the default) or 32 (24 bits)")
    args = p.parse_args()
    global AUDIO_RATE, STAMP
    AUDIO_RATE = args.audio_rate
    STAMP = SCALED_STAMP if args.stamp_block == SCALED_STAMP[1] else (BITS, BLOCK)
    def one(i, workdir):
        args.index = i
        return one_run(args, workdir)

    keys = args.modes if not args.qualities else \
        [play_key(m, q) for m in args.modes for q in args.qualities]
    runs = run_all(args.runs, "airclass-g2g-", one, lambda run: (
        f"encode p50 {fmt(run['encode']['latency'].get('p50'))}, " + ", ".join(
            f"smoothing {m} p50 {fmt(run[m]['render'].get('p50'))} "
            f"p95 {fmt(run[m]['render'].get('p95'))}" for m in keys)))
    report(runs, keys)
    diffs = report_qualities(runs, args.modes, args.qualities) if args.qualities else None
    if args.json:
        print(json.dumps({"runs": runs} if diffs is None else {"runs": runs, "qualities": diffs}))


if __name__ == "__main__":
    main()
