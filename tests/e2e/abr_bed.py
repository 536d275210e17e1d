"""Pieces shared by the adaptive-bitrate test (test_abr_capacity.py) and its benchmark
(bench/abr_schedule.py): a 1080p30 publisher at ~7 Mbit/s that costs almost no CPU at run time
(a clip encoded once per run, then sent with -c copy in a loop), the viewer's /api/streams and
/metrics counters polled in the background, the CPU of process trees, and reading a getStats
timeline (whep_browser.mjs or whep_many.mjs samples, epoch-ms "t") against a capacity schedule.

The default ladder (src/app/config_values.cpp): source, then 720p 2.5 Mbit/s, 480p 1 Mbit/s,
360p 800 kbit/s, 240p 300 kbit/s.
A picture's height says which rung is playing: 1080 is the source (nothing else is 1080 high)."""
import json
import os
import re
import subprocess
import sys
import threading
import time

import harness as h

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
TOP_HEIGHT = 1080
RUNG_KBIT = {720: 2500, 480: 1000, 360: 800, 240: 300}  # frame height -> the rung's encoder bitrate

# testsrc2 plus temporal noise: the noise makes x264 really need the bitrate (without it the
# clip would be a few hundred kbit/s whatever -b:v says).
SOURCE_FILTER = "testsrc2=size=1920x1080:rate=30,noise=alls=6:allf=t+u,format=yuv420p"


# --- the publisher -------------------------------------------------------------------------------
def make_clip(folder, seconds=20, kbit=7000):
    """Encodes the 1080p30 clip (High profile, no B-frames, 1 s GOP, VBV at kbit..8/7 kbit) into
    `folder`; returns (its path, wall seconds the encode took)."""
    path = os.path.join(folder, f"abr-1080p-{kbit}k.flv")
    maxrate = kbit * 8 // 7
    cmd = h.FFMPEG + ["-y", "-f", "lavfi", "-i", SOURCE_FILTER, "-t", str(seconds),
                      "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "0",
                      "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
                      "-b:v", f"{kbit}k", "-maxrate", f"{maxrate}k", "-bufsize", f"{maxrate}k",
                      "-pix_fmt", "yuv420p", "-an", "-f", "flv", path]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, timeout=300)
    return path, time.monotonic() - t0


def clip_kbit(path):
    """The clip's mean video bitrate from its size and duration."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration,size",
                          "-of", "json", path], capture_output=True, text=True, timeout=30)
    fmt = json.loads(out.stdout)["format"]
    return int(fmt["size"]) * 8 / 1000 / float(fmt["duration"])


def publish_clip(url, clip):
    """The clip at its own pace, looped for ever (stop it with harness.finish_early or kill)."""
    cmd = h.FFMPEG + ["-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# --- the server's view ---------------------------------------------------------------------------
def streams(srv):
    """(the first stream's status, its viewers) from /api/streams; ({}, []) if none."""
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    found = body.get("streams", []) if status == 200 and isinstance(body, dict) else []
    if not found:
        return {}, []
    return found[0], found[0].get("viewers", [])


def source_kbps(srv):
    return (streams(srv)[0].get("video") or {}).get("kbps")


def wait_viewers(srv, count=1, packets=300, timeout=30):
    """Until `count` viewers have each been sent `packets` video packets (they play)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            viewers = streams(srv)[1]
            if len(viewers) >= count and all(v.get("video_packets", 0) >= packets
                                             for v in viewers):
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def abr_metrics(srv):
    """airclass_abr_switches_total by direction and airclass_abr_probes_total from /metrics;
    a family the server does not export yet reads None."""
    status, text, _ = srv.api("GET", "/metrics")
    out = {"down": None, "up": None, "probes": None}
    if status != 200 or not isinstance(text, str):
        return out
    for line in text.splitlines():
        m = re.match(r'airclass_abr_switches_total\{[^}]*direction="(down|up)"[^}]*\}\s+(\S+)',
                     line)
        if m:
            out[m.group(1)] = float(m.group(2))
        m = re.match(r"airclass_abr_probes_total(?:\{[^}]*\})?\s+(\S+)", line)
        if m:
            out["probes"] = float(m.group(1))
    return out


class ServerPoller:
    """/api/streams every `period` s in a thread: samples (epoch ms, stream, viewers)."""

    def __init__(self, srv, period=0.25):
        self.srv, self.period, self.samples = srv, period, []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.wait(self.period):
            try:
                stream, viewers = streams(self.srv)
            except OSError:  # a slow answer on a loaded box: the next poll will do
                continue
            if viewers:
                self.samples.append((time.time() * 1000, stream, viewers))

    def last_viewers(self, before_ms=None):
        for t, _, viewers in reversed(self.samples):
            if before_ms is None or t <= before_ms:
                return viewers
        return []

    def renditions(self, index=0):
        """[(epoch ms, rendition name)] of viewer `index` each time it changed."""
        out = []
        for t, _, viewers in self.samples:
            if index < len(viewers):
                r = viewers[index].get("rendition")
                if not out or out[-1][1] != r:
                    out.append((t, r))
        return out

    def close(self):
        self._stop.set()
        self.thread.join(5)


# --- CPU -----------------------------------------------------------------------------------------
def _proc_table():
    """{pid: (ppid, cpu seconds incl. reaped children)} of every process."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        # After the name: state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based.
        table[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]) / tick)
    return table


