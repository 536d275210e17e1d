#!/usr/bin/env python3
"""Benchmark (issue 16): ICE over TCP and TURN against UDP. Headless Chromium in the viewer
namespace of the network test bed (tests/e2e/netbed.py) plays the glass-to-glass publisher's
stream (bench/glass_to_glass.py: 720p30 H.264 at 2 Mbit/s, 2 s GOP, the capture time burnt into
the picture; video only) over one of three transports, at a 0 ms and a 40 ms round trip:

  udp   the server's UDP host candidate, through the bed's UDP relay (netbed's relay=True);
  tcp   every UDP packet of the viewer namespace dropped (nftables): Chromium takes the server's
        `tcptype passive` candidate, which this script serves with a delaying TCP proxy on the
        offered address (the relay address, the ICE-TCP port) forwarding to the server's port;
  turn  only coturn's UDP port and the API/WHEP ports reachable, the token answer's ice_servers
        with iceTransportPolicy 'relay' (as tests/e2e/test_turn_relay.py); a second UDP relay
        in front of coturn carries the delay (browser <-> coturn leg), coturn's leg to the
        server crosses the bed's relay at 0 ms.

The round trip is one userspace delay on the viewer's path, half each way; every transport
crosses one userspace relay (udp: the UDP relay, tcp: the proxy, turn: the delaying relay, then
coturn and the 0 ms UDP relay). Figures, all in one run with the transports interleaved (each
round and each join plays them in a rotated order):

1. glass-to-glass (bench/g2g_page.mjs; capture to render, and capture to the frame's last
   packet in): --rounds plays per transport and round trip, --warmup s dropped, --seconds s
   measured; p50 / p95 of the pooled frames and the median of each round's difference to UDP;
2. time to first frame (WHEP POST to the first rendered frame, requestVideoFrameCallback, as
   bench/first_frame.py): --joins fresh pages per transport and round trip, each after a random
   part of the GOP;
3. server CPU per viewer, ICE-TCP against UDP: on a second server on loopback (no bed, no
   relay: the load would swamp a userspace relay), publishing bench/load.py's pre-encoded
   720p30 2 Mbit/s + AAC file, the load client (build/bench/load_client) with --viewers viewers
   over UDP and over --tcp, in the order udp tcp tcp udp (--cpu-runs pairs); server CPU from
   /proc/<pid>/stat over the same window as bench/load.py takes it, minus the publisher-only
   baseline measured just before, per viewer; the ratio tcp / udp.

Every play checks the selected candidate pair (udp host, tcp, relay); a play on the wrong
transport is reported and left out.

Usage (as root; re-executes itself in a fresh network namespace; about 15 minutes):
    python3 bench/ice_transport.py --server build/src/app/airclass [--rounds 2] [--joins 5]
        [--seconds 20] [--warmup 5] [--rtt 0 40] [--viewers 200] [--cpu-runs 2]
        [--smoothing off|on] [--cpu-audio|--no-cpu-audio] [--json]"""
import json
import os
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import harness as h  # noqa: E402
import glass_to_glass as g2g  # noqa: E402
import load  # noqa: E402
import netbed  # noqa: E402

TRANSPORTS = ("udp", "tcp", "turn")
TURN_SECRET = "bench-coturn-shared-secret"
TURN_PORT = 3478
TURN_RELAY_PORTS = (50000, 50049)
TABLE = "icebench"
JOIN_SECONDS = 3


class DelayingTcpProxy:
    """Accepts TCP on `listen` and forwards each connection to `upstream`, holding every chunk
    read for delay_s (set at any time; applies to chunks read from then on) in each direction.
    Chunk boundaries do not matter to ICE-TCP (RFC 4571 framing is in the stream)."""

    def __init__(self, listen, upstream):
        self.upstream = upstream
        self.delay_s = 0.0
        self.connections = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(listen)
        self.sock.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            self.connections += 1
            for s in (client, server):
                s.settimeout(None)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._pump(client, server)
            self._pump(server, client)

    def _pump(self, src, dst):
        """Reader: stamps each chunk with its due time; writer: sends it when due. On EOF or
        error both sockets are shut down, so that the other direction ends too."""
        q = queue.Queue()

        def close_both():
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def reader():
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                q.put((time.monotonic() + self.delay_s, data))
                if not data:
                    return

        def writer():
            while True:
                due, data = q.get()
                if not data:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    dst.sendall(data)
                except OSError:
                    break
            close_both()

        threading.Thread(target=reader, daemon=True).start()
        threading.Thread(target=writer, daemon=True).start()

    def close(self):
        self.sock.close()


