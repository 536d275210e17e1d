"""A network test bed: the server side and the viewer side in two network namespaces joined by
a veth pair, with the impairments this machine's kernel allows (no netem): tbf rate caps,
nftables loss and blocking, and a UDP relay (udp_relay.py) for delay, jitter, reordering and
chosen drops. See docs/testing.md.

    import harness as h, netbed
    netbed.in_netbed()                     # re-runs the test as root in a fresh namespace
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        bed.relay.set(delay_ms=20)         # 40 ms round trip for all media
        bed.set_rate("down", 1500)         # kbit/s, server -> viewer
        bed.set_loss("down", 10)           # % of UDP server -> viewer, nftables
        rep = h.whep_client(args.client, srv.whep_url(), 8, wrap=bed.viewer_prefix()).result()

Topology (198.51.100.0/24, RFC 5737):
    server namespace (the test process, the server, publishers, the relay)
        lo 127.0.0.1; veth "nb-srv": 198.51.100.1 (API, WHEP) and 198.51.100.3 (the relay)
    viewer namespace (held by a `sleep` child; players run there through nsenter)
        lo 127.0.0.1; veth "nb-view": 198.51.100.2
"down" is server -> viewer (egress of nb-srv), "up" is viewer -> server (egress of nb-view)."""
import ctypes
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import harness as h

SERVER_IP = "198.51.100.1"
VIEWER_IP = "198.51.100.2"
RELAY_IP = "198.51.100.3"
SERVER_DEV = "nb-srv"
VIEWER_DEV = "nb-view"
TABLE = "netbed"
E2E_DIR = os.path.dirname(os.path.abspath(__file__))
DIRECTIONS = ("down", "up")


def in_netbed():
    """Re-runs this test as root inside a new network namespace (only lo, up), the server side
    of the bed; returns only inside it. Nothing the bed makes is visible to the host, and all of
    it goes when the test's processes end."""
    if os.environ.get("NETBED_INSIDE") == "1":
        return
    if os.geteuid() != 0:
        sys.exit("netbed needs root (network namespaces, veth, tc, nftables)")
    # AIRCLASS_IN_NETNS: harness.in_private_netns() is then a no-op.
    env = dict(os.environ, NETBED_INSIDE="1", AIRCLASS_IN_NETNS="1")
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
           sys.executable] + sys.argv
    sys.exit(subprocess.call(cmd, env=env))


def _die_with_parent():
    # The viewer namespace lives as long as its holder; the holder dies with the test.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run(cmd, input_text=None, check=True):
    out = subprocess.run(cmd, input=input_text, capture_output=True, text=True, timeout=20)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()}")
    return out


class Schedule:
    """Applies phases [(seconds, value), ...] one after another in a thread: apply(value) at
    each phase's start. With loop=True it starts over until stop(). .done is an Event."""

    def __init__(self, apply, phases, loop=False):
        self.apply, self.phases, self.loop = apply, list(phases), loop
        self.applied = []  # (monotonic time, value) of every change, for the test to read
        self.done = threading.Event()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while True:
                for seconds, value in self.phases:
                    if self._stop.is_set():
                        return
                    self.apply(value)
                    self.applied.append((time.monotonic(), value))
                    if self._stop.wait(seconds):
                        return
                if not self.loop:
                    return
        finally:
            self.done.set()

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=10)

    def join(self, timeout=None):
        return self.done.wait(timeout)


