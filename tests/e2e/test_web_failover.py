"""Failover in the browser: a main node and two sub nodes, ffmpeg publishing to the main node, a
student's page (served by the main node) playing from the sub the main node picked. That sub is
killed; the page must reconnect with a fresh token and play from the other sub within 5 s of the
failure. Runs in a private network namespace (Chromium needs it for loopback WebRTC)."""
import time

import harness as h
import web_harness as w

PLAYER = "window.__airclass?.players?.main"
SECRET = "e2e-cluster-secret-of-at-least-32-bytes"


def main():
    args = h.parse_args()
    h.in_private_netns()
    c = h.Checks()
    main_node = w.web_server(args.server)
    main_node.env.update({"AIRCLASS_MODE": "main", "AIRCLASS_NODE_ID": "main",
                          "AIRCLASS_CLUSTER_SECRET": SECRET})
    subs = []
    for i in (1, 2):
        sub = h.Server(args.server, webrtc=True)
        sub.env.update({"AIRCLASS_MODE": "sub", "AIRCLASS_NODE_ID": f"sub-{i}",
                        "AIRCLASS_CLUSTER_SECRET": SECRET,
                        "AIRCLASS_MAIN_URL": f"http://127.0.0.1:{main_node.api_port}",
                        "AIRCLASS_MAIN_RTMP_URL": f"rtmp://127.0.0.1:{main_node.rtmp_port}",
                        "AIRCLASS_WEBRTC_PUBLIC_URL": f"http://127.0.0.1:{sub.http_port}"})
        subs.append(sub)
    shots = w.screenshots_dir(args.out)
    with main_node, w.Browser(shots) as b:
        for s in subs:
            s.start()
        try:
            pub = h.ffmpeg_publish(main_node.url(), 60, video_args=h.VIDEO_2M)
            deadline = time.time() + 15
            while time.time() < deadline:
                st, body, _ = main_node.api("GET", "/api/cluster/nodes",
                                            {"passcode": h.TEACHER_PASSCODE})
                healthy = [n for n in body.get("nodes", []) if n.get("healthy")] if st == 200 \
                    else []
                if len(healthy) >= 2 and main_node.api("GET", "/health")[1].get("stream_active"):
                    break
                time.sleep(0.2)
            b.open("s", main_node.api_url("/"))
            b.fill("s", "[data-testid=name]", "failover-student")
            b.click("s", "[data-testid=join]")
            ok = b.wait("s", f"{PLAYER}?.state === 'playing' && {PLAYER}.framesDecoded > 30", 25)
            c.check("the student plays from a sub node", ok, str(b.player("s"))[:600])
            # A sub's /health counts its viewers; wait for the student to show up (<= 3 s).
            deadline = time.time() + 3
            counts = [w.viewers(s) for s in subs]
            while time.time() < deadline and sum(counts) < 1:
                time.sleep(0.1)
                counts = [w.viewers(s) for s in subs]
            serving = 0 if counts[0] > 0 else 1
            c.check("exactly one sub serves the student", sorted(counts) == [0, 1], str(counts))
            back, took = w.plays_again_after_kill(b, "s", subs[serving])
            b.shot("s", "student-failover.png")
            p = b.player("s") or {}
            print(f"figure: the page played again {took:.2f} s after its sub node was killed")
            c.check("the page plays again from the other sub within 5 s", back and took <= 5.0,
                    f"{took:.2f} s {str(p)[:600]}")
            deadline = time.time() + 2  # the sub's status refreshes once a second
            while time.time() < deadline and w.viewers(subs[1 - serving]) != 1:
                time.sleep(0.1)
            c.check("the other sub now serves the student", w.viewers(subs[1 - serving]) == 1)
            pub.kill()
            pub.wait()
            c.check("main alive", main_node.alive())
        finally:
            for s in subs:
                s.stop()
    c.finish()


if __name__ == "__main__":
    main()