class Coturn:
    """turnserver (Debian coturn) in the foreground on 127.0.0.1, relaying from the bed's server
    address; test_turn_relay.py's settings without its denied-peer list (the media server is
    reached at the relay address here)."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="airclass-icebench-coturn-")
        conf = os.path.join(self.workdir, "turnserver.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "listening-ip=127.0.0.1", f"relay-ip={netbed.SERVER_IP}",
                f"listening-port={TURN_PORT}", f"min-port={TURN_RELAY_PORTS[0]}",
                f"max-port={TURN_RELAY_PORTS[1]}", "use-auth-secret",
                f"static-auth-secret={TURN_SECRET}", "realm=airclass.bench", "fingerprint",
                "no-cli", "no-tls", "no-dtls", "no-multicast-peers", "log-file=stdout",
                "simple-log", f"pidfile={self.workdir}/turnserver.pid",
                f"userdb={self.workdir}/turndb", ""]))
        self.log = open(os.path.join(self.workdir, "turnserver.log"), "w")
        self.proc = subprocess.Popen(["turnserver", "-c", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:  # it listens on TCP too: ready once that answers
            if self.proc.poll() is not None:
                raise RuntimeError("turnserver exited at start")
            try:
                with socket.create_connection(("127.0.0.1", TURN_PORT), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("turnserver did not listen in time")

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def viewer_firewall(bed, srv, transport):
    """nftables in the viewer namespace for `transport`: udp nothing; tcp every UDP packet
    dropped; turn only UDP to and from coturn's port and TCP to the API and WHEP ports."""
    bed.viewer_run(["nft", "delete", "table", "inet", TABLE], capture_output=True, timeout=20)
    if transport == "udp":
        return
    dev = netbed.VIEWER_DEV
    out_rules, in_rules = [], []
    if transport == "turn":
        web = f"{{ {srv.api_port}, {srv.http_port} }}"
        out_rules = [f"udp dport {TURN_PORT} accept", f"tcp dport != {web} counter drop"]
        in_rules = [f"udp sport {TURN_PORT} accept", f"tcp sport != {web} counter drop"]
    out_rules.append("meta l4proto udp counter drop")
    in_rules.append("meta l4proto udp counter drop")
    text = (f"table inet {TABLE} {{\n"
            "  chain out {\n    type filter hook output priority 0; policy accept;\n" +
            "".join(f'    oifname "{dev}" {r}\n' for r in out_rules) + "  }\n"
            "  chain in {\n    type filter hook input priority 0; policy accept;\n" +
            "".join(f'    iifname "{dev}" {r}\n' for r in in_rules) + "  }\n}\n")
    res = bed.viewer_run(["nft", "-f", "-"], input=text, capture_output=True, text=True,
                         timeout=20)
    if res.returncode != 0:
        raise RuntimeError(f"nft: {res.stderr.strip()}")


class Bed:
    """The bed, the server, the publisher, the TCP proxy, coturn and its delaying relay: set()
    puts a transport and a round trip in place for the next page."""

    def __init__(self, bed, srv, proxy, turn_relay):
        self.bed, self.srv, self.proxy, self.turn_relay = bed, srv, proxy, turn_relay

    def set(self, transport, rtt_ms):
        half = rtt_ms / 2
        # coturn's leg to the server crosses the bed's relay: no delay there for turn.
        self.bed.relay.set(delay_ms=0 if transport == "turn" else half)
        self.turn_relay.set(delay_ms=half)
        self.proxy.delay_s = half / 1000
        viewer_firewall(self.bed, self.srv, transport)

    def play(self, transport, rtt_ms, seconds, smoothing):
        """One fresh page; its g2g_page.mjs report."""
        self.set(transport, rtt_ms)
        flags = ["--no-audio"] + ([] if smoothing else ["--no-smoothing"])
        if transport == "turn":
            answer = self.srv.token(user_id="icebench-turn")
            flags += ["--relay-ice-servers", json.dumps(answer["ice_servers"])]
            url = answer["webrtc_url"]
        else:
            url = self.srv.whep_url()
        return g2g.run_page("g2g_page.mjs", url, seconds, flags, wrap=self.bed.viewer_prefix())


