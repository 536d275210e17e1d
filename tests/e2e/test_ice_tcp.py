"""ICE over TCP (issue 16): a student whose network drops every UDP packet still plays, over the
server's passive TCP candidate (RFC 6544, RFC 4571 framing). In the network test bed
(netbed.py) nftables in the viewer namespace drops all UDP to and from the server side and
counts it; Chromium (whep_pair.mjs) plays the WHEP URL there.

Asserts:
- Chromium plays over TCP: frames decoded advance for at least 5 s, the selected pair's local
  and remote candidates are tcp (the remote one is the server's passive candidate on its ICE-TCP
  port), the media came through that port (firewall counter), Chromium's UDP checks were
  dropped, and /api/streams lists the viewer with transport "tcp" and a "tcp:" remote.
- Hostile TCP input while it plays: a 0xFFFF length prefix, a zero-length frame, a well-framed
  frame that is not STUN and a STUN binding request for an unknown ufrag each get their
  connection closed within 3 s, each with its reason in the log and in
  airclass_ice_tcp_closed_total (all four as "malformed"); Chromium's frames keep advancing
  (no second without a frame).
- A connection that sends nothing is closed after the 5 s claim timeout (reason "unclaimed").
- A load-client viewer over TCP that stops reading after 2 s: the server closes it ("stopped
  reading" in the log, counted as stalled) and drops it from /api/streams within 8 s of its
  stopping, while Chromium goes on at 20+ fps with a frame every second.
- The server stays up and shuts down cleanly."""
import json
import os
import subprocess
import sys
import threading
import time

import harness as h
import netbed

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
TABLE = "udpblock"
STUDENT = "e2e-student"  # harness.Server.whep_url()'s token user: the Chromium viewer
STALLER = "tcp-staller"  # the load client that stops reading
STOP_READING_S = 2
STALL_DROP_S = 8  # the server drops a stalled viewer within this long after it stops reading
ATTACK_CLOSE_S = 3

# Raw TCP connections from the viewer namespace to the server's ICE-TCP port, each sending one
# kind of bad input (RFC 4571 framing: a 2-byte big-endian length, then that many bytes); prints
# per attack how the server answered and how long it took.
ATTACKS = r'''
import json, socket, struct, sys, time
host, port, bound = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def stun_unknown_ufrag():
    user = b"nobody:x"  # 8 bytes: no padding
    attr = struct.pack("!HH", 0x0006, len(user)) + user
    return struct.pack("!HHI", 0x0001, len(attr), 0x2112A442) + b"\x5a" * 12 + attr

def framed(payload):
    return struct.pack("!H", len(payload)) + payload

attacks = {
    "oversized": struct.pack("!H", 0xFFFF) + b"\x00" * 200,
    "zero_length": struct.pack("!H", 0),
    "not_stun": framed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    "unknown_ufrag": framed(stun_unknown_ufrag()),
}
out = {}
for name, data in attacks.items():
    s = socket.create_connection((host, port), timeout=5)
    local = "%s:%d" % s.getsockname()
    start = time.monotonic()
    s.sendall(data)
    s.settimeout(bound)
    try:
        got = s.recv(4096)
        result = "closed" if got == b"" else "data"
    except ConnectionResetError:
        result = "closed"
    except socket.timeout:
        result = "open"
    out[name] = {"result": result, "seconds": round(time.monotonic() - start, 3), "from": local}
    s.close()
print(json.dumps(out))
'''

# A connection that sends nothing: the server gives it up once it has named no session in time.
SILENT = r'''
import json, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
local = "%s:%d" % s.getsockname()
print(json.dumps({"from": local}), flush=True)
start = time.monotonic()
s.settimeout(float(sys.argv[3]))
try:
    result = "closed" if s.recv(4096) == b"" else "data"
except ConnectionResetError:
    result = "closed"
except socket.timeout:
    result = "open"
print(json.dumps({"result": result, "seconds": round(time.monotonic() - start, 3),
                  "from": local}))
'''
UNCLAIMED_S = 5  # the server's claim timeout (webrtc_worker.cpp kTcpClaimTimeout)

