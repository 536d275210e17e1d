"""WHEP offers that never connect cannot lock a node (issue 19's first item; issue 15 builds the
test bed, this is the pending-slot fix): a node with maxViewers 20 gets a flood of offers that
never send an ICE check.
- one student token: after 4 pending offers the token gets 429 with Retry-After;
- 150 tokens from one address: after 100 pending offers that address gets 429;
- meanwhile a teacher from another address is answered 201 (pending offers hold no viewer
  seat), and the flood's offers expire on the server's own timer (5 s), counted as never
  connected; afterwards a real viewer plays. Loopback clients (load tests) are held only to the
  node's bound: 10 offers of one token from 127.0.0.1 are all answered."""
import http.client
import os
import subprocess
import time

import harness as h

MAX_VIEWERS = 20


def claims(sub, user_type="student", path="live/stream"):
    now = int(time.time())
    return {"iss": "airclass", "sub": sub, "user_type": user_type, "path": path,
            "action": "read", "iat": now, "exp": now + 600}


# Offers come from documentation addresses added to lo in the test's own namespace: clients on
# loopback proper are the machine's own tools, held only to the node's bound.
FLOODER, TEACHER = "203.0.113.1", "203.0.113.2"


def post(srv, token, offer, source=FLOODER):
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10,
                                      source_address=(source, 0))
    try:
        conn.request("POST", f"/live/stream/whep?jwt={token}", body=offer,
                     headers={"Content-Type": "application/sdp"})
        r = conn.getresponse()
        return r.status, r.getheader("Retry-After"), r.read().decode(errors="replace")
    finally:
        conn.close()


def metric(srv, name):
    _, text, _ = srv.api("GET", "/metrics")
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def main():
    h.in_private_netns()
    args = h.parse_args()
    for ip in (FLOODER, TEACHER):
        subprocess.run(["ip", "addr", "add", f"{ip}/32", "dev", "lo"], check=True)
    c = h.Checks()
    with open(os.path.join(args.data, "sdp", "chrome_recvonly_offer.sdp")) as f:
        offer = f.read()
    env = {"AIRCLASS_MAX_VIEWERS": str(MAX_VIEWERS)}
    with h.Server(args.server, webrtc=True, env=env) as srv:
        pub = h.ffmpeg_publish(srv.url(), 40, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        time.sleep(0.5)

        one = h.make_jwt(claims("flooder"))
        codes = [post(srv, one, offer)[0] for _ in range(10)]
        c.check("one token: 4 pending offers, then 429", codes == [201] * 4 + [429] * 6,
                str(codes))
        status, retry, body = post(srv, one, offer)
        c.check("the refusal says why and when to retry", status == 429 and retry == "5" and
                "still connecting" in body, f"{status} {retry} {body}")

        started = time.time()
        codes = [post(srv, h.make_jwt(claims(f"s{i}")), offer)[0] for i in range(150)]
        accepted, refused = codes.count(201), codes.count(429)
        print(f"figure: 150 tokens from one address: {accepted} answered, {refused} refused "
              f"in {time.time() - started:.2f} s")
        c.check("one address: 100 pending offers in all, then 429", accepted == 96 and
                refused == 54, f"{accepted} answered, {refused} refused")

        teacher = h.make_jwt(claims("teacher-1", user_type="teacher"))
        status, _, body = post(srv, teacher, offer, source=TEACHER)
        c.check("a teacher from another address is answered 201 during the flood",
                status == 201, f"{status} {body[:200]}")
        refused_metric = metric(srv, "airclass_whep_pending_refused_total") or 0
        c.check("refusals counted in /metrics", refused_metric >= 60, str(refused_metric))

        time.sleep(7.5)  # PendingTimeout (5 s) and the 1 s sweep, with room
        never = metric(srv, "airclass_handshakes_failed_total") or 0
        c.check("the flood's offers expired on the server's timer, counted as never connected",
                srv.log_text().count("never connected") >= 100, str(never))
        rep = h.whep_client(args.client, srv.whep_url(), 4).result()
        c.check("then a real viewer plays",
                rep.get("video", {}).get("frames", 0) >= 60, str(rep)[:500])
        codes = [post(srv, one, offer, source="127.0.0.1")[0] for _ in range(10)]
        c.check("loopback (the machine's own tools): 10 offers of one token answered",
                codes == [201] * 10, str(codes))
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