def pair_transport(pair):
    """What a selected pair is: udp, tcp or turn (a relay candidate), None without a pair."""
    local = (pair or {}).get("local") or {}
    # Behind the bed's relay the server sees another address than the relay candidate's, so
    # Chromium reports the local end as peer-reflexive; relayProtocol says it is relayed.
    if local.get("type") == "relay" or local.get("relayProtocol"):
        return "turn"
    return local.get("protocol")


def rotated(i):
    return list(TRANSPORTS[i % 3:] + TRANSPORTS[:i % 3])


def glass_to_glass_rounds(args, tb):
    """--rounds rounds of one play per transport and round trip; per play the frames after the
    warm-up (render: capture to rendered; receive: capture to the frame's last packet in)."""
    plays = []
    for rnd in range(args.rounds):
        for rtt in args.rtt:
            for transport in rotated(rnd + args.rtt.index(rtt)):
                try:
                    rep = tb.play(transport, rtt, args.warmup + args.seconds, args.smoothing)
                except RuntimeError as e:
                    print(f"round {rnd + 1} {transport} {rtt} ms: failed: {e}", file=sys.stderr)
                    continue
                frames = [f for f in rep["frames"] if f["t"] >= args.warmup * 1000]
                stats = g2g.stats_window(rep["timeline"], args.warmup * 1000)
                play = {"round": rnd, "transport": transport, "rtt": rtt,
                        "pair": rep.get("pair"), "on": pair_transport(rep.get("pair")),
                        "render": [f["now"] for f in frames],
                        "receive": [f["receive"] for f in frames if f["receive"] is not None],
                        "fps": stats.get("fps"), "freezes": stats.get("freezeCount"),
                        "jitterBufferMs": stats.get("jitterBufferDelayMs"),
                        "firstFrameMs": rep.get("firstFrameMs"), "rejected": rep["rejected"],
                        "load": os.getloadavg()[0]}
                plays.append(play)
                r, v = g2g.summary(play["render"]), g2g.summary(play["receive"])
                print(f"round {rnd + 1} {transport} {rtt} ms (on {play['on']}): glass-to-glass "
                      f"p50 {g2g.fmt(r.get('p50'))} p95 {g2g.fmt(r.get('p95'))}, capture->"
                      f"received p50 {g2g.fmt(v.get('p50'))}, fps {g2g.fmt(play['fps'], '')}, "
                      f"jitter buffer {g2g.fmt(play['jitterBufferMs'])}, load {play['load']:.1f}")
                sys.stdout.flush()
    return plays


def first_frame_joins(args, tb, rng):
    """--joins short plays per transport and round trip, interleaved; each joins after a random
    part of the 2 s GOP."""
    joins = []
    for j in range(args.joins):
        for rtt in args.rtt:
            for transport in rotated(j + args.rtt.index(rtt)):
                time.sleep(rng.uniform(0.2, 2.0))
                try:
                    rep = tb.play(transport, rtt, JOIN_SECONDS, args.smoothing)
                except RuntimeError as e:
                    print(f"join {j + 1} {transport} {rtt} ms: failed: {e}", file=sys.stderr)
                    continue
                join = {"join": j, "transport": transport, "rtt": rtt,
                        "on": pair_transport(rep.get("pair")),
                        "firstFrameMs": rep.get("firstFrameMs"),
                        "answeredMs": rep.get("answeredMs"), "load": os.getloadavg()[0]}
                joins.append(join)
                print(f"join {j + 1} {transport} {rtt} ms (on {join['on']}): first frame "
                      f"{g2g.fmt(join['firstFrameMs'])} (answer {g2g.fmt(join['answeredMs'])})")
                sys.stdout.flush()
    return joins


def browser_phase(args):
    env = {"AIRCLASS_TURN_SECRET": TURN_SECRET,
           "AIRCLASS_TURN_URLS": f"turn:{netbed.SERVER_IP}:{TURN_PORT}?transport=udp"}
    rng = random.Random(16)
    per_play = args.warmup + args.seconds + 8
    total = (args.rounds * per_play + args.joins * (JOIN_SECONDS + 8)) * 3 * len(args.rtt) + 60
    with netbed.NetBed() as bed, bed.server(args.server, env=env) as srv:
        proxy = DelayingTcpProxy((netbed.RELAY_IP, srv.tcp_port), ("127.0.0.1", srv.tcp_port))
        turn_relay = netbed.RelayControl((netbed.SERVER_IP, TURN_PORT), ("127.0.0.1", TURN_PORT))
        coturn = Coturn()
        pub = g2g.publisher(srv.url(), total, audio=False)
        try:
            if not srv.wait_log("video H264", 15):
                raise RuntimeError("stream did not start")
            tb = Bed(bed, srv, proxy, turn_relay)
            plays = glass_to_glass_rounds(args, tb)
            joins = first_frame_joins(args, tb, rng)
        finally:
            pub.kill()
            pub.wait()
            coturn.close()
            turn_relay.close()
            proxy.close()
    return plays, joins


