"""TURN through coturn (issue 16): a student whose firewall lets through only the school's
relay still plays. In the network test bed (netbed.py), coturn (`turnserver`, Debian package
coturn) runs in the server namespace on the veth address with use-auth-secret, the config
docs/coturn.md recommends (private and test ranges denied as peers except the media server's
address) and a small relay port range; the server mints TURN credentials with the same secret
(turnSecret, turnURLs) into every token answer. In the viewer namespace nftables drops every
UDP packet to the server side except coturn's port, and every TCP packet except the API, WHEP
and coturn ports. Chromium (whep_turn.mjs) takes the token answer's ice_servers with
iceTransportPolicy 'relay' and plays.

Asserts: the token answer carries a TURN entry for the viewer (username "<expiry>:<user id>",
expiry about now + turnCredentialTTL); frames decoded advance for at least 5 s; the selected
pair's local candidate is a relay candidate on coturn; the firewall counted the media through
coturn's port and dropped whatever else was tried; coturn's log shows the viewer's
allocation. Negative: credentials minted with a wrong secret, and correct ones already
expired, are refused by coturn (ICE candidate error 401, no relay candidate) and the page never
connects."""
import base64
import hashlib
import hmac
import json
import os
import signal
import re
import socket
import subprocess
import sys
import tempfile
import time

import harness as h
import netbed

TURN_SECRET = "e2e-coturn-shared-secret"
TURN_PORT = 3478
RELAY_PORTS = (50000, 50019)
REALM = "airclass.test"
USER = "turn-viewer"
PLAY_S = 9  # playback through the relay; at least 5 s of it with frames
REFUSED_S = 6  # how long a page with bad credentials gets to connect
E2E_DIR = os.path.dirname(os.path.abspath(__file__))


def coturn_config(workdir):
    """docs/coturn.md's config, on the bed's addresses, without TLS (no certificate here)."""
    return "\n".join([
        f"listening-ip={netbed.SERVER_IP}", f"relay-ip={netbed.SERVER_IP}",
        f"listening-port={TURN_PORT}", f"min-port={RELAY_PORTS[0]}", f"max-port={RELAY_PORTS[1]}",
        "use-auth-secret", f"static-auth-secret={TURN_SECRET}", f"realm={REALM}",
        "fingerprint", "no-cli", "no-tls", "no-dtls", "no-multicast-peers",
        "denied-peer-ip=0.0.0.0-0.255.255.255", "denied-peer-ip=10.0.0.0-10.255.255.255",
        "denied-peer-ip=127.0.0.0-127.255.255.255", "denied-peer-ip=172.16.0.0-172.31.255.255",
        "denied-peer-ip=192.168.0.0-192.168.255.255",
        "denied-peer-ip=198.51.100.0-198.51.100.255",  # the bed's own range, as a school LAN
        f"allowed-peer-ip={netbed.SERVER_IP}",  # ... except the media server
        "log-file=stdout", "simple-log", "verbose",
        f"pidfile={workdir}/turnserver.pid", f"userdb={workdir}/turndb", ""])