# What the server logs for each attack (src/app/ice_tcp_connection.cpp).
ATTACK_REASONS = {
    "oversized": "TCP frame of 65535 bytes over the 4096-byte bound",
    "zero_length": "zero-length TCP frame",
    "not_stun": "first frame is not an ICE connectivity check",
    "unknown_ufrag": "no session for ICE ufrag",
}


def load_client_path(server):
    return os.path.normpath(os.path.join(os.path.dirname(server), "..", "..", "bench",
                                         "load_client", "load_client"))


def udp_firewall(bed, srv):
    """nftables in the viewer namespace: every UDP packet to or from the server side dropped and
    counted; TCP from the server's ICE-TCP port counted (the media's way in)."""
    dev = netbed.VIEWER_DEV
    text = (f"table inet {TABLE} {{\n"
            f"  counter udp_out {{ }}\n  counter udp_in {{ }}\n  counter ice_tcp_in {{ }}\n"
            f"  chain out {{\n    type filter hook output priority 0; policy accept;\n"
            f'    oifname "{dev}" meta l4proto udp counter name udp_out drop\n  }}\n'
            f"  chain in {{\n    type filter hook input priority 0; policy accept;\n"
            f'    iifname "{dev}" meta l4proto udp counter name udp_in drop\n'
            f'    iifname "{dev}" tcp sport {srv.tcp_port} counter name ice_tcp_in\n  }}\n}}\n')
    bed.viewer_nft(text)


def firewall_counters(bed):
    return bed.viewer_counters(TABLE)


def check_udp_dropped(c, bed, srv):
    """A datagram from the viewer straight to the media port is dropped by the firewall."""
    before = firewall_counters(bed).get("udp_out", 0)
    probe = ("import socket\n"
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
             f"s.sendto(b'probe', ('{netbed.SERVER_IP}', {srv.udp_port}))\n")
    bed.viewer_run([sys.executable, "-c", probe], capture_output=True, timeout=20)
    after = firewall_counters(bed)
    c.check("the viewer's firewall drops UDP to the media port", after.get("udp_out", 0) > before,
            json.dumps(after))


ADMIN_KEY = "e2e-ice-tcp-admin-key-0123"  # the admin key's view lists viewers' addresses


def viewers(srv):
    status, body, _ = srv.api("GET", "/api/streams", headers={"X-API-Key": ADMIN_KEY})
    if status != 200:
        return []
    return [v for s in body.get("streams", []) for v in s.get("viewers", [])]


def viewer_of(srv, user):
    return next((v for v in viewers(srv) if v.get("user") == user), None)


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def metric(srv, name, labels=""):
    status, text, _ = srv.api("GET", "/metrics")
    for line in text.splitlines() if status == 200 else []:
        if line.startswith(name + labels + " "):
            return float(line.split()[-1])
    return None


def closed_total(srv, reason):
    return metric(srv, "airclass_ice_tcp_closed_total", f'{{reason="{reason}"}}') or 0


class Chromium:
    """whep_pair.mjs in the viewer namespace until stop()."""

    def __init__(self, bed, url, max_seconds=90):
        cmd = bed.viewer_prefix() + ["node", os.path.join(E2E_DIR, "whep_pair.mjs"), url,
                                     str(max_seconds)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.stderr = []
        self._err = threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr),
                                     daemon=True)
        self._err.start()

    def stop(self):
        try:
            self.proc.stdin.write("stop\n")
            self.proc.stdin.close()
        except OSError:
            pass
        timer = threading.Timer(60, self.proc.kill)  # a hung browser must not hang the test
        timer.start()
        out = self.proc.stdout.read()
        self.proc.wait()
        timer.cancel()
        self._err.join(5)
        lines = (out or "").strip().splitlines()
        try:
            return json.loads(lines[-1])
        except (IndexError, ValueError):
            return {"error": f"whep_pair printed no JSON (exit {self.proc.returncode}): " +
                             "".join(self.stderr)[-3000:]}


def frames_in(timeline, start_ms, end_ms):
    """(frames decoded per second, longest time without a new frame in s) between two epoch-ms
    instants, from the 250 ms samples."""
    window = [s for s in timeline
              if start_ms <= s["t"] <= end_ms and s.get("framesDecoded") is not None]
    if len(window) < 2:
        return 0.0, float("inf")
    span = (window[-1]["t"] - window[0]["t"]) / 1000
    fps = (window[-1]["framesDecoded"] - window[0]["framesDecoded"]) / span if span else 0.0
    longest, last_new = 0.0, window[0]["t"]
    for prev, cur in zip(window, window[1:]):
        if cur["framesDecoded"] > prev["framesDecoded"]:
            last_new = cur["t"]
        longest = max(longest, (cur["t"] - last_new) / 1000)
    return fps, longest