def load_run(args, srv, tcp):
    """One load-client run against `srv`: server CPU over the window minus the baseline just
    before, per viewer, and what the load client saw."""
    pid = srv.proc.pid
    now = time.time()
    base_cpu, _ = load.sample_window(pid, now, now + args.baseline)
    span = (args.viewers - 1) / args.ramp
    out = os.path.join(tempfile.mkdtemp(prefix="airclass-icebench-load-"), "load.json")
    token_api = srv.api_url("/api/token?user_type=student&user_id=icebench-load")
    cmd = [args.client, "--url", token_api, "-n", str(args.viewers), "--ramp", str(args.ramp),
           "--seconds", str(args.cpu_seconds), "--threads", "1", "--sample-auth", "10",
           "--json", out] + (["--tcp"] if tcp else []) + \
        ([] if args.cpu_audio else ["--no-audio"])
    t0 = time.time()
    client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tcp_connections = []

    def mid_window():
        status, text, _ = srv.api("GET", "/metrics")
        for line in text.splitlines() if status == 200 else []:
            if line.startswith("airclass_ice_tcp_connections "):
                tcp_connections.append(float(line.split()[-1]))

    cpu, _ = load.sample_window(pid, t0 + 0.2 + span + 1.0,
                                t0 + 0.2 + span + args.cpu_seconds - 0.5, mid_window)
    _, err = client.communicate(timeout=span + args.cpu_seconds + 120)
    if client.returncode not in (0, 1):
        raise RuntimeError(f"load_client failed ({client.returncode}): {err[-2000:]}")
    with open(out) as f:
        report = json.load(f)
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    s, run = report["summary"], report["run"]
    row = {"transport": "tcp" if tcp else "udp", "viewers": args.viewers, "serverCpu": cpu,
           "baseCpu": base_cpu, "cpuPerViewer": (cpu - base_cpu) / args.viewers,
           "connected": s["connected"], "lossPercent": s["loss_percent"],
           "medianFps": s["median_fps"], "minFps": s["min_fps"],
           "clientCpu": 100.0 * run["client_cpu_window_s"] / run["seconds"],
           "tcpConnections": tcp_connections[0] if tcp_connections else None,
           "load": os.getloadavg()[0]}
    print(f"load {row['transport']}: {row['connected']}/{args.viewers} connected, server CPU "
          f"{cpu:.1f} % (publisher alone {base_cpu:.1f} %), per viewer "
          f"{row['cpuPerViewer']:.3f} %, loss {row['lossPercent']:.4f} %, median fps "
          f"{row['medianFps']}, ICE-TCP connections {row['tcpConnections']}, client CPU "
          f"{row['clientCpu']:.1f} %, load {row['load']:.1f}")
    sys.stdout.flush()
    return row


