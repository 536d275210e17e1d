"""The token route keeps answering during a slowloris (issue 19). Eight addresses (127.0.0.2-9,
loopback in the test's own network namespace) fill the API server's whole connection cap
(http::ServerLimits defaults, not configurable: 1024 in all, 256 per address, 5 s to send a
request head) with connections that trickle header bytes forever, and reopen every connection
the server closes (a refused one 0.2 s later). Meanwhile a student from 127.0.0.10 asks POST /api/token every 0.4 s: each
answer must be 200 within 1 s (the server sheds a waiting connection of the heaviest address
to make room). Then the attackers stop reopening but keep trickling: every slow connection is
closed within the header deadline of its accept, not the 15 s whole-request one."""
import http.client
import selectors
import socket
import threading
import time

import harness as h

ATTACKERS = [f"127.0.0.{i}" for i in range(2, 10)]
STUDENT = "127.0.0.10"
MAX_CONNECTIONS = 1024  # http::ServerLimits::max_connections
EXTRA = 64              # attempts past the cap: refused with 503, proving the cap was reached
HEADER_TIMEOUT = 5.0    # http::ServerLimits::header_timeout
ATTACK_SECONDS = 8.0    # spans one header deadline, so the attackers reopen once under test
TRICKLE_EVERY = 0.5
TOKEN_EVERY = 0.4
TOKEN_DEADLINE = 1.0
REFUSED_RETRY = 0.2
HEAD = b"POST /api/token?user_type=student&user_id=slow HTTP/1.1\r\nHost: x\r\nX-Slow-"


class Attack:
    """Slow connections on one selector, polled from the test's main thread."""

    def __init__(self, port):
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.records = []
        self.reopen = True
        self.pending = []  # (when, address) of connections to open again

    def open(self, addr):
        s = socket.socket()
        s.bind((addr, 0))
        s.settimeout(2)
        s.connect(("127.0.0.1", self.port))
        s.setblocking(False)
        rec = {"addr": addr, "opened": time.monotonic(), "closed": None, "answer": b""}
        try:
            s.send(HEAD)
        except OSError:
            pass
        self.sel.register(s, selectors.EVENT_READ, rec)
        self.records.append(rec)

    def open_count(self):
        return len(self.sel.get_map())

    def held(self):
        """Slow connections open and not refused: places the attack holds."""
        return sum(1 for k in list(self.sel.get_map().values()) if not k.data["answer"])

    def poll(self, timeout):
        for key, _ in self.sel.select(timeout):
            s, rec = key.fileobj, key.data
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                rec["answer"] += data
                continue
            rec["closed"] = time.monotonic()
            self.sel.unregister(s)
            s.close()
            # A held place that was taken away (shed or timed out) is taken again at once; a
            # refused one (503) a moment later, so the server stays full without the test
            # spinning on the 503 path.
            if self.reopen:
                self.pending.append((rec["closed"] + (REFUSED_RETRY if rec["answer"] else 0),
                                     rec["addr"]))

    def reopen_due(self):
        now = time.monotonic()
        due = [p for p in self.pending if p[0] <= now]
        self.pending = [p for p in self.pending if p[0] > now]
        for _, addr in due:
            if self.reopen:
                self.open(addr)

    def trickle(self):
        for key in list(self.sel.get_map().values()):
            try:
                key.fileobj.send(b"a")
            except OSError:
                pass

    def run_for(self, seconds):
        until = time.monotonic() + seconds
        next_trickle = time.monotonic()
        while time.monotonic() < until:
            if time.monotonic() >= next_trickle:
                self.trickle()
                next_trickle += TRICKLE_EVERY
            self.poll(0.05)
            self.reopen_due()


def ask_token(port):
    """One student token request from STUDENT; (status or error text, seconds)."""
    begun = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(STUDENT, 0))
    try:
        conn.request("POST", "/api/token?user_type=student&user_id=ana")
        r = conn.getresponse()
        r.read()
        status = r.status
    except OSError as e:
        status = f"{type(e).__name__}: {e}"
    finally:
        conn.close()
    return status, time.monotonic() - begun


