"""The cluster on Redis: a redis-server, two main nodes and three sub nodes on loopback, ffmpeg
publishing to a SUB node (sub-1, the stream's origin; the other nodes pull from it).
- 300 token requests spread over both mains: every sub gets a share, no main gets a student,
  both mains place a user alike, and the answers play (our C++ client on each sub).
- A student's page (served by main-b) plays from sub-2 or sub-3; that sub is killed: the page
  plays again from another sub within 5 s.
- Redis stopped (SIGSTOP) for 10 s: the page and a C++ viewer keep getting frames, new tokens get
  503 with the reason, and after SIGCONT tokens work again within a few seconds, nobody restarted.
- 400 more students through both mains: no sub takes more than its load ceiling (90 % of 200)
  in all, although each main alone would have filled it: they share what they placed.
- main-a killed: every next token request is answered by main-b within one retry.
Runs in a private network namespace (Chromium needs it for loopback WebRTC)."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import harness as h
import web_harness as w

SECRET = "e2e-cluster-secret-of-at-least-32-bytes"
PLAYER = "window.__airclass?.players?.main"
USERS = [f"student-{i}" for i in range(300)]
SUBS = ("sub-1", "sub-2", "sub-3")
CAPACITY = 200  # maxViewers of each sub; at the 90 % ceiling a sub takes 180 students
LATEST = {}  # user -> the node of the last token answer for it
PLACED_BY = {}  # user -> the main that gave that answer


class Redis:
    """redis-server on a free loopback port, nothing persisted."""

    def __init__(self):
        self.port = h.free_port()
        self.dir = tempfile.mkdtemp(prefix="airclass-redis-")
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--logfile",
             os.path.join(self.dir, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(timeout=10)


def node(binary, mode, node_id, redis, web=False):
    srv = w.web_server(binary) if web else h.Server(binary, webrtc=True)
    srv.env.update({"AIRCLASS_MAX_VIEWERS": str(CAPACITY),
        "AIRCLASS_MODE": mode, "AIRCLASS_NODE_ID": node_id, "AIRCLASS_CLUSTER_SECRET": SECRET,
        "AIRCLASS_REDIS_ADDRESS": f"127.0.0.1:{redis.port}",
        "AIRCLASS_HEARTBEAT_INTERVAL": "500ms", "AIRCLASS_LOG_LEVEL": "info",
        "AIRCLASS_WEBRTC_PUBLIC_URL": f"http://127.0.0.1:{srv.http_port}",
        # 300 simulated students from one address; in a school they share one NAT too.
        "AIRCLASS_TOKEN_RATE_PER_SECOND": "10000", "AIRCLASS_TOKEN_RATE_BURST": "100000"})
    return srv


def token(srv, user, extra=None):
    """(status, body, headers); status 0 when the node cannot be reached."""
    params = {"user_type": "student", "user_id": user}
    params.update(extra or {})
    url = srv.api_url("/api/token") + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as r:
            body = json.loads(r.read())
            LATEST[user] = body["node"]
            PLACED_BY[user] = srv.env["AIRCLASS_NODE_ID"]
            return r.status, body, r.headers
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(text), e.headers
        except ValueError:
            return e.code, text, e.headers
    except (urllib.error.URLError, ConnectionError):
        return 0, None, {}


def nodes_seen(srv):
    status, body, _ = srv.api("GET", "/api/cluster/nodes", {"passcode": h.TEACHER_PASSCODE})
    return sorted(n["id"] for n in body.get("nodes", [])) if status == 200 else []


def wait_for(fn, timeout, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    return None


def main():
    args = h.parse_args()
    h.in_private_netns()
    c = h.Checks()
    with Redis() as redis:
        mains = [node(args.server, "main", "main-a", redis, web=True),
                 node(args.server, "main", "main-b", redis, web=True)]
        subs = [node(args.server, "sub", s, redis) for s in SUBS]
        everyone = mains + subs
        try:
            for n in everyone:
                n.start()
            with w.Browser(w.screenshots_dir(args.out)) as b:
                run(c, args, redis, mains, subs, b)
        finally:
            for n in everyone:
                if n.alive():
                    n.stop()
    c.finish()


def run(c, args, redis, mains, subs, b):
    want = sorted(["main-a", "main-b"] + list(SUBS))
    c.check("both mains see all five nodes in Redis",
            wait_for(lambda: all(nodes_seen(m) == want for m in mains), 15),
            f"{nodes_seen(mains[0])} {mains[0].log_text()[-1500:]}")
    health = mains[0].api("GET", "/health")[1]
    c.check("/health says Redis is up", health.get("cluster", {}).get("redis") == "up", str(health))
    pub = h.ffmpeg_publish(subs[0].url(), 100, size="640x360")
    c.check("the phone publishes to sub-1", subs[0].wait_log("publishing live/stream", 15),
            subs[0].log_text()[-1500:])
    time.sleep(1.0)  # sub-1 writes the stream's origin within a tick

    spread(c, args, mains, subs)
    watched = browser_failover(c, b, mains, subs)
    redis_outage(c, args, redis, mains, subs, b, watched)
    overfill(c, mains, watched)
    main_killed(c, mains, subs, watched)
    h.finish_early(pub)
    for s in subs:
        if s.alive():
            c.check(f"{s.env['AIRCLASS_NODE_ID']} shuts down cleanly", s.stop() == 0,
                    s.log_text()[-1500:])
    c.check("main-b shuts down cleanly", mains[1].stop() == 0, mains[1].log_text()[-1500:])


def spread(c, args, mains, subs):
    placed = {}
    for i, u in enumerate(USERS):
        status, body, _ = token(mains[i % 2], u)
        placed[u] = body.get("node") if status == 200 else status
    share = {}
    for n in placed.values():
        share[n] = share.get(n, 0) + 1
    print(f"figure: 300 students over 3 subs through 2 mains: {share}")
    c.check("every sub gets a share (60..140 of 300), no student on a main",
            sorted(share) == list(SUBS) and all(60 <= share[s] <= 140 for s in SUBS), str(share))
    again = {u: token(mains[1 - i % 2], u)[1].get("node") for i, u in enumerate(USERS[:40])}
    c.check("the other main places the same users on the same nodes",
            again == {u: placed[u] for u in USERS[:40]})
    # One answer per sub plays: sub-1 serves its own publish, sub-2 and sub-3 pull from it.
    players = []
    for s in SUBS:
        user = next(u for u in USERS if placed[u] == s)
        status, body, _ = token(mains[0], user)
        players.append((s, h.whep_client(args.client, body["webrtc_url"], 5)))
    for s, p in players:
        rep = p.result(timeout=60)
        frames = rep.get("video", {}).get("frames", 0)
        c.check(f"a token's webrtc_url on {s} plays", rep.get("exit_code") == 0 and frames >= 80,
                str(rep)[:600])


def browser_failover(c, b, mains, subs):
    """The page on main-b plays from sub-2 or sub-3; that sub dies; it plays again in 5 s."""
    name = next(f"page-student-{i}" for i in range(200)
                if token(mains[1], f"page-student-{i}")[1].get("node") in ("sub-2", "sub-3"))
    b.open("s", mains[1].api_url("/"))
    b.fill("s", "[data-testid=name]", name)
    b.click("s", "[data-testid=join]")
    ok = b.wait("s", f"{PLAYER}?.state === 'playing' && {PLAYER}.framesDecoded > 30", 25)
    c.check("the student's page plays from a sub", ok, str(b.player("s"))[:600])
    counts = wait_for(lambda: (lambda v: v if sum(v) >= 1 else None)([w.viewers(s) for s in subs]),
                      3) or [0, 0, 0]
    serving = max(range(3), key=lambda i: counts[i])
    c.check("the page plays from sub-2 or sub-3 (pulling from sub-1)",
            serving in (1, 2) and sorted(counts) == [0, 0, 1], str(counts))
    back, took = w.plays_again_after_kill(b, "s", subs[serving])
    b.shot("s", "redis-cluster-failover.png")
    print(f"figure: the page played again {took:.2f} s after its sub was killed")
    c.check("the page plays again from another sub within 5 s", back and took <= 5.0,
            f"{took:.2f} s {str(b.player('s'))[:600]}")
    return serving


def redis_outage(c, args, redis, mains, subs, b, dead):
    alive = [i for i in range(3) if i != dead]
    relay_sub = next(i for i in alive if i != 0)  # pulls from sub-1
    user = next(f"outage-viewer-{i}" for i in range(200)
                if token(mains[0], f"outage-viewer-{i}")[1].get("node") == SUBS[relay_sub])
    viewer = h.whep_client(args.client, token(mains[0], user)[1]["webrtc_url"], 16)
    time.sleep(2.0)
    frames_before = (b.player("s") or {}).get("framesDecoded", 0)
    redis.proc.send_signal(signal.SIGSTOP)
    stopped = time.time()
    refused = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(token(mains[0], "newcomer")),
                       4)
    reason = refused[1].get("error", "") if refused else ""
    print(f"figure: with Redis stopped a token request gets: {refused and refused[0]} {reason}")
    c.check("with Redis stopped, new tokens get 503 with the reason and Retry-After",
            refused is not None and reason.startswith("cluster state unavailable: redis")
            and refused[2].get("Retry-After"), str(refused and refused[:2]))
    # Each node finds out on its own, within a command timeout or two (redisTimeout 500 ms).
    cluster = wait_for(lambda: (lambda s: s if s.get("redis") == "down" else None)(
        mains[1].api("GET", "/health")[1].get("cluster", {})), 3)
    c.check("/health on the other main says Redis is down, and why",
            cluster is not None and "unreachable" in cluster.get("reason", ""),
            str(mains[1].api("GET", "/health")[1]))
    time.sleep(max(0.0, 10.0 - (time.time() - stopped)))
    frames_during = (b.player("s") or {}).get("framesDecoded", 0) - frames_before
    redis.proc.send_signal(signal.SIGCONT)
    resumed = time.time()
    print(f"figure: the page decoded {frames_during} frames while Redis was stopped for 10 s")
    c.check("the playing page kept getting frames while Redis was stopped", frames_during >= 200,
            str(frames_during))
    ok = wait_for(lambda: token(mains[0], "newcomer")[0] == 200 and
                  token(mains[1], "newcomer-b")[0] == 200, 10, 0.2)
    took = time.time() - resumed
    print(f"figure: tokens flowed again {took:.2f} s after Redis came back")
    c.check("tokens work again within 5 s of Redis' return, no node restarted",
            ok and took <= 5.0, f"{took:.2f} s {token(mains[0], 'newcomer')[:2]}")
    rep = viewer.result(timeout=60)
    frames = rep.get("video", {}).get("frames", 0)
    c.check("a C++ viewer on a relaying sub played through the outage (>= 13 s of 16 s of frames)",
            rep.get("exit_code") == 0 and frames >= 13 * 25, str(rep)[:600])


def overfill(c, mains, dead):
    alive = [SUBS[i] for i in range(3) if i != dead]
    refused = 0
    for i in range(400):
        status, body, _ = token(mains[i % 2], f"late-{i}")
        refused += status != 200
    per = {s: sum(1 for n in LATEST.values() if n == s) for s in alive}
    print(f"figure: students per live sub after 400 more through both mains: {per}, "
          f"{refused} refused (no room)")
    # A few over: the other main's latest placements reach a main within one read (500 ms).
    c.check("the mains share their placements: no sub over its ceiling (180 + 5)",
            all(n <= CAPACITY * 0.9 + 5 for n in per.values()) and refused > 0,
            f"{per} refused {refused}")


def main_killed(c, mains, subs, dead):
    mains[0].kill()
    # Students main-b placed on live subs ask again (the class is full by now): sticky answers.
    users = [u for u, n in LATEST.items() if PLACED_BY[u] == "main-b" and n != SUBS[dead]][:60]
    answered, retried, nodes = 0, 0, set()
    for i, user in enumerate(users):
        order = [mains[i % 2], mains[1 - i % 2]]  # as DNS round robin would hand them out
        status, body, _ = token(order[0], user)
        if status == 0:
            retried += 1
            status, body, _ = token(order[1], user)
        if status == 200:
            answered += 1
            nodes.add(body["node"])
    print(f"figure: {len(users)} token requests after main-a died: {answered} answered, {retried} retried "
          f"once, nodes {sorted(nodes)}")
    c.check("with main-a dead every token request is answered within one retry",
            len(users) == 60 and answered == 60 and retried == 30,
            f"{len(users)} {answered} {retried}")
    c.check("and no student is sent to the dead sub",
            SUBS[dead] not in nodes and nodes <= set(SUBS), str(nodes))


if __name__ == "__main__":
    main()