def tree_cpu(roots):
    """{name: cpu seconds} of each process tree named by its root pid (None: 0)."""
    table = _proc_table()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name, root in roots.items():
        total, todo = 0.0, [root] if root in table else []
        while todo:
            pid = todo.pop()
            total += table[pid][1]
            todo += children.get(pid, [])
        out[name] = total
    return out


def machine_busy():
    """(busy jiffies, all jiffies) of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


class CpuMeter:
    """CPU of named process trees and of the machine between start() and stop(), as % of one
    core (200 % is both cores of this machine)."""

    def __init__(self, roots):
        self.roots = roots

    def start(self):
        self.t0, self.cpu0, self.busy0 = time.monotonic(), tree_cpu(self.roots), machine_busy()
        return self

    def stop(self):
        wall = time.monotonic() - self.t0
        cpu1, busy1 = tree_cpu(self.roots), machine_busy()
        out = {k: 100 * (cpu1[k] - self.cpu0.get(k, 0)) / wall for k in self.roots}
        cores = os.cpu_count() or 1
        out["machine"] = 100 * cores * (busy1[0] - self.busy0[0]) / max(1, busy1[1] -
                                                                         self.busy0[1])
        return out


def fmt_cpu(cpu):
    return ", ".join(f"{k} {v:.0f} %" for k, v in cpu.items()) + \
        f" (of one core; {os.cpu_count()} cores)"


# --- the capacity schedule -----------------------------------------------------------------------
class CapacitySchedule:
    """The viewer downlink's tbf rate following [(seconds, kbit)], in a thread; .starts holds
    each phase's (epoch ms, kbit) as it was applied. tbf's queue: `latency_ms`."""

    def __init__(self, bed, phases, latency_ms=100):
        self.bed, self.phases, self.latency_ms = bed, list(phases), latency_ms
        self.starts = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for seconds, kbit in self.phases:
                self.bed.set_rate("down", kbit, latency_ms=self.latency_ms)
                self.starts.append((time.time() * 1000, kbit))
                time.sleep(seconds)
        finally:
            self.done.set()

    def wait(self):
        self.done.wait(sum(s for s, _ in self.phases) + 30)

    def windows(self):
        """[(start ms, end ms, kbit)] of each phase as it ran."""
        out = []
        for i, (t, kbit) in enumerate(self.starts):
            end = self.starts[i + 1][0] if i + 1 < len(self.starts) else \
                t + self.phases[i][0] * 1000
            out.append((t, end, kbit))
        return out


def parse_phases(text):
    """"20000:20,1500:30" -> [(20, 20000), (30, 1500)] (kbit:seconds pairs)."""
    phases = []
    for part in text.split(","):
        kbit, seconds = part.split(":")
        phases.append((float(seconds), int(kbit)))
    return phases


# --- reading a timeline --------------------------------------------------------------------------
def video(timeline):
    return [s for s in timeline if s.get("framesDecoded") is not None]


def fps_over(tl, t_from, t_to):
    pts = [s for s in tl if t_from <= s["t"] <= t_to]
    if len(pts) < 2 or pts[-1]["t"] == pts[0]["t"]:
        return 0.0
    return (pts[-1]["framesDecoded"] - pts[0]["framesDecoded"]) * 1000 / (pts[-1]["t"] -
                                                                           pts[0]["t"])


def fps_seconds(tl, t_from, t_to):
    """Frames decoded in each whole second of [t_from, t_to]."""
    return [fps_over(tl, t, t + 1000) for t in range(int(t_from), int(t_to) - 999, 1000)]


def height_changes(tl, t_from=0, t_to=float("inf")):
    """[(epoch ms, old height, new height)] where the decoded picture changed height."""
    out, prev = [], None
    for s in tl:
        hgt = s.get("height")
        if not hgt:
            continue
        if prev is not None and hgt != prev and t_from <= s["t"] <= t_to:
            out.append((s["t"], prev, hgt))
        prev = hgt
    return out


def fits(height, kbit):
    """Whether the rung playing at this height fits a link of kbit (the source never does
    below its own rate; the test and bench links are either far above or far below it)."""
    return height in RUNG_KBIT and RUNG_KBIT[height] <= kbit


def first_playing(tl, t_from, pred, t_to=float("inf")):
    """Epoch ms of the first sample in [t_from, t_to] whose height passes pred while frames
    advance (more frames decoded than the sample before)."""
    for a, b in zip(tl, tl[1:]):
        if t_from <= b["t"] <= t_to and b["framesDecoded"] > a["framesDecoded"] and \
                pred(b.get("height") or 0):
            return b["t"]
    return None


def freezes(tl, t_from, t_to):
    """[(start ms, seconds)] of Chromium's freezes that ended in [t_from, t_to] (a sample's
    totalFreezesDuration delta; freezes ending within one 250 ms sample are summed)."""
    out = []
    for a, b in zip(tl, tl[1:]):
        if t_from < b["t"] <= t_to and (b.get("freezeCount") or 0) > (a.get("freezeCount") or 0):
            d = (b.get("totalFreezesDuration") or 0) - (a.get("totalFreezesDuration") or 0)
            out.append((b["t"] - d * 1000, d))
    return out


def stalls(tl, t_from, t_to, over_ms=500):
    """[(start ms, seconds)] where framesDecoded did not advance for more than over_ms, seen
    from the samples (start: the last sample that advanced), clipped to [t_from, t_to]."""
    out, last_move = [], None
    for a, b in zip(tl, tl[1:]):
        if b["t"] < t_from or a["t"] > t_to:
            continue
        if last_move is None:
            last_move = a["t"]
        if b["framesDecoded"] > a["framesDecoded"]:
            if a["t"] - last_move > over_ms:
                out.append((last_move, (a["t"] - last_move) / 1000))
            last_move = b["t"]
    if last_move is not None and tl and min(tl[-1]["t"], t_to) - last_move > over_ms:
        out.append((last_move, (min(tl[-1]["t"], t_to) - last_move) / 1000))
    return out


def received_kbit(tl, t_from, t_to):
    """Mean received video bitrate (bytesReceived, payload) over the window."""
    pts = [s for s in tl if t_from <= s["t"] <= t_to and s.get("bytesReceived") is not None]
    if len(pts) < 2 or pts[-1]["t"] == pts[0]["t"]:
        return None
    return (pts[-1]["bytesReceived"] - pts[0]["bytesReceived"]) * 8 / (pts[-1]["t"] -
                                                                       pts[0]["t"])


def log(*parts):
    print(*parts)
    sys.stdout.flush()


# --- several viewers in one page -----------------------------------------------------------------
class ManyViewers:
    """whep_many.mjs in the viewer namespace: one Chromium page with one peer connection per
    URL, each sampling getStats every 250 ms until stop()."""

    def __init__(self, bed, urls, max_seconds=180):
        cmd = bed.viewer_prefix() + ["node", os.path.join(E2E_DIR, "whep_many.mjs"),
                                     str(max_seconds)] + list(urls)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def stop(self):
        """Ends the playback; returns the report {"viewers": [{timeline, error?}, ...]}."""
        try:
            out, err = self.proc.communicate("stop\n", timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        lines = (out or "").strip().splitlines()
        if not lines:
            return {"error": "whep_many printed nothing: " + (err or "")[-3000:]}
        try:
            return json.loads(lines[-1])
        except ValueError:
            return {"error": "whep_many printed no JSON: " + lines[-1][:500]}


# --- many viewers from the load client -----------------------------------------------------------
class LoadViewers:
    """bench/load_client in the viewer namespace: N WHEP viewers in one process that do not decode
    but send what a browser sends (receiver reports, NACKs and, with transport_cc, transport-cc
    feedback every 100 ms). It starts `ramp` viewers a second, measures `seconds` after the last
    start (fps, received kbit/s, longest freeze from `settle` seconds into that window), then
    leaves and prints its JSON report (see bench/load_client/report.hpp)."""

    def __init__(self, bed, client, url, viewers, seconds, settle=0.0, ramp=10.0,
                 transport_cc=True):
        cmd = [client, "--url", url, "--viewers", str(viewers), "--ramp", str(ramp),
               "--seconds", str(seconds), "--settle", str(settle), "--json", "-"]
        if transport_cc:
            cmd.append("--transport-cc")
        self.timeout = viewers / max(ramp, 0.1) + seconds + 60
        self.proc = bed.viewer_popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)

    def wait(self):
        """The report once the run is over: {"summary": ..., "viewers": [...]}."""
        try:
            out, err = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        if self.proc.returncode not in (0, 1):  # 1: some viewer failed, still a report
            return {"error": f"load_client exited {self.proc.returncode}: {(err or '')[-2000:]}"}
        try:
            return json.loads(out)
        except ValueError:
            return {"error": "load_client printed no JSON: " + (out or "")[-500:] +
                    (err or "")[-1500:]}
