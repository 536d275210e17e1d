"""The seed's connection flow end to end in headless Chromium: the page POSTs to /api/token,
takes the webrtc_url it gets back, POSTs its WHEP offer there and plays video. While it plays,
a teacher's /api/streams shows the student by name; the phone's /health says the stream is live."""
import time

import harness as h


def main():
    args = h.parse_args()
    h.in_private_netns()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        pub = h.ffmpeg_publish(srv.url(), 25, video_args=h.VIDEO_2M)
        t0 = time.time()
        while time.time() - t0 < 10:
            if srv.api("GET", "/health")[1].get("stream_active"):
                break
            time.sleep(0.1)
        c.check("/health: stream active", srv.api("GET", "/health")[1].get("stream_active"))
        token_url = srv.api_url("/api/token?user_type=student&user_id=alice")
        browser = h.whep_browser_async(token_url, 8, token_api=True)
        seen = None
        teacher = srv.token("teacher", "teacher-1")["token"]
        deadline = time.time() + 15
        while time.time() < deadline and browser.poll() is None and not seen:
            status, body, _ = srv.api("GET", "/api/streams/live/stream",
                                      headers={"Authorization": f"Bearer {teacher}"})
            users = [v.get("user") for v in body.get("viewers", [])] if status == 200 else []
            if "alice" in users:
                seen = body
            time.sleep(0.3)
        c.check("teacher sees the student 'alice' among the viewers", seen is not None)
        out, err = browser.communicate(timeout=90)
        rep = h.json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err[-2000:]}
        c.check("page got a token (200)", rep.get("tokenStatus") == 200, str(rep)[:1500])
        ans = rep.get("tokenAnswer") or {}
        c.check("token answer: student alice, standalone, expires_in 3600",
                (ans.get("user_type"), ans.get("user_id"), ans.get("mode"),
                 ans.get("expires_in")) == ("student", "alice", "standalone", 3600), str(ans))
        c.check("page POSTed its offer to the returned webrtc_url", rep.get("status") == 201 and
                f":{srv.http_port}/live/stream/whep?jwt=" in (rep.get("webrtcUrl") or ""),
                str(rep.get("webrtcUrl")))
        last = h.last_sample(rep, "framesDecoded")
        frames = last.get("framesDecoded") or 0
        print(f"figure: first frame {rep.get('firstFrameMs', -1):.0f} ms after POST via the "
              f"token flow, {frames} frames decoded")
        c.check("video played (first frame, > 100 frames decoded)",
                rep.get("firstFrameMs") is not None and frames > 100, str(rep)[:1500])
        c.check("DELETE of the WHEP resource answered 200", rep.get("deleteStatus") == 200)
        pub.kill()
        pub.wait()
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
