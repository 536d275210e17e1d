"""A phone rotates or its Wi-Fi drops: the publisher disconnects and comes back with a new
resolution. The browser's WHEP session stays up and resumes decoding at the new size within
3 s of the new publish, without a new WHEP request."""
import json
import time

import harness as h



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
        time.sleep(2.0)
        h.finish_early(first, what="first publisher")  # the phone's connection ends
        time.sleep(1.0)  # the phone reconnects
        second_at = time.time()
        second = h.ffmpeg_publish(srv.url(), 30, size="640x360", video_args=h.VIDEO_2M)
        # Up to 3 s to resume, then >= 60 frames (2 s) at the new size, with margin.
        time.sleep(7.0)
        out, err = browser.communicate("stop\n", timeout=90)
        rep = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err}
        h.finish_early(second, what="second publisher")
        c.check("one WHEP session", rep.get("status") == 201 and
                srv.log_text().count("offer accepted") == 1, rep.get("error", ""))
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
        closes = [l for l in srv.log_text().splitlines() if "[webrtc] viewer" in l and
                  "closed:" in l]
        c.check("viewer stayed connected until it left", len(closes) == 1 and
                "WHEP DELETE" in closes[0], "\n".join(closes))
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
