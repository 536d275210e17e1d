"""A UDP relay that adds what this machine's kernel cannot (it has no netem): one-way delay per
direction, jitter, reordering, random loss, and dropping chosen datagrams (e.g. the first N
DTLS records one side sends). Used by netbed.py; see docs/testing.md.

    python3 udp_relay.py --listen 198.51.100.3:8189 --upstream 127.0.0.1:8189

Viewers send to --listen; each viewer address gets its own socket towards --upstream, so the
server sees one peer-reflexive address per viewer and its answers go back to the right viewer
from the listening address. "down" is server -> viewer, "up" is viewer -> server.

Control: one JSON object per line on stdin, one JSON answer per line on stdout (the first line
out is {"ready": true, ...} once bound):
    {"cmd": "set", "delay_ms": {"down": 20, "up": 20}, "jitter_ms": {...},
     "reorder_pct": {...}, "loss_pct": {...}}         (any subset; applies to new datagrams)
    {"cmd": "drop", "dir": "down", "kind": "dtls", "count": 2, "skip": 0,
     "record": "ServerHello"}                          (record: optional, DTLS only)
    {"cmd": "stats"}                                   (counters, and the relay's own lateness)
    {"cmd": "reset_lateness"}
Kinds follow RFC 7983 (first byte): stun 0-3, dtls 20-63, rtp/rtcp 128-191 (rtcp: payload
type byte 192-223), other, and any.

`python3 udp_relay.py --measure KBIT` sends that rate through a relay with 20 ms delay on
loopback and prints the relay's delay error (p50/p99)."""
import argparse
import heapq
import json
import os
import random
import select
import socket
import sys
import threading
import time

DIRS = ("down", "up")
KINDS = ("stun", "dtls", "rtp", "rtcp", "other", "any")
BUF = 4 << 20


def kind_of(data):
    if not data:
        return "other"
    b = data[0]
    if b <= 3:
        return "stun"
    if 20 <= b <= 63:
        return "dtls"
    if 128 <= b <= 191:
        return "rtcp" if len(data) > 1 and 192 <= data[1] <= 223 else "rtp"
    return "other"


HANDSHAKE_NAMES = {1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest",
                   11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest",
                   14: "ServerHelloDone", 15: "CertificateVerify", 16: "ClientKeyExchange",
                   20: "Finished"}


def dtls_records(data):
    """Names of the DTLS records in a datagram (RFC 6347 4.1: 13-byte header; handshake type
    readable in epoch 0 only)."""
    names, at = [], 0
    while at + 13 <= len(data):
        ctype, epoch = data[at], int.from_bytes(data[at + 3:at + 5], "big")
        length = int.from_bytes(data[at + 11:at + 13], "big")
        if ctype == 22 and epoch == 0 and at + 13 < len(data):
            names.append(HANDSHAKE_NAMES.get(data[at + 13], f"handshake{data[at + 13]}"))
        elif ctype == 22:
            names.append("Finished(encrypted)")
        else:
            names.append({20: "ChangeCipherSpec", 21: "Alert", 23: "ApplicationData"}.get(
                ctype, f"type{ctype}"))
        at += 13 + length
    return names


def big_buffers(sock):
    # SO_*BUFFORCE (root) ignores net.core.*mem_max: a burst (a keyframe) must not overflow.
    for force, plain in ((33, socket.SO_RCVBUF), (32, socket.SO_SNDBUF)):
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, BUF)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, plain, BUF)


class DirState:
    def __init__(self):
        self.delay = 0.0
        self.jitter = 0.0
        self.reorder = 0.0
        self.loss = 0.0
        self.last_due = 0.0
        self.packets = 0
        self.bytes = 0
        self.sent = 0
        self.dropped = 0
        self.dropped_by_kind = {}
        self.by_kind = {}
        self.send_errors = 0
        self.reordered = 0


