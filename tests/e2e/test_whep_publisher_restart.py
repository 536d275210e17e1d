"""A phone rotates or its Wi-Fi drops: the publisher disconnects and comes back with a new
resolution. The browser's WHEP session stays up and resumes decoding at the new size within
3 s of the new publish, without a new WHEP request. Our whep_client watches the same restart
and reports each track's timeline: the RTP timestamps advance by the real length of the pause
and the sender reports keep one RTP-to-NTP mapping across it."""
import json
import time

import harness as h



def check_timeline(c, rep):
    """The longest pause in each track is the restart; across it the RTP time must advance as
    much as real time did (before: one frame), and the sender reports' RTP-to-NTP mapping must
    not move (before: by the length of the pause)."""
    tl = rep.get("timeline") or {}
    for kind in ("video", "audio"):
        t = tl.get(kind)
        if not t:
            c.check(f"whep_client: {kind} timeline measured", False, json.dumps(rep)[:1500])
            continue
        print(f"figure: {kind} restart pause {t['max_gap_ms']:.0f} ms, RTP time across it "
              f"{t['ts_step_ms']:.0f} ms, sender-report mapping spread {t['sr_spread_ms']:.1f} ms "
              f"over {t['reports']} reports")
        c.check(f"whep_client: {kind} saw the restart pause", t["max_gap_ms"] >= 700,
                json.dumps(t))
        c.check(f"whep_client: {kind} RTP time advanced by the pause",
                abs(t["ts_step_ms"] - t["max_gap_ms"]) < 200, json.dumps(t))
        c.check(f"whep_client: {kind} sender reports kept one clock mapping",
                t["reports"] >= 5 and t["sr_spread_ms"] < 50, json.dumps(t))


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        # Generous -t: the test ends each publisher itself (finish_early) when it has served.
        first = h.ffmpeg_publish(srv.url(), 30, video_args=h.VIDEO_2M)
        c.check("first publisher live", srv.wait_log("publishing live/stream"))
        time.sleep(1.0)
        browser = h.whep_browser_async(srv.whep_url(), 60, until_stdin=True)
        # However long Chromium takes to start, it plays the first publisher for 2 s.
        c.check("browser connected", srv.wait_log(" of live/stream connected from ", 40),
                srv.log_text()[-1500:])
        viewer = h.whep_client(args.client, srv.whep_url(), 11)
        time.sleep(2.0)
        h.finish_early(first, what="first publisher")  # the phone's connection ends
        time.sleep(1.0)  # the phone reconnects
        second_at = time.time()
        second = h.ffmpeg_publish(srv.url(), 30, size="640x360", video_args=h.VIDEO_2M)
        # Up to 3 s to resume, then >= 60 frames (2 s) at the new size, with margin.
        time.sleep(7.0)
        out, err = browser.communicate("stop\n", timeout=90)
        rep = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err}
        client_rep = viewer.result()
        h.finish_early(second, what="second publisher")
        c.check("one WHEP session each (browser, whep_client)", rep.get("status") == 201 and
                client_rep.get("post_status") == 201 and
                srv.log_text().count("offer accepted") == 2, rep.get("error", ""))
        check_timeline(c, client_rep)
        tl = rep.get("timeline", [])
        big = [s for s in tl if s.get("width") == 1280]
        small = [s for s in tl if s.get("width") == 640 and s.get("height") == 360]
        c.check("decoded 1280x720 from the first publisher", len(big) > 0)
        c.check("decoded 640x360 from the second publisher", len(small) > 0,
                json.dumps(tl[-3:]))
        if small:
            resumed = (small[0]["t"] / 1000.0) - second_at
            print(f"figure: resumed at the new size {resumed:.2f} s after the new publish")
            c.check("resumed within 3 s", resumed < 3.0, f"{resumed:.2f} s")
            before = small[0]["framesDecoded"]
            c.check("kept decoding at the new size", tl[-1]["framesDecoded"] - before >= 60,
                    f"{tl[-1]['framesDecoded'] - before} frames")
            # The audio timestamps jumped with the pause too: Chromium still plays the tone.
            packets = tl[-1].get("audioPacketsReceived", 0) - \
                small[0].get("audioPacketsReceived", 0)
            level = tl[-1].get("audioLevel") or 0
            print(f"figure: audio after the restart: {packets} packets, level {level:.2f}")
            c.check("audio plays after the restart", packets >= 75 and level > 0.01,
                    f"{packets} packets, level {level}")
        closes = [l for l in srv.log_text().splitlines() if "[webrtc] viewer" in l and
                  "closed:" in l]
        c.check("viewers stayed connected until they left", len(closes) == 2 and
                all("WHEP DELETE" in l for l in closes), "\n".join(closes))
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