class RelayControl:
    """The udp_relay.py process in the server namespace and its control channel."""

    def __init__(self, listen, upstream, seed=None):
        cmd = [sys.executable, os.path.join(E2E_DIR, "udp_relay.py"), "--listen",
               f"{listen[0]}:{listen[1]}", "--upstream", f"{upstream[0]}:{upstream[1]}"]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1,
                                     preexec_fn=_die_with_parent)
        self.lock = threading.Lock()
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError("udp_relay did not start: " + self.proc.stderr.read()[-2000:])
        self.listen = json.loads(first)["listen"]

    def _call(self, msg):
        with self.lock:
            self.proc.stdin.write(json.dumps(msg) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("udp_relay exited: " + self.proc.stderr.read()[-2000:])
        answer = json.loads(line)
        if not answer.get("ok"):
            raise ValueError(answer.get("error"))
        return answer

    @staticmethod
    def _per_dir(value):
        if value is None:
            return None
        if isinstance(value, dict):
            return value
        return {"down": value, "up": value}

    def set(self, delay_ms=None, jitter_ms=None, reorder_pct=None, loss_pct=None):
        """Each argument is a number (both directions) or {"down": x, "up": y}; None keeps the
        current value. Applies to datagrams arriving from now on."""
        self._call({"cmd": "set", "delay_ms": self._per_dir(delay_ms),
                    "jitter_ms": self._per_dir(jitter_ms),
                    "reorder_pct": self._per_dir(reorder_pct),
                    "loss_pct": self._per_dir(loss_pct)})

    def drop(self, direction, kind="any", count=1, skip=0, record=None):
        """Drops the next `count` datagrams of `kind` (stun, dtls, rtp, rtcp, other, any) going
        `direction` (down/up), after letting `skip` of them through. With `record` (DTLS), only
        datagrams holding that record: "ClientHello", "ServerHello", "Certificate",
        "ClientKeyExchange", "ChangeCipherSpec", "Finished(encrypted)", "Alert", ... (the names
        stats()["dtls_log"] shows). Rules add up; each counts down on its own."""
        self._call({"cmd": "drop", "dir": direction, "kind": kind, "count": count,
                    "skip": skip, "record": record})

    def stats(self):
        """{"down": {packets, bytes, sent, dropped, dropped_by_kind, by_kind, send_errors,
        reordered, delay_ms, ...}, "up": {...}, "clients": n, "lateness_ms": {p50, p99, max},
        "dtls_log": [{t_ms, dir, bytes, records: ["ClientHello", ...], dropped}, ...]}"""
        return self._call({"cmd": "stats"})["stats"]

    def reset_lateness(self):
        self._call({"cmd": "reset_lateness"})

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class NetBed:
    """The two namespaces, the veth pair and the impairments. Make it (as a context manager)
    inside in_netbed(). Methods are safe to call from schedule threads."""

    def __init__(self):
        if os.environ.get("NETBED_INSIDE") != "1":
            raise RuntimeError("call netbed.in_netbed() first (it re-runs the test in a namespace)")
        self.relay = None
        self.holder = None
        self._schedules = []
        self._loss = {d: None for d in DIRECTIONS}
        self._lock = threading.Lock()
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    # --- setup -------------------------------------------------------------------------------
    def _setup(self):
        # The viewer namespace: a child that unshares, brings lo up, says so, then sleeps.
        self.holder = subprocess.Popen(
            ["unshare", "-n", "sh", "-c", "ip link set lo up && echo ready && exec sleep infinity"],
            stdout=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)
        if self.holder.stdout.readline().strip() != "ready":
            raise RuntimeError("the viewer namespace did not come up")
        self.viewer_ns = f"/proc/{self.holder.pid}/ns/net"
        _run(["ip", "link", "add", SERVER_DEV, "type", "veth", "peer", "name", VIEWER_DEV,
              "netns", str(self.holder.pid)])
        for cmd in (["ip", "addr", "add", f"{SERVER_IP}/24", "dev", SERVER_DEV],
                    ["ip", "addr", "add", f"{RELAY_IP}/24", "dev", SERVER_DEV],
                    ["ip", "link", "set", SERVER_DEV, "up"]):
            _run(cmd)
        for cmd in (["ip", "addr", "add", f"{VIEWER_IP}/24", "dev", VIEWER_DEV],
                    ["ip", "link", "set", VIEWER_DEV, "up"]):
            _run(self.viewer_prefix() + cmd)
        self._nft_setup()
        self._wait_link()

    def _wait_link(self):
        """The veth carrier takes a moment: connect from the viewer side to a closed TCP port
        of the server side until the refusal (RST) comes back (no ping on this machine)."""
        probe = ("import socket,sys\n"
                 "try:\n"
                 f"    socket.create_connection(('{SERVER_IP}', 9), timeout=0.5)\n"
                 "except ConnectionRefusedError:\n"
                 "    sys.exit(0)\n"
                 "except OSError:\n"
                 "    sys.exit(1)\n")
        deadline = time.time() + 10
        while time.time() < deadline:
            if _run(self.viewer_prefix() + [sys.executable, "-c", probe],
                    check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the veth link did not come up")

    def _nft_setup(self):
        # Base chains see only the veth's traffic (never lo: publisher, relay <-> server). Each
        # direction jumps to a "block" chain (UDP blocked / one TCP port) and a "loss" chain,
        # flushed and refilled as the test changes them; named counters survive refills.
        lines = [f"table inet {TABLE} {{"]
        for d in DIRECTIONS:
            for c in ("packets", "udp", "tcp", "loss", "blocked"):
                lines.append(f"  counter {d}_{c} {{ }}")
            lines.append(f"  chain {d}_block {{ }}")
            lines.append(f"  chain {d}_loss {{ }}")
        for hook, d, match in (("output", "down", f'oifname "{SERVER_DEV}"'),
                               ("input", "up", f'iifname "{SERVER_DEV}"')):
            lines += [f"  chain {hook} {{",
                      f"    type filter hook {hook} priority 0; policy accept;",
                      f"    {match} counter name {d}_packets",
                      f"    {match} meta l4proto udp counter name {d}_udp",
                      f"    {match} meta l4proto tcp counter name {d}_tcp",
                      f"    {match} jump {d}_block",
                      f"    {match} jump {d}_loss",
                      "  }"]
        lines.append("}")
        _run(["nft", "-f", "-"], "\n".join(lines) + "\n")

    def close(self):
        for s in self._schedules:
            s.stop()
        if self.relay:
            self.relay.close()
            self.relay = None
        if self.holder and self.holder.poll() is None:
            self.holder.kill()  # the viewer namespace and its veth end go with it
            self.holder.wait()
        _run(["nft", "delete", "table", "inet", TABLE], check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- running things ---------------------------------------------------------------------
    def viewer_prefix(self):
        """Prepend to a command to run it in the viewer namespace."""
        return ["nsenter", f"--net={self.viewer_ns}", "--"]

    def viewer_popen(self, args, **kwargs):
        """subprocess.Popen(args, **kwargs) in the viewer namespace."""
        return subprocess.Popen(self.viewer_prefix() + list(args), **kwargs)

    def viewer_run(self, args, **kwargs):
        """subprocess.run(args, **kwargs) in the viewer namespace."""
        return subprocess.run(self.viewer_prefix() + list(args), **kwargs)

    def viewer_nft(self, ruleset):
        """Loads an nftables ruleset (text for `nft -f -`) in the viewer namespace: a firewall
        of the viewer's own, beside the bed's tables."""
        out = self.viewer_run(["nft", "-f", "-"], input=ruleset, capture_output=True, text=True,
                              timeout=20)
        if out.returncode != 0:
            raise RuntimeError(f"nft: {out.stderr.strip()}")

    def viewer_counters(self, table):
        """The named counters of a viewer-side nftables table: {name: packets,
        name + "_bytes": bytes}."""
        out = self.viewer_run(["nft", "-j", "list", "counters", "table", "inet", table],
                              capture_output=True, text=True, timeout=20)
        result = {}
        for item in json.loads(out.stdout or "{}").get("nftables", []):
            if "counter" in item:
                result[item["counter"]["name"]] = item["counter"]["packets"]
                result[item["counter"]["name"] + "_bytes"] = item["counter"]["bytes"]
        return result

    def server(self, binary, relay=True, relay_seed=None, **kwargs):
        """A harness.Server (not started: use `with`) that viewers reach at SERVER_IP: API and
        WHEP listen on every address, token answers point at http://SERVER_IP:<whep port>.
        relay=True: media listens on 127.0.0.1 and the only ICE candidate offered is the relay
        (RELAY_IP, same port), so every media datagram crosses bed.relay and the veth.
        relay=False: media listens on SERVER_IP and that is the candidate; UDP segmentation
        is then off (env AIRCLASS_UDP_SEGMENTATION=no unless given), because nftables sees a
        segmentation batch (a frame's packets to one viewer) as one packet: loss would drop
        whole frames and the counters would count batches. One relayed server per bed. Other
        arguments go to harness.Server (extra_yaml must not set the WebRTC listeners or
        candidates)."""
        env = dict(kwargs.pop("env", None) or {})
        if not relay:
            env.setdefault("AIRCLASS_UDP_SEGMENTATION", "no")
        env.setdefault("AIRCLASS_WEBRTC_IPS_FROM_INTERFACES", "no")
        env.setdefault("AIRCLASS_WEBRTC_ADDITIONAL_HOSTS", RELAY_IP if relay else SERVER_IP)
        kwargs.setdefault("webrtc", True)
        srv = h.Server(binary, env=env, listen_host="0.0.0.0", public_host=SERVER_IP,
                       media_host="127.0.0.1" if relay else SERVER_IP, **kwargs)
        if relay:
            if self.relay is not None:
                raise RuntimeError("this bed already relays another server")
            self.relay = RelayControl((RELAY_IP, srv.udp_port), ("127.0.0.1", srv.udp_port),
                                      relay_seed)
        return srv

    # --- rate caps (tc tbf) -----------------------------------------------------------------
    def _tc(self, direction, args, check=True):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be down or up, not {direction!r}")
        dev = SERVER_DEV if direction == "down" else VIEWER_DEV
        cmd = ["tc"] + [dev if a == "DEV" else a for a in args]
        return _run(cmd if direction == "down" else self.viewer_prefix() + cmd, check=check)

    def set_rate(self, direction, kbit, burst_bytes=None, latency_ms=50):
        """Caps `direction` at `kbit` kbit/s (token bucket: `burst_bytes`, default 20 ms of
        the rate and at least 4 KB; `latency_ms` of queue, beyond which tbf drops). kbit=None
        removes the cap. Changeable at any time."""
        if kbit is None:
            self._tc(direction, ["qdisc", "del", "dev", "DEV", "root"], check=False)
            return
        burst = burst_bytes or max(4096, int(kbit * 1000 / 8 * 0.02))
        self._tc(direction, ["qdisc", "replace", "dev", "DEV", "root", "tbf",
                             "rate", f"{int(kbit)}kbit", "burst", str(burst),
                             "latency", f"{latency_ms}ms"])

    def rate_stats(self, direction):
        """tbf's own counters: {"sent_bytes", "sent_packets", "dropped", "overlimits"}."""
        out = self._tc(direction, ["-s", "-j", "qdisc", "show", "dev", "DEV"])
        for q in json.loads(out.stdout or "[]"):
            if q.get("kind") == "tbf":
                return {"sent_bytes": q.get("bytes", 0), "sent_packets": q.get("packets", 0),
                        "dropped": q.get("drops", 0), "overlimits": q.get("overlimits", 0)}
        return None

    def rate_schedule(self, direction, phases, loop=False, **tbf):
        """[(seconds, kbit or None), ...] applied in a thread; returns the Schedule."""
        return self._schedule(lambda kbit: self.set_rate(direction, kbit, **tbf), phases, loop)

    # --- loss and blocking (nftables) --------------------------------------------------------
    def set_loss(self, direction, percent, proto="udp", port=None):
        """Drops `percent` % (0.01 steps) of `direction`'s packets of `proto` ("udp", "tcp" or
        None for all), only those whose server-side port is `port` when given (source port
        going down, destination port going up). Replaces the direction's previous loss rule;
        0 removes it. The "loss" counter keeps counting across changes."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be down or up, not {direction!r}")
        if proto not in ("udp", "tcp", None):
            raise ValueError(f"proto must be udp, tcp or None, not {proto!r}")
        rule = ""
        if percent > 0:
            match = f"meta l4proto {proto} " if proto else ""
            if port is not None:
                match += f"th {'sport' if direction == 'down' else 'dport'} {int(port)} "
            # nft refuses "mod 10000 < 10000": a full drop is a plain rule.
            chance = ("" if percent >= 100 else
                      f"numgen random mod 10000 < {int(round(percent * 100))} ")
            rule = (f"add rule inet {TABLE} {direction}_loss {match}{chance}"
                    f"counter name {direction}_loss drop\n")
        with self._lock:
            _run(["nft", "-f", "-"], f"flush chain inet {TABLE} {direction}_loss\n{rule}")
            self._loss[direction] = percent

    def loss_schedule(self, direction, phases, loop=False, proto="udp", port=None):
        """[(seconds, percent), ...] applied in a thread (bursts of loss); returns the
        Schedule."""
        return self._schedule(lambda pct: self.set_loss(direction, pct, proto, port), phases,
                              loop)

    def gilbert_elliott(self, direction, p_enter_bad, p_leave_bad, good_pct=0.0, bad_pct=50.0,
                        step_s=0.02, seed=None, proto="udp", port=None):
        """Gilbert-Elliott loss in time: every `step_s` the link moves good -> bad with
        probability p_enter_bad and bad -> good with p_leave_bad; loss is good_pct or bad_pct
        (the mean bad spell is step_s / p_leave_bad). Returns a Schedule-like object (stop())."""
        rng = random.Random(seed)

        def states():
            bad = False
            while True:
                bad = (rng.random() < p_enter_bad) if not bad else (rng.random() >= p_leave_bad)
                yield bad

        gen = states()
        last = [None]

        def step(_):
            pct = bad_pct if next(gen) else good_pct
            if pct != last[0]:
                self.set_loss(direction, pct, proto, port)
                last[0] = pct

        return self._schedule(step, [(step_s, None)], loop=True)

    def block_udp(self, direction=None):
        """Drops all UDP between the namespaces (both directions unless one is named)."""
        self._set_block(direction, "meta l4proto udp")

    def only_tcp_port(self, port, direction=None):
        """Lets only TCP to/from the server's `port` through: every other TCP and all UDP
        dropped (ICMP stays, so ping still answers)."""
        self._set_block(direction, "meta l4proto udp", f"meta l4proto tcp th {{}} != {int(port)}")

    def unblock(self, direction=None):
        self._set_block(direction)

    def _set_block(self, direction, *matches):
        text = ""
        for d in ([direction] if direction else DIRECTIONS):
            if d not in DIRECTIONS:
                raise ValueError(f"direction must be down or up, not {d!r}")
            text += f"flush chain inet {TABLE} {d}_block\n"
            for m in matches:
                m = m.format("sport" if d == "down" else "dport")
                text += f"add rule inet {TABLE} {d}_block {m} counter name {d}_blocked drop\n"
        with self._lock:
            _run(["nft", "-f", "-"], text)

    def counters(self):
        """Packets through the veth as the server side sees them, per direction:
        {"down": {"packets", "udp", "tcp", "loss" (dropped by set_loss), "blocked"}, "up": ...}.
        Uplink counts are taken on arrival (input), downlink on departure before tbf."""
        out = _run(["nft", "-j", "list", "counters", "table", "inet", TABLE])
        result = {d: {} for d in DIRECTIONS}
        for item in json.loads(out.stdout)["nftables"]:
            c = item.get("counter")
            if c and "_" in c.get("name", ""):
                d, what = c["name"].split("_", 1)
                result[d][what] = c["packets"]
        return result

    # --- helpers ------------------------------------------------------------------------------
    def _schedule(self, apply, phases, loop):
        s = Schedule(apply, phases, loop)
        self._schedules.append(s)
        return s

    def whep_url(self, srv, path="live/stream"):
        """The webrtc_url the token API hands a student (it points at SERVER_IP)."""
        return srv.whep_url(path)