class Relay:
    """The relay loop (one thread: sockets, a heap of datagrams due, one epoll)."""

    def __init__(self, listen, upstream, seed=None):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.dirs = {d: DirState() for d in DIRS}
        self.rules = []  # [dir, kind, skip, count]
        self.rng = random.Random(seed)
        self.heap = []
        self.seq = 0
        self.lateness = []  # seconds each datagram left after its due time
        self.dtls_log = []  # every DTLS datagram: when, which way, records, dropped
        self.started = time.monotonic()
        self.listen_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffers(self.listen_sock)
        self.listen_sock.bind(listen)
        self.listen_sock.setblocking(False)
        self.clients = {}  # viewer address -> upstream socket
        self.by_fd = {}  # upstream socket fd -> (socket, viewer address)
        self.ep = select.epoll()
        self.ep.register(self.listen_sock.fileno(), select.EPOLLIN)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        self.ep.register(self.wake_r, select.EPOLLIN)
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def address(self):
        return self.listen_sock.getsockname()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.running = False
        os.write(self.wake_w, b"x")
        self.thread.join(timeout=5)

    # --- control ---------------------------------------------------------------------------
    def configure(self, delay_ms=None, jitter_ms=None, reorder_pct=None, loss_pct=None):
        with self.lock:
            for field, values, scale in (("delay", delay_ms, 1e-3), ("jitter", jitter_ms, 1e-3),
                                         ("reorder", reorder_pct, 1e-2),
                                         ("loss", loss_pct, 1e-2)):
                for d, v in (values or {}).items():
                    if d not in DIRS or not isinstance(v, (int, float)) or v < 0:
                        raise ValueError(f"bad {field} for {d!r}: {v!r}")
                    setattr(self.dirs[d], field, float(v) * scale)

    def add_drop(self, direction, kind, count, skip=0, record=None):
        """Drops the next `count` datagrams of `kind` going `direction`, after letting `skip`
        through; with `record`, only DTLS datagrams holding that record (dtls_records names,
        e.g. "ServerHello", "ClientKeyExchange", "Finished(encrypted)")."""
        if direction not in DIRS or kind not in KINDS or count < 0 or skip < 0 or \
                (record is not None and not isinstance(record, str)):
            raise ValueError(f"bad drop rule {direction} {kind} {count} {skip} {record}")
        with self.lock:
            self.rules.append([direction, kind, int(skip), int(count), record])

    def stats(self):
        with self.lock:
            out = {d: {k: v for k, v in vars(s).items()
                       if k not in ("last_due",)} for d, s in self.dirs.items()}
            for d in DIRS:
                for f in ("delay", "jitter"):
                    out[d][f + "_ms"] = out[d].pop(f) * 1e3
                for f in ("reorder", "loss"):
                    out[d][f + "_pct"] = out[d].pop(f) * 1e2
            out["clients"] = len(self.clients)
            out["pending_drop_rules"] = [r for r in self.rules if r[3] > 0]
            out["dtls_log"] = list(self.dtls_log)
            late = sorted(self.lateness)
        out["lateness_ms"] = percentiles(late)
        return out

    def reset_lateness(self):
        with self.lock:
            self.lateness = []

    # --- data path -------------------------------------------------------------------------
    def should_drop(self, direction, kind, records):
        """Called with the lock held."""
        for rule in self.rules:
            if rule[0] != direction or rule[3] <= 0 or rule[1] not in (kind, "any"):
                continue
            if rule[4] is not None and rule[4] not in records:
                continue
            if rule[2] > 0:
                rule[2] -= 1
                continue
            rule[3] -= 1
            return True
        loss = self.dirs[direction].loss
        return loss > 0 and self.rng.random() < loss

    def schedule(self, direction, data, sock, dest, now):
        kind = kind_of(data)
        with self.lock:
            st = self.dirs[direction]
            st.packets += 1
            st.bytes += len(data)
            st.by_kind[kind] = st.by_kind.get(kind, 0) + 1
            records = dtls_records(data) if kind == "dtls" else []
            drop = self.should_drop(direction, kind, records)
            if kind == "dtls" and len(self.dtls_log) < 1000:
                self.dtls_log.append({"t_ms": round((now - self.started) * 1e3, 1),
                                      "dir": direction, "bytes": len(data),
                                      "records": records, "dropped": drop})
            if drop:
                st.dropped += 1
                st.dropped_by_kind[kind] = st.dropped_by_kind.get(kind, 0) + 1
                return
            due = now + st.delay
            if st.jitter > 0:
                due += self.rng.uniform(-st.jitter, st.jitter)
            if st.reorder > 0 and self.rng.random() < st.reorder:
                # Leaves half the delay early: overtakes what was queued in that window.
                due = now + st.delay / 2
                st.reordered += 1
            else:
                due = max(due, st.last_due, now)  # jitter alone never reorders (as netem)
                st.last_due = due
        self.seq += 1
        heapq.heappush(self.heap, (due, self.seq, direction, data, sock, dest))

    def upstream_for(self, viewer):
        sock = self.clients.get(viewer)
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            big_buffers(sock)
            sock.connect(self.upstream)
            sock.setblocking(False)
            with self.lock:
                self.clients[viewer] = sock
            self.by_fd[sock.fileno()] = (sock, viewer)
            self.ep.register(sock.fileno(), select.EPOLLIN)
        return sock

    def read_all(self, fd, now):
        if fd == self.wake_r:
            try:
                os.read(self.wake_r, 64)
            except BlockingIOError:
                pass
            return
        if fd == self.listen_sock.fileno():
            while True:
                try:
                    data, viewer = self.listen_sock.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    return
                self.schedule("up", data, self.upstream_for(viewer), None, now)
        sock, viewer = self.by_fd[fd]
        while True:
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:  # the server is not (yet, or any more) there
                continue
            self.schedule("down", data, self.listen_sock, viewer, now)

    def send_due(self, now):
        late = []
        while self.heap and self.heap[0][0] <= now:
            due, _, direction, data, sock, dest = heapq.heappop(self.heap)
            try:
                if dest is None:
                    sock.send(data)
                else:
                    sock.sendto(data, dest)
                ok = True
            except OSError:
                ok = False
            late.append((direction, ok, now - due))
        if late:
            with self.lock:
                for direction, ok, lateness in late:
                    st = self.dirs[direction]
                    if ok:
                        st.sent += 1
                    else:
                        st.send_errors += 1
                    if len(self.lateness) < 1_000_000:
                        self.lateness.append(lateness)

    def loop(self):
        while self.running:
            now = time.monotonic()
            self.send_due(now)
            timeout = -1 if not self.heap else max(0.0, self.heap[0][0] - time.monotonic())
            for fd, _ in self.ep.poll(timeout):
                self.read_all(fd, time.monotonic())
        for sock in list(self.clients.values()):
            sock.close()
        self.listen_sock.close()


