"""A main node and three sub nodes on loopback, ffmpeg publishing to the main node.
300 simulated students get tokens: every sub gets its fair share (equal capacities, +-15 %), the
same user_id always lands on the same node. Viewers on two different subs decode video with our
C++ client (the subs pull the stream from the main node over RTMP). One sub is killed while they
watch: new tokens avoid it within 6 s, its students move, nobody else's assignment changes. The main node
restarts: the subs re-register and assignments are unchanged. More students than the subs hold:
full nodes get no more. A forged and a replayed heartbeat are refused."""
import hashlib
import hmac
import json
import time
import urllib.request

import harness as h

CLUSTER_SECRET = "e2e-cluster-secret-of-at-least-32-bytes"
CAPACITY = 200  # per sub; the load ceiling (90 %) makes 180 the most a sub takes
USERS = [f"student-{i}" for i in range(300)]


def node_env(mode, node_id, extra=None):
    env = {"AIRCLASS_MODE": mode, "AIRCLASS_NODE_ID": node_id,
           "AIRCLASS_CLUSTER_SECRET": CLUSTER_SECRET, "AIRCLASS_LOG_LEVEL": "info"}
    env.update(extra or {})
    return env


def start_cluster(args):
    main = h.Server(args.server, webrtc=True, env=node_env("main", "main"))
    # 300 simulated students come from one address here; in a school they share one NAT too.
    main.env.update({"AIRCLASS_TOKEN_RATE_PER_SECOND": "10000", "AIRCLASS_TOKEN_RATE_BURST": "100000"})
    subs = []
    for i in range(1, 4):
        sub = h.Server(args.server, webrtc=True)
        sub.env.update(node_env("sub", f"sub-{i}", {
            "AIRCLASS_MAIN_URL": f"http://127.0.0.1:{main.api_port}",
            "AIRCLASS_MAIN_RTMP_URL": f"rtmp://127.0.0.1:{main.rtmp_port}",
            "AIRCLASS_WEBRTC_PUBLIC_URL": f"http://127.0.0.1:{sub.http_port}",
            "AIRCLASS_MAX_VIEWERS": str(CAPACITY),
            "AIRCLASS_RELAY_IDLE_TIMEOUT": "60s"}))
        subs.append(sub)
    return main, subs


def assign(main, users, extra=None):
    """user -> node id (or the HTTP status when refused)."""
    out = {}
    for u in users:
        params = {"user_type": "student", "user_id": u}
        params.update(extra or {})
        status, body, _ = main.api("POST", "/api/token", params)
        out[u] = body.get("node") if status == 200 else status
    return out


def counts(assignment):
    c = {}
    for node in assignment.values():
        c[node] = c.get(node, 0) + 1
    return c


def wait_nodes(main, healthy, timeout=15):
    deadline = time.time() + timeout
    got = []
    while time.time() < deadline:
        status, body, _ = main.api("GET", "/api/cluster/nodes", {"passcode": h.TEACHER_PASSCODE})
        got = sorted(n["id"] for n in body.get("nodes", []) if n.get("healthy") and
                     not n.get("local")) if status == 200 else []
        if got == healthy:
            return True
        time.sleep(0.1)
    print("nodes seen:", got)
    return False


def signed_post(url, body, secret, ts_ms, nonce):
    msg = f"airclass-msg-v1\n{ts_ms}\n{nonce}\n".encode() + body
    sig = hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-AIRClass-Timestamp": str(ts_ms),
        "X-AIRClass-Nonce": nonce, "X-AIRClass-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def watch_on_sub(c, args, main, subs, user):
    token = main.token(user_id=user)
    node = token["node"]
    sub = subs[int(node.split("-")[1]) - 1]
    c.check(f"{user}'s webrtc_url points at {node}",
            token["webrtc_url"].startswith(f"http://127.0.0.1:{sub.http_port}/live/stream/whep?"),
            token["webrtc_url"])
    # The first offer starts the pull from the main node (503 + Retry-After while it starts).
    status, _ = h.post_offer(token["webrtc_url"], "v=0\r\n")
    deadline = time.time() + 10
    while time.time() < deadline and not sub.api("GET", "/health")[1].get("stream_active"):
        time.sleep(0.1)
    c.check(f"{node} relays the stream from the main node (first offer -> {status})",
            sub.api("GET", "/health")[1].get("stream_active"), sub.log_text()[-1500:])
    return node, h.whep_client(args.client, token["webrtc_url"], 5)


def main_test():
    args = h.parse_args()
    c = h.Checks()
    main, subs = start_cluster(args)
    with main:
        for s in subs:
            s.start()
        try:
            run(c, args, main, subs)
        finally:
            for s in subs:
                s.stop()
    c.finish()