def cpu_phase(args):
    """A plain loopback server (the bed is gone: only lo), bench/load.py's publisher and load
    client, udp and tcp in ABBA order."""
    env = {"AIRCLASS_LOG_LEVEL": "info", "AIRCLASS_TOKEN_RATE_BURST": "10000",
           "AIRCLASS_TOKEN_RATE_PER_SECOND": "10000",
           "AIRCLASS_WEBRTC_IPS_FROM_INTERFACES": "no",
           "AIRCLASS_WEBRTC_ADDITIONAL_HOSTS": "127.0.0.1"}
    rows = []
    with h.Server(args.server, webrtc=True, env=env) as srv:
        pub = load.publish(srv.url())
        try:
            if not srv.wait_log("video H264", timeout=15):
                raise RuntimeError("publisher not live")
            time.sleep(1.0)
            for i in range(args.cpu_runs):
                for tcp in ((False, True) if i % 2 == 0 else (True, False)):
                    rows.append(load_run(args, srv, tcp))
                    time.sleep(2.0)  # the viewers' sessions are gone before the next baseline
        finally:
            pub.kill()
            pub.wait()
    return rows


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def g2g_table(args, plays):
    """Per round trip and transport: pooled p50/p95 of the plays on the intended transport, and
    the median of each round's p50 difference to UDP."""
    rows = []
    for rtt in args.rtt:
        for transport in TRANSPORTS:
            ok = [p for p in plays if p["transport"] == transport and p["rtt"] == rtt and
                  p["on"] == transport]
            render = g2g.summary(x for p in ok for x in p["render"])
            receive = g2g.summary(x for p in ok for x in p["receive"])
            diffs = {"render": [], "receive": []}
            for p in ok:
                udp = next((u for u in plays if u["transport"] == "udp" and u["rtt"] == rtt and
                            u["round"] == p["round"] and u["on"] == "udp"), None)
                if udp is None or transport == "udp":
                    continue
                for k in diffs:
                    a, b = g2g.summary(p[k]), g2g.summary(udp[k])
                    if "p50" in a and "p50" in b:
                        diffs[k].append(a["p50"] - b["p50"])
            rows.append({"rtt": rtt, "transport": transport, "plays": len(ok),
                         "wrongTransport": sum(1 for p in plays if p["transport"] == transport and
                                               p["rtt"] == rtt and p["on"] != transport),
                         "renderP50": render.get("p50"), "renderP95": render.get("p95"),
                         "receiveP50": receive.get("p50"), "receiveP95": receive.get("p95"),
                         "frames": render["n"], "fps": med(p["fps"] for p in ok),
                         "freezes": sum(p["freezes"] or 0 for p in ok),
                         "jitterBufferMs": med(p["jitterBufferMs"] for p in ok),
                         "renderMinusUdpP50": med(diffs["render"]),
                         "renderMinusUdpRounds": diffs["render"],
                         "receiveMinusUdpP50": med(diffs["receive"]),
                         "receiveMinusUdpRounds": diffs["receive"]})
    for r in rows:  # pooled p50 minus UDP's pooled p50, as a second reading of the same thing
        udp = next(u for u in rows if u["rtt"] == r["rtt"] and u["transport"] == "udp")
        for k in ("render", "receive"):
            a, b = r[f"{k}P50"], udp[f"{k}P50"]
            r[f"{k}PooledMinusUdpP50"] = None if a is None or b is None else a - b
    return rows


def ttff_table(args, joins):
    rows = []
    for rtt in args.rtt:
        for transport in TRANSPORTS:
            ok = [j["firstFrameMs"] for j in joins if j["transport"] == transport and
                  j["rtt"] == rtt and j["on"] == transport and j["firstFrameMs"]]
            rows.append({"rtt": rtt, "transport": transport, "joins": len(ok),
                         "median": med(ok), "min": min(ok) if ok else None,
                         "max": max(ok) if ok else None, "all": sorted(round(x) for x in ok)})
    return rows


def cpu_summary(rows):
    per = {t: [r["cpuPerViewer"] for r in rows if r["transport"] == t] for t in ("udp", "tcp")}
    udp, tcp = med(per["udp"]), med(per["tcp"])
    return {"udpPerViewer": udp, "tcpPerViewer": tcp, "runs": per,
            "ratio": tcp / udp if udp and tcp is not None else None}


def signed(v):
    return "-" if v is None else f"{v:+.1f}"


