"""Chromium in the network test bed's viewer namespace (netbed.py), for the playback tests
under loss and on narrow links (issue 15) and bench/network_quality.py: whep_browser.mjs run
there until the test stops it, the viewer's server counters, and reading Chromium's cumulative
getStats counters over a window of time."""
import json
import os
import subprocess
import threading
import time

import harness as h
import netbed

E2E_DIR = os.path.dirname(os.path.abspath(__file__))


def viewer_stats(srv):
    """The one viewer's counters from /api/streams (teacher passcode): nacks, retransmitted,
    nacks_not_in_history, nacks_over_budget, nacks_too_soon, plis, firs, paced_replays, rtt_ms,
    ...; {} unless exactly one viewer is listed."""
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    if status != 200:
        return {}
    viewers = [v for s in body.get("streams", []) for v in s.get("viewers", [])]
    return viewers[0] if len(viewers) == 1 else {}


def wait_viewer_packets(srv, packets=300, timeout=20):
    """Until the server has sent the viewer `packets` video packets (it is playing)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if viewer_stats(srv).get("video_packets", 0) >= packets:
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def diff(after, before, key):
    return (after.get(key) or 0) - (before.get(key) or 0)


def sample_at(timeline, t_ms):
    """The last video sample taken at or before t_ms (epoch ms), else the first one, else {}."""
    video = [s for s in timeline if s.get("framesDecoded") is not None]
    best = video[0] if video else {}
    for s in video:
        if s["t"] <= t_ms:
            best = s
    return best


class Browser:
    """whep_browser.mjs (video only by default) in the viewer namespace, sampling getStats every
    250 ms until stop(). With events, the WHEP answer is available as .answer (an Event says
    when) while it plays."""

    def __init__(self, bed, url, max_seconds=120, audio=False):
        cmd = bed.viewer_prefix() + ["node", os.path.join(E2E_DIR, "whep_browser.mjs"), url,
                                     str(max_seconds), "--until-stdin", "--events"]
        if not audio:
            cmd.append("--no-audio")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.answer, self.answered = None, threading.Event()
        self.stderr_tail = []
        self.max_seconds = max_seconds
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._err.start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            if line.startswith('{"event":'):
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "answer":
                    self.answer = event.get("answer")
                    self.answered.set()
                continue
            self.stderr_tail = (self.stderr_tail + [line])[-40:]

    def video_ssrcs(self, timeout=20):
        """(media SSRC, RTX SSRC or None) of the video the server sends, from its answer."""
        if not self.answered.wait(timeout) or not self.answer:
            return None, None
        in_video = False
        for line in self.answer.splitlines():
            if line.startswith("m="):
                in_video = line.startswith("m=video")
            elif in_video and line.startswith("a=ssrc-group:FID "):
                ssrcs = line.split()[1:]
                return int(ssrcs[0]), int(ssrcs[1]) if len(ssrcs) > 1 else None
            elif in_video and line.startswith("a=ssrc:"):
                return int(line.split()[0][7:]), None
        return None, None

    def stop(self):
        """Ends the playback; returns whep_browser's report ({"error": ...} if it failed)."""
        try:
            self.proc.stdin.write("stop\n")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            out = self.proc.stdout.read()
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            out = ""
        self._err.join(5)
        lines = out.strip().splitlines()
        if not lines:
            return {"error": "whep_browser printed nothing: " + "".join(self.stderr_tail)[-3000:]}
        try:
            return json.loads(lines[-1])
        except ValueError:
            return {"error": "whep_browser printed no JSON: " + lines[-1][:500]}


class NftRule:
    """One rule of our own in its own nftables table (beside netbed's), e.g. dropping the RTX
    stream on the downlink. Lives in the test's namespace; delete() removes it."""

    def __init__(self, name, hook, rule):
        self.name = name
        text = (f"table inet {name} {{\n  counter hits {{ }}\n  chain c {{\n"
                f"    type filter hook {hook} priority -10; policy accept;\n"
                f"    {rule} counter name hits drop\n  }}\n}}\n")
        out = subprocess.run(["nft", "-f", "-"], input=text, capture_output=True, text=True,
                             timeout=20)
        if out.returncode != 0:
            raise RuntimeError(f"nft: {out.stderr.strip()}")

    def hits(self):
        out = subprocess.run(["nft", "-j", "list", "counter", "inet", self.name, "hits"],
                             capture_output=True, text=True, timeout=20)
        for item in json.loads(out.stdout or "{}").get("nftables", []):
            if "counter" in item:
                return item["counter"]["packets"]
        return 0

    def delete(self):
        subprocess.run(["nft", "delete", "table", "inet", self.name], capture_output=True,
                       timeout=20)


def drop_ssrc_down(port, ssrc, name="h4_drop_ssrc"):
    """Drops every downlink datagram from the media `port` to the viewer whose RTP SSRC is
    `ssrc`: SRTP leaves the RTP header in clear (RFC 3711 3.1), the SSRC is bytes 8-11 of it,
    bits 128-159 after the UDP header."""
    return NftRule(name, "output",
                   f'oifname "{netbed.SERVER_DEV}" udp sport {int(port)} @th,128,32 {int(ssrc)}')