class Coturn:
    """turnserver in the foreground in the server namespace, its output in a log file."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="airclass-coturn-")
        conf = os.path.join(self.workdir, "turnserver.conf")
        with open(conf, "w") as f:
            f.write(coturn_config(self.workdir))
        self.log_path = os.path.join(self.workdir, "turnserver.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["turnserver", "-c", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:  # it listens on TCP too: ready once that answers
            if self.proc.poll() is not None:
                raise RuntimeError("turnserver exited at start:\n" + self.log_text()[-3000:])
            try:
                with socket.create_connection((netbed.SERVER_IP, TURN_PORT), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("turnserver did not listen in time:\n" + self.log_text()[-3000:])

    def relayed_to_client(self, user, timeout=5):
        """Bytes coturn sent to `user`'s client, from the usage line it logs when the allocation
        ends (the page deletes it on close); 0 until then."""
        pattern = re.compile(r"session \d+: usage: realm=<[^>]*>, username=<\d+:" +
                             re.escape(user) + r">, rp=\d+, rb=\d+, sp=\d+, sb=(\d+)")
        deadline = time.time() + timeout
        while True:
            found = [int(b) for b in pattern.findall(self.log_text())]
            if found or time.time() > deadline:
                return max(found or [0])
            time.sleep(0.2)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def only_turn_firewall(bed, srv):
    """nftables in the viewer namespace: to and from the server side only UDP on coturn's port
    and TCP on the API, WHEP and coturn ports pass; counters of what went through coturn's port
    and of what was dropped."""
    tcp = f"{{ {srv.api_port}, {srv.http_port}, {TURN_PORT} }}"
    dev = netbed.VIEWER_DEV
    text = (f"table inet turnonly {{\n"
            f"  counter turn_out {{ }}\n  counter turn_in {{ }}\n  counter dropped {{ }}\n"
            f"  chain out {{\n    type filter hook output priority 0; policy accept;\n"
            f'    oifname "{dev}" udp dport {TURN_PORT} counter name turn_out accept\n'
            f'    oifname "{dev}" meta l4proto udp counter name dropped drop\n'
            f'    oifname "{dev}" tcp dport != {tcp} counter name dropped drop\n  }}\n'
            f"  chain in {{\n    type filter hook input priority 0; policy accept;\n"
            f'    iifname "{dev}" udp sport {TURN_PORT} counter name turn_in accept\n'
            f'    iifname "{dev}" meta l4proto udp counter name dropped drop\n'
            f'    iifname "{dev}" tcp sport != {tcp} counter name dropped drop\n  }}\n}}\n')
    bed.viewer_nft(text)


def firewall_counters(bed):
    return bed.viewer_counters("turnonly")


def play(bed, url, seconds, ice_servers=None):
    """whep_turn.mjs in the viewer namespace; its report."""
    cmd = ["node", os.path.join(E2E_DIR, "whep_turn.mjs"), url, str(seconds)]
    if ice_servers is not None:
        cmd += ["--ice-servers", json.dumps(ice_servers)]
    out = bed.viewer_run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    lines = out.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"error": f"whep_turn printed no JSON (exit {out.returncode}): "
                         f"{out.stderr[-2000:]}"}


def turn_entry(servers, urls):
    return next((s for s in servers or [] if s.get("urls") == urls), None)


def mint(secret, user, expires):
    """coturn's REST scheme, computed here independently of the server's code."""
    username = f"{expires}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def decoded_span(timeline):
    """(seconds between the first and the last sample with frames, frames decoded between)."""
    video = [s for s in timeline if (s.get("framesDecoded") or 0) > 0]
    if len(video) < 2:
        return 0.0, 0
    return ((video[-1]["t"] - video[0]["t"]) / 1000,
            video[-1]["framesDecoded"] - video[0]["framesDecoded"])


def check_relayed_play(c, bed, coturn, rep, urls, before_s):
    servers = (rep.get("iceServers") or [])
    entry = turn_entry(servers, urls)
    c.check("token answer carries the TURN entry for this viewer", entry is not None and
            entry.get("username", "").endswith(":" + USER), json.dumps(servers))
    if entry:
        expires = int(entry["username"].split(":", 1)[0])
        c.check("TURN credentials expire after turnCredentialTTL (12 h)",
                abs(expires - (before_s + 12 * 3600)) <= 60, f"expires {expires}")
    span, frames = decoded_span(rep.get("timeline", []))
    print(f"figure: through coturn {frames} frames decoded in {span:.1f} s")
    c.check("frames decoded advance for at least 5 s", span >= 5 and frames >= 5 * 20,
            f"{frames} frames over {span:.1f} s; {rep.get('error', '')} {rep.get('events')}")
    pairs = [s["pair"] for s in rep.get("timeline", []) if s.get("pair")]
    local = pairs[-1]["local"] if pairs else {}
    print(f"figure: selected pair {pairs[-1] if pairs else None}")
    c.check("the selected pair's local candidate is a relay candidate on coturn",
            local.get("type") == "relay" and local.get("address") == netbed.SERVER_IP and
            RELAY_PORTS[0] <= (local.get("port") or 0) <= RELAY_PORTS[1], json.dumps(pairs[-1:]))
    counters = firewall_counters(bed)
    print(f"figure: viewer firewall {counters}")
    c.check("the media came through coturn's port (viewer firewall counters)",
            frames > 0 and counters.get("turn_in", 0) >= frames and
            counters.get("turn_out", 0) > 10,
            json.dumps(counters))
    sent = coturn.relayed_to_client(USER)
    print(f"figure: coturn relayed {sent} bytes to the viewer; Chromium received "
          f"{pairs[-1].get('bytesReceived') if pairs else None} on the pair")
    c.check("coturn's log shows the viewer's allocation and the media it relayed",
            sent >= 100_000, coturn.log_text()[-2000:])


def check_direct_path_blocked(c, bed, srv):
    """A datagram from the viewer straight to the media port is dropped by the firewall."""
    before = firewall_counters(bed).get("dropped", 0)
    probe = ("import socket\n"
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
             f"s.sendto(b'probe', ('{netbed.SERVER_IP}', {srv.udp_port}))\n")
    bed.viewer_run([sys.executable, "-c", probe], capture_output=True, timeout=20)
    c.check("the viewer's firewall drops UDP straight to the media port",
            firewall_counters(bed).get("dropped", 0) > before, json.dumps(firewall_counters(bed)))


def check_refused(c, name, rep):
    errors = rep.get("candidateErrors", [])
    connected = any(e.get("state") == "connected" for e in rep.get("events", []))
    frames = max([s.get("framesDecoded") or 0 for s in rep.get("timeline", [])] or [0])
    print(f"figure: {name}: candidate errors {errors}, events {rep.get('events')}")
    c.check(f"{name}: coturn refuses them (ICE candidate error 401)",
            any(e.get("errorCode") == 401 for e in errors), json.dumps(rep)[-1500:])
    c.check(f"{name}: no relay candidate, never connected, no frame",
            "timeline" in rep and not rep.get("gathered") and not connected and frames == 0,
            f"gathered {rep.get('gathered')}, connected {connected}, frames {frames}")


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    started = time.monotonic()
    urls = [f"turn:{netbed.SERVER_IP}:{TURN_PORT}?transport=udp"]
    env = {"AIRCLASS_TURN_SECRET": TURN_SECRET, "AIRCLASS_TURN_URLS": ",".join(urls)}
    with netbed.NetBed() as bed, bed.server(args.server, relay=False, env=env) as srv:
        coturn = Coturn()
        try:
            only_turn_firewall(bed, srv)
            check_direct_path_blocked(c, bed, srv)
            pub = h.ffmpeg_publish(srv.url(), 60, size="640x360", audio=False,
                                   video_args=h.VIDEO_2M[:-6] + ["-b:v", "800k"])
            c.check("publisher live", srv.wait_log("video H264", timeout=15))
            token_url = (f"http://{netbed.SERVER_IP}:{srv.api_port}/api/token?"
                         f"user_type=student&user_id={USER}")
            before_s = int(time.time())
            good = play(bed, token_url, PLAY_S)
            c.check("Chromium reported", "timeline" in good and not good.get("error"),
                    good.get("error", ""))
            check_relayed_play(c, bed, coturn, good, urls, before_s)

            now = int(time.time())
            wrong = [{"urls": urls, **dict(zip(("username", "credential"),
                                               mint("not-the-coturn-secret", USER, now + 3600)))}]
            expired = [{"urls": urls, **dict(zip(("username", "credential"),
                                                 mint(TURN_SECRET, USER, now - 60)))}]
            bad, old = h.in_parallel(lambda: play(bed, token_url, REFUSED_S, wrong),
                                     lambda: play(bed, token_url, REFUSED_S, expired))
            check_refused(c, "wrong secret", bad)
            check_refused(c, "expired credentials", old)
            h.finish_early(pub, what="ffmpeg publisher")
        finally:
            coturn.close()
        c.server_ends_cleanly(srv)
    print(f"figure: wall time {time.monotonic() - started:.1f} s")
    c.finish()


if __name__ == "__main__":
    main()