def metric_value(srv, name):
    """One unlabelled sample of /metrics, or None. Read from a fresh address (127.0.0.11), as a
    scraper's."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.api_port, timeout=5,
                                      source_address=("127.0.0.11", 0))
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server) as srv:
        status, _ = ask_token(srv.api_port)
        c.check("token before the attack -> 200", status == 200, str(status))

        attack = Attack(srv.api_port)
        begun = time.monotonic()
        for i in range(MAX_CONNECTIONS + EXTRA):
            attack.open(ATTACKERS[i % len(ATTACKERS)])
        print(f"opened {MAX_CONNECTIONS + EXTRA} slow connections from {len(ATTACKERS)} "
              f"addresses in {time.monotonic() - begun:.2f} s")
        attack.run_for(0.5)
        first = attack.records[:MAX_CONNECTIONS + EXTRA]
        refused = sum(r["answer"].startswith(b"HTTP/1.1 503") for r in first)
        c.check(f"the cap is reached: {attack.open_count()} held, {refused} of the "
                f"{EXTRA} past the cap refused with 503",
                attack.open_count() >= MAX_CONNECTIONS - 8 and refused >= EXTRA // 2,
                f"held {attack.open_count()}, refused {refused}")

        results = []
        stop = threading.Event()

        held_when_asked = []

        def student():
            while not stop.is_set():
                held_when_asked.append(attack.held())
                results.append(ask_token(srv.api_port))
                stop.wait(TOKEN_EVERY)

        attack_from = time.monotonic()
        t = threading.Thread(target=student)
        t.start()
        attack.run_for(ATTACK_SECONDS)
        stop.set()
        t.join()
        attack_to = time.monotonic()
        held_at_end = attack.open_count()
        times = [s for _, s in results]
        ok = [st == 200 and s < TOKEN_DEADLINE for st, s in results]
        print(f"token during the attack: {len(results)} requests, statuses "
              f"{sorted(set(str(st) for st, _ in results))}, max {max(times, default=0) * 1000:.0f} ms, "
              f"mean {sum(times) / max(len(times), 1) * 1000:.0f} ms; {held_at_end} slow connections "
              f"held at the end")
        c.check(f"every token during the attack -> 200 within {TOKEN_DEADLINE:.0f} s "
                f"({sum(ok)}/{len(results)})", len(results) >= 10 and all(ok),
                str([(st, round(s, 3)) for st, s in results if st != 200 or s >= 1]))
        held_when_asked = sorted(held_when_asked) or [0]
        median = held_when_asked[len(held_when_asked) // 2]
        print(f"places the attack held when the student asked: min {held_when_asked[0]}, "
              f"median {median}")
        c.check("the attack held the server full while the student asked, and to the end",
                median >= MAX_CONNECTIONS - 2 and held_at_end >= MAX_CONNECTIONS - 2,
                f"median {median}, at the end {held_at_end}")
        early = [r for r in attack.records if r["closed"] and not r["answer"] and
                 attack_from <= r["closed"] <= attack_to and
                 r["closed"] - r["opened"] < HEADER_TIMEOUT - 0.2]
        # Sheds make room for the student, and also even the attackers out as their places
        # expire and are retaken at slightly different times.
        print(f"slow connections shed during the attack: {len(early)}")
        c.check("the student's places came from shed slow connections",
                len(early) >= len(results) // 2, f"{len(early)} of {len(results)}")
        shed = metric_value(srv, "airclass_http_connections_shed_total")
        c.check("/metrics counts the shed connections", shed is not None and shed >= len(early),
                f"{shed} (client saw {len(early)})")

        # The attackers stop reopening but keep trickling: the header deadline closes the rest.
        attack.reopen = False
        attack.pending = []
        last_open = max(r["opened"] for r in attack.records)
        attack.run_for(0.1)
        while attack.open_count() and time.monotonic() < last_open + HEADER_TIMEOUT + 2:
            attack.run_for(0.1)
        # What closes now, the deadline closes, but for a few last connections still being
        # accepted that may even the attackers out by shedding one of theirs.
        after = [r["closed"] - r["opened"] for r in attack.records
                 if r["closed"] and not r["answer"] and r["closed"] > attack_to]
        lives = [life for life in after if life >= HEADER_TIMEOUT - 0.3]
        longest = max((r["closed"] - r["opened"] for r in attack.records
                       if r["closed"] and not r["answer"]), default=0)
        print(f"after the attack: {len(after)} slow connections closed, {len(lives)} by the "
              f"header deadline, lifetime {min(lives, default=0):.2f}-{max(lives, default=0):.2f} s; "
              f"{attack.open_count()} still open")
        c.check("every slow connection closed", attack.open_count() == 0,
                str(attack.open_count()))
        c.check(f"closed at the header deadline ({HEADER_TIMEOUT:.0f} s, not 15 s); longest "
                f"any slow connection lived: {longest:.2f} s",
                len(lives) >= MAX_CONNECTIONS - 2 * len(ATTACKERS) and
                len(after) - len(lives) <= 2 * len(ATTACKERS) and
                longest <= HEADER_TIMEOUT + 1.0,
                f"{len(lives)} of {len(after)} at {min(lives, default=0):.2f}-{max(lives, default=0):.2f} s")
        status, _ = ask_token(srv.api_port)
        c.check("token after the attack -> 200", status == 200, str(status))
        print(f"total wall {time.monotonic() - begun:.1f} s")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