def decoded_span(timeline):
    video = [s for s in timeline if (s.get("framesDecoded") or 0) > 0]
    if len(video) < 2:
        return 0.0, 0
    return ((video[-1]["t"] - video[0]["t"]) / 1000,
            video[-1]["framesDecoded"] - video[0]["framesDecoded"])


def check_tcp_viewer(c, srv):
    v = wait_for(lambda: (viewer_of(srv, STUDENT) or {}).get("video_packets", 0) >= 300 and
                 viewer_of(srv, STUDENT), 25, step=0.25)
    c.check("Chromium's session is playing (300 video packets sent)", bool(v), str(viewers(srv)))
    v = v or {}
    print(f"figure: Chromium's viewer in /api/streams: transport {v.get('transport')}, "
          f"remote {v.get('remote')}")
    c.check("/api/streams: the Chromium viewer's transport is tcp",
            v.get("transport") == "tcp", json.dumps(v))
    c.check("/api/streams: its remote is tcp:<viewer address>:<port>",
            str(v.get("remote", "")).startswith(f"tcp:{netbed.VIEWER_IP}:"), json.dumps(v))
    connections = wait_for(lambda: metric(srv, "airclass_ice_tcp_connections"), 3, step=0.2)
    c.check("airclass_ice_tcp_connections counts Chromium's connection",
            connections is not None and connections >= 1, str(connections))


def attack(c, bed, srv):
    """The four hostile connections; returns (start, end) epoch ms."""
    before = {r: closed_total(srv, r) for r in ("malformed", "unclaimed")}  # none unclaimed
    start_ms = time.time() * 1000
    out = bed.viewer_run([sys.executable, "-c", ATTACKS, netbed.SERVER_IP, str(srv.tcp_port),
                          str(ATTACK_CLOSE_S)], capture_output=True, text=True, timeout=60)
    end_ms = time.time() * 1000
    try:
        results = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        results = {}
    print(f"figure: hostile TCP input: {json.dumps(results)}")
    c.check("hostile TCP connections ran", len(results) == len(ATTACK_REASONS),
            out.stderr[-2000:])
    for name, reason in ATTACK_REASONS.items():
        r = results.get(name, {})
        c.check(f"{name}: the server closes that connection within {ATTACK_CLOSE_S} s",
                r.get("result") == "closed", json.dumps(r))
        line = f"ICE-TCP connection from tcp:{r.get('from')} closed: {reason}"
        c.check(f"{name}: the log names the reason", srv.wait_log(line, timeout=3),
                line + "\n" + "\n".join(l for l in srv.log_text().splitlines()
                                        if "ICE-TCP" in l)[-2000:])
    # /metrics reads the workers' totals as they last published them: give them a moment.
    wait_for(lambda: closed_total(srv, "malformed") - before["malformed"] >= 4, 3, step=0.2)
    after = {r: closed_total(srv, r) for r in before}
    print(f"figure: airclass_ice_tcp_closed_total before {before}, after {after}")
    c.check("airclass_ice_tcp_closed_total{reason=\"malformed\"} counts the four",
            after["malformed"] - before["malformed"] == 4 and after["unclaimed"] == before[
                "unclaimed"], f"{before} -> {after}")
    return start_ms, end_ms