def percentiles(values):
    if not values:
        return {"count": 0, "p50": None, "p99": None, "max": None}
    n = len(values)
    return {"count": n, "p50": round(values[n // 2] * 1e3, 3),
            "p99": round(values[min(n - 1, int(n * 0.99))] * 1e3, 3),
            "max": round(values[-1] * 1e3, 3)}


def parse_addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def control(relay):
    """Serves commands from stdin until it closes."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
            cmd = msg.get("cmd")
            if cmd == "set":
                relay.configure(msg.get("delay_ms"), msg.get("jitter_ms"),
                                msg.get("reorder_pct"), msg.get("loss_pct"))
                answer = {"ok": True}
            elif cmd == "drop":
                relay.add_drop(msg.get("dir"), msg.get("kind", "any"), msg.get("count", 1),
                               msg.get("skip", 0), msg.get("record"))
                answer = {"ok": True}
            elif cmd == "stats":
                answer = {"ok": True, "stats": relay.stats()}
            elif cmd == "reset_lateness":
                relay.reset_lateness()
                answer = {"ok": True}
            else:
                answer = {"ok": False, "error": f"unknown command {cmd!r}"}
        except (ValueError, TypeError, AttributeError) as e:
            answer = {"ok": False, "error": str(e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def measure(kbit, seconds=5.0, delay_ms=20.0, size=1200):
    """Sends `kbit` kbit/s of `size`-byte datagrams through a relay on loopback (both ends in
    this process, so the clock is shared) and returns the relay's error: arrival - (send +
    delay) percentiles, and datagrams lost."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    big_buffers(sink)
    sink.bind(("127.0.0.1", 0))
    relay = Relay(("127.0.0.1", 0), sink.getsockname()).start()
    relay.configure(delay_ms={"up": delay_ms, "down": delay_ms})
    src = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    big_buffers(src)
    src.connect(relay.address())
    errors, done = [], threading.Event()

    def receive():
        sink.settimeout(0.5)
        while not done.is_set():
            try:
                data = sink.recv(65536)
            except socket.timeout:
                continue
            sent = float(data[:24].decode())
            errors.append(time.monotonic() - sent - delay_ms / 1e3)

    rx = threading.Thread(target=receive, daemon=True)
    rx.start()
    interval = size * 8 / (kbit * 1000.0)
    count = int(seconds / interval)
    start = time.monotonic()
    for i in range(count):
        target = start + i * interval
        pause = target - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        src.send(f"{time.monotonic():<24.6f}".encode() + b"x" * (size - 24))
    time.sleep(delay_ms / 1e3 + 0.3)
    done.set()
    rx.join()
    stats = relay.stats()
    relay.stop()
    result = {"kbit": kbit, "pps": round(count / seconds), "sent": count,
              "received": len(errors), "error_ms": percentiles(sorted(errors)),
              "relay_lateness_ms": stats["lateness_ms"]}
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", help="address viewers send to, host:port")
    p.add_argument("--upstream", help="the server's media address, host:port")
    p.add_argument("--seed", type=int, default=None, help="random seed (jitter, loss)")
    p.add_argument("--measure", type=float, metavar="KBIT",
                   help="measure the relay's own delay error at this rate and exit")
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    # The relay plays the network: the endpoints' CPU load (the server, ffmpeg, a browser on
    # 2 shared cores) must not delay it. Round-robin real-time priority 1 wakes it first (the
    # kernel's RT throttling still leaves others 5 %); nice -10 where that is refused (nice
    # alone does little across cgroups).
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
    except (OSError, AttributeError):
        try:
            os.setpriority(os.PRIO_PROCESS, 0, -10)
        except OSError:
            pass
    if a.measure:
        print(json.dumps(measure(a.measure, a.seconds)))
        return
    if not a.listen or not a.upstream:
        p.error("--listen and --upstream are required")
    relay = Relay(parse_addr(a.listen), parse_addr(a.upstream), a.seed).start()
    host, port = relay.address()
    sys.stdout.write(json.dumps({"ready": True, "listen": f"{host}:{port}"}) + "\n")
    sys.stdout.flush()
    control(relay)  # returns when stdin closes: the owner is gone
    relay.stop()


if __name__ == "__main__":
    main()