def run(c, args, main, subs):
    c.check("three subs registered", wait_nodes(main, ["sub-1", "sub-2", "sub-3"]),
            main.log_text()[-2000:])
    pub = h.ffmpeg_publish(main.url(), 60, size="640x360")
    main.wait_log("publishing live/stream")

    first = assign(main, USERS)
    share = counts(first)
    print(f"figure: 300 students over 3 equal subs: {share}")
    c.check("every sub gets its fair share (100 +- 15 %)",
            all(85 <= share.get(f"sub-{i}", 0) <= 115 for i in range(1, 4)), str(share))
    c.check("the same user_id always gets the same node", assign(main, USERS[:60]) ==
            {u: first[u] for u in USERS[:60]})

    # Viewers on two different subs decode video.
    by_node = {}
    for u in USERS:
        by_node.setdefault(first[u], u)
    viewers = [watch_on_sub(c, args, main, subs, by_node[n]) for n in ("sub-1", "sub-2")]

    # While they watch, kill sub-3: new tokens avoid it within 6 s; only its students move.
    killed_at = time.time()
    subs[2].kill()
    victim = next(u for u in USERS if first[u] == "sub-3")
    moved_after = None
    while time.time() - killed_at < 12:
        status, body, _ = main.api("POST", "/api/token", {"user_type": "student",
                                                          "user_id": victim})
        if status == 200 and body.get("node") != "sub-3":
            moved_after = time.time() - killed_at
            break
        time.sleep(0.1)
    print(f"figure: tokens avoid a killed sub {moved_after} s after the kill")
    c.check("new tokens avoid the killed sub within 6 s",
            moved_after is not None and moved_after <= 6.3, str(moved_after))
    # The viewers on the other subs played on while sub-3 died.
    for node, viewer in viewers:
        rep = viewer.result(timeout=60)
        frames = rep.get("video", {}).get("frames", 0)
        c.check(f"viewer on {node} decodes video via the relay", rep.get("exit_code") == 0 and
                frames >= 100, str(rep)[:800])
    second = assign(main, USERS)
    moved = [u for u in USERS if first[u] == "sub-3"]
    c.check("the killed sub's students moved to healthy subs",
            all(second[u] in ("sub-1", "sub-2") for u in moved), str(counts(second)))
    c.check("nobody else's assignment changed",
            all(second[u] == first[u] for u in USERS if first[u] != "sub-3"))
    status, body, _ = main.api("POST", "/api/token", {"user_type": "student",
                                                      "user_id": USERS[0], "avoid": second[USERS[0]]})
    c.check("a page that failed on its node gets another one at once (avoid=)",
            status == 200 and body.get("node") not in (second[USERS[0]], "sub-3"), str(body))

    # Restart the main node: the subs re-register, assignments stay.
    main.stop()
    main.start()
    c.check("subs re-register after a main restart", wait_nodes(main, ["sub-1", "sub-2"]),
            main.log_text()[-1500:])
    third = assign(main, USERS)
    c.check("assignments unchanged after the main restart", third == second,
            str({u: (second[u], third[u]) for u in USERS if third[u] != second[u]})[:600])

    # More students than the two subs hold: a full node gets no more.
    more = assign(main, [f"late-{i}" for i in range(120)])
    total = counts({**third, **more})
    print(f"figure: 420 students over 2 subs of capacity {CAPACITY}: {total}")
    c.check("full subs get no more students (at most 90 % of capacity each)",
            all(total.get(f"sub-{i}", 0) <= CAPACITY * 0.9 for i in (1, 2)) and
            total.get(503, 0) > 0, str(total))

    # Heartbeats: a forged one and a replayed one are refused.
    hb = json.dumps({"node_id": "intruder", "role": "sub", "api_url": "http://127.0.0.1:1",
                     "webrtc_url": "http://127.0.0.1:2", "capacity": 1000, "viewers": 0,
                     "egress_bps": 0, "cpu": 0.0, "version": "x", "started_ms": 1}).encode()
    url = main.api_url("/api/cluster/heartbeat")
    now = int(time.time() * 1000)
    c.check("forged heartbeat (wrong secret) -> 401",
            signed_post(url, hb, "x" * 40, now, "nonce-forged-1") == 401)
    c.check("stale heartbeat -> 401",
            signed_post(url, hb, CLUSTER_SECRET, now - 60000, "nonce-stale-1") == 401)
    first_send = signed_post(url, hb, CLUSTER_SECRET, now, "nonce-replay-1")
    replay = signed_post(url, hb, CLUSTER_SECRET, now, "nonce-replay-1")
    c.check("a genuine heartbeat is accepted once, its replay -> 401",
            first_send == 200 and replay == 401, f"{first_send} {replay}")
    pub.kill()
    pub.wait()
    c.check("main alive", main.alive())
    c.check("subs alive", subs[0].alive() and subs[1].alive())
    c.check("clean shutdown of the main node", main.stop() == 0, main.log_text()[-1500:])


if __name__ == "__main__":
    main_test()