class Silent:
    """SILENT in the viewer namespace, in the background (it takes the claim timeout)."""

    def __init__(self, bed, srv):
        self.unclaimed_before = closed_total(srv, "unclaimed")
        self.proc = bed.viewer_popen([sys.executable, "-c", SILENT, netbed.SERVER_IP,
                                      str(srv.tcp_port), str(UNCLAIMED_S + 5)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def check(self, c, srv):
        try:
            out, err = self.proc.communicate(timeout=UNCLAIMED_S + 20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        try:
            r = json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            r = {"error": err[-1500:]}
        print(f"figure: silent TCP connection: {json.dumps(r)}")
        c.check(f"a silent connection is closed after the {UNCLAIMED_S} s claim timeout",
                r.get("result") == "closed" and
                UNCLAIMED_S - 0.5 <= r.get("seconds", 0) <= UNCLAIMED_S + 2.5, json.dumps(r))
        line = f"ICE-TCP connection from tcp:{r.get('from')} closed: no ICE check for a session"
        c.check("silent: the log names the reason", srv.wait_log(line, timeout=3), line)
        wait_for(lambda: closed_total(srv, "unclaimed") > self.unclaimed_before, 3, step=0.2)
        after = closed_total(srv, "unclaimed")
        c.check("airclass_ice_tcp_closed_total{reason=\"unclaimed\"} counts it",
                after - self.unclaimed_before == 1, f"{self.unclaimed_before} -> {after}")


def stall(c, bed, srv, binary):
    """A load-client viewer over TCP that stops reading; returns (start, end) epoch ms of the
    window in which Chromium must not suffer."""
    stalled_before = closed_total(srv, "stalled")
    dropped_before = metric(srv, "airclass_ice_tcp_dropped_packets_total") or 0
    token_api = (f"http://{netbed.SERVER_IP}:{srv.api_port}/api/token?user_type=student&"
                 f"user_id={STALLER}")
    start_ms = time.time() * 1000
    proc = bed.viewer_popen([binary, "--url", token_api, "-n", "1", "--seconds", "14",
                             "--no-audio", "--tcp", "--tcp-stop-reading-after",
                             str(STOP_READING_S), "--json", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = wait_for(lambda: viewer_of(srv, STALLER), 15, step=0.05)
    seen_at = time.monotonic()
    c.check("the stalling load client is listed as a TCP viewer",
            bool(seen) and seen.get("transport") == "tcp", json.dumps(seen))
    # It stops reading STOP_READING_S after it connected, at the latest that long after it
    # was first listed (it is listed once its session exists, before it connects).
    gone = bool(seen) and wait_for(lambda: viewer_of(srv, STALLER) is None,
                                   STOP_READING_S + STALL_DROP_S + 1, step=0.1)
    gone_s = time.monotonic() - seen_at
    end_ms = time.time() * 1000
    print(f"figure: the stalled TCP viewer left /api/streams {gone_s:.1f} s after it was listed "
          f"(stops reading {STOP_READING_S} s after connecting)")
    c.check(f"the stalled viewer is dropped within {STALL_DROP_S} s of its stopping to read",
            gone and gone_s <= STOP_READING_S + STALL_DROP_S, f"{gone_s:.1f} s; {viewers(srv)}")
    logged = [l for l in srv.log_text().splitlines() if "stopped reading" in l]
    print(f"figure: {logged[-1] if logged else 'no stopped-reading line'}")
    c.check("the log says the viewer stopped reading",
            any("ICE-TCP connection from tcp:" in l and "closed: stopped reading" in l
                for l in logged), "\n".join(l for l in srv.log_text().splitlines()
                                            if "ICE-TCP" in l)[-2000:])
    wait_for(lambda: closed_total(srv, "stalled") > stalled_before, 3, step=0.2)
    c.check("airclass_ice_tcp_closed_total{reason=\"stalled\"} counts it",
            closed_total(srv, "stalled") - stalled_before == 1,
            f"{stalled_before} -> {closed_total(srv, 'stalled')}")
    dropped = metric(srv, "airclass_ice_tcp_dropped_packets_total") or 0
    print(f"figure: airclass_ice_tcp_dropped_packets_total {dropped - dropped_before:.0f} "
          f"(the stalled viewer's full queue)")
    c.check("its full queue dropped datagrams (airclass_ice_tcp_dropped_packets_total)",
            dropped > dropped_before, f"{dropped_before} -> {dropped}")
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    try:
        report = json.loads(out)
        s = report["summary"]
        got = report["viewers"][0]["video"]["packets"]
    except (ValueError, KeyError, IndexError):
        s, got = {}, 0
    print(f"figure: the stalling load client: {got} video packets; {json.dumps(s)[:400]}")
    c.check("the stalling load client had connected over TCP and received video",
            s.get("connected") == 1 and got > 0, err[-1500:])
    return start_ms, end_ms


def check_chromium(c, rep, srv, attacked, stalled):
    timeline = rep.get("timeline", [])
    c.check("Chromium reported", bool(timeline) and not rep.get("error"),
            rep.get("error", "") + str(rep.get("events")))
    span, frames = decoded_span(timeline)
    print(f"figure: Chromium over ICE-TCP: {frames} frames decoded in {span:.1f} s")
    c.check("frames decoded advance for at least 5 s", span >= 5 and frames >= 5 * 20,
            f"{frames} frames over {span:.1f} s; {rep.get('events')}")
    pairs = [s["pair"] for s in timeline if s.get("pair")]
    pair = pairs[-1] if pairs else {}
    changed = len({json.dumps(p.get("remote")) for p in pairs})
    print(f"figure: selected pair {json.dumps(pair)} ({changed} remote candidate(s) seen)")
    local, remote = pair.get("local", {}), pair.get("remote", {})
    c.check("the selected pair's local candidate is tcp", local.get("protocol") == "tcp",
            json.dumps(pair))
    c.check("the selected pair's remote candidate is the server's passive TCP candidate",
            remote.get("protocol") == "tcp" and remote.get("address") == netbed.SERVER_IP and
            remote.get("port") == srv.tcp_port and remote.get("type") == "host",
            json.dumps(pair))
    for name, (start, end) in (("hostile TCP input", attacked), ("the stalled viewer", stalled)):
        fps, longest = frames_in(timeline, start - 1000, end + 1000)
        print(f"figure: Chromium around {name}: {fps:.1f} fps, longest without a frame "
              f"{longest:.2f} s")
        c.check(f"Chromium around {name}: a frame every second, at least 20 fps",
                longest <= 1.0 and fps >= 20, f"{fps:.1f} fps, {longest:.2f} s without a frame")
    return pair.get("bytesReceived") or 0


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    started = time.monotonic()
    binary = load_client_path(args.server)
    if not c.check("load_client built", os.access(binary, os.X_OK), binary):
        c.finish()
    with netbed.NetBed() as bed, bed.server(args.server, relay=False,
                                                             env={"AIRCLASS_ADMIN_KEY": ADMIN_KEY}) as srv:
        udp_firewall(bed, srv)
        check_udp_dropped(c, bed, srv)
        # 720p at 5 Mbit/s: a viewer that stops reading fills its queue in well under a second.
        pub = h.ffmpeg_publish(srv.url(), 60, audio=False,
                               video_args=h.VIDEO_2M[:-6] + ["-b:v", "5M", "-maxrate", "5M",
                                                             "-bufsize", "2M"])
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        url = srv.whep_url()
        udp_before_chromium = firewall_counters(bed).get("udp_out", 0)
        browser = Chromium(bed, url)
        rep = {}
        try:
            check_tcp_viewer(c, srv)
            time.sleep(1.5)  # some playback before the attacks
            attacked = attack(c, bed, srv)
            time.sleep(1)
            udp_by_chromium = firewall_counters(bed).get("udp_out", 0) - udp_before_chromium
            silent = Silent(bed, srv)
            stalled = stall(c, bed, srv, binary)
            silent.check(c, srv)
            time.sleep(1.5)  # Chromium's frames after the stalled viewer went
        finally:
            rep = browser.stop()
        pair_bytes = check_chromium(c, rep, srv, attacked, stalled)
        counters = firewall_counters(bed)
        print(f"figure: viewer firewall {counters}; UDP dropped from Chromium {udp_by_chromium}")
        c.check("Chromium tried UDP and the firewall dropped it", udp_by_chromium > 0,
                json.dumps(counters))
        c.check("the media came through the server's ICE-TCP port (firewall counter)",
                pair_bytes > 1_000_000 and counters.get("ice_tcp_in_bytes", 0) >= pair_bytes,
                f"{json.dumps(counters)}; Chromium received {pair_bytes} bytes on its pair")
        c.check("Chromium's session ended (DELETE 200)", rep.get("deleteStatus") == 200,
                str(rep.get("deleteStatus")))
        c.check("no TCP viewer left once Chromium left",
                wait_for(lambda: metric(srv, "airclass_ice_tcp_connections") == 0, 5),
                str(metric(srv, "airclass_ice_tcp_connections")))
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    print(f"figure: wall time {time.monotonic() - started:.1f} s")
    c.finish()


if __name__ == "__main__":
    main()