def report(args, g2g_rows, ttff_rows, cpu):
    smoothing = "on (stock)" if args.smoothing else "off"
    print(f"\nglass-to-glass, {args.rounds} play(s) of {args.seconds} s per row, Chromium "
          f"smoothing {smoothing}; p50 / p95 of all frames; minus UDP: median of the rounds' "
          "p50 differences")
    print("| RTT | transport | plays | glass-to-glass p50 / p95 ms | minus UDP p50 | capture -> "
          "last packet in p50 / p95 ms | minus UDP p50 | fps | freezes | jitter buffer ms | "
          "first frame median ms (joins) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ttff = {(r["rtt"], r["transport"]): r for r in ttff_rows}
    for r in g2g_rows:
        t = ttff[(r["rtt"], r["transport"])]
        wrong = f" ({r['wrongTransport']} on another transport)" if r["wrongTransport"] else ""
        print(f"| {r['rtt']} ms | {r['transport']} | {r['plays']}{wrong} | "
              f"{g2g.fmt(r['renderP50'], '')} / {g2g.fmt(r['renderP95'], '')} | "
              f"{signed(r['renderMinusUdpP50'])} | {g2g.fmt(r['receiveP50'], '')} / "
              f"{g2g.fmt(r['receiveP95'], '')} | {signed(r['receiveMinusUdpP50'])} | "
              f"{g2g.fmt(r['fps'], '')} | {r['freezes']} | {g2g.fmt(r['jitterBufferMs'], '')} | "
              f"{g2g.fmt(t['median'], '')} ({t['joins']}: {t['all']}) |")
    if cpu:
        runs = {t: ", ".join(f"{x:.3f}" for x in cpu["runs"][t]) for t in ("udp", "tcp")}
        print(f"\nserver CPU per viewer ({args.viewers} viewers, "
              f"{'video + audio' if args.cpu_audio else 'video only'}), % of a core: UDP "
              f"{cpu['udpPerViewer']:.3f} (runs "
              f"{runs['udp']}), TCP {cpu['tcpPerViewer']:.3f} (runs {runs['tcp']}); TCP / UDP "
              f"{cpu['ratio']:.2f}")
    for r in g2g_rows:
        if r["transport"] == "tcp":
            d = r["renderMinusUdpP50"]
            print(f"target (ICE-TCP glass-to-glass within 5 ms of UDP, no loss) at {r['rtt']} "
                  f"ms: {'met' if d is not None and d <= 5 else 'MISSED'} "
                  f"(p50 minus UDP: median of the rounds {signed(d)} ms, pooled "
                  f"{signed(r['renderPooledMinusUdpP50'])} ms; capture -> last packet in "
                  f"{signed(r['receiveMinusUdpP50'])} / "
                  f"{signed(r['receivePooledMinusUdpP50'])} ms)")


def main():
    netbed.in_netbed()
    p = g2g.browser_bench_args(seconds=20, warmup=5)
    p.add_argument("--rounds", type=int, default=2, help="glass-to-glass plays per row")
    p.add_argument("--joins", type=int, default=5, help="first-frame joins per row")
    p.add_argument("--rtt", nargs="+", type=int, default=[0, 40], help="round trips, ms")
    p.add_argument("--smoothing", choices=["off", "on"], default="off",
                   help="Chromium's frame smoothing (off: --disable-rtc-smoothness-algorithm)")
    p.add_argument("--viewers", type=int, default=200, help="load-client viewers (0: no CPU "
                   "phase)")
    p.add_argument("--ramp", type=float, default=50.0, help="load-client viewers per second")
    p.add_argument("--cpu-seconds", type=float, default=15.0, help="load-client window")
    p.add_argument("--cpu-runs", type=int, default=2, help="udp/tcp pairs (ABBA order)")
    p.add_argument("--baseline", type=float, default=3.0, help="publisher-only CPU sample, s")
    p.add_argument("--cpu-audio", action=__import__("argparse").BooleanOptionalAction,
                   default=True, help="load-client viewers take audio too (default)")
    p.add_argument("--no-browser", action="store_true", help="the CPU phase only")
    p.add_argument("--client", default="", help="default: <build>/bench/load_client/load_client")
    args = p.parse_args()
    args.smoothing = args.smoothing == "on"
    if not args.client:
        args.client = os.path.normpath(os.path.join(os.path.dirname(args.server), "..", "..",
                                                    "bench", "load_client", "load_client"))
    started = time.monotonic()
    print(f"start: load average {os.getloadavg()}")
    if args.viewers:
        load.prepare_media()
    plays, joins = browser_phase(args) if not args.no_browser else ([], [])
    cpu_rows = cpu_phase(args) if args.viewers else []
    g2g_rows, ttff_rows = g2g_table(args, plays), ttff_table(args, joins)
    cpu = cpu_summary(cpu_rows) if cpu_rows else None
    report(args, g2g_rows, ttff_rows, cpu)
    print(f"wall time {time.monotonic() - started:.0f} s, load average at the end "
          f"{os.getloadavg()}")
    if args.json:
        slim = [{k: v for k, v in pl.items() if k not in ("render", "receive")} for pl in plays]
        print(json.dumps({"glassToGlass": g2g_rows, "firstFrame": ttff_rows, "cpu": cpu,
                          "cpuRuns": cpu_rows, "plays": slim, "joins": joins}))


if __name__ == "__main__":
    main()
