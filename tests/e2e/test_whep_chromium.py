"""Headless Chromium plays the stream over WHEP inside a private network namespace (the browser
sends no candidates; the server learns its address from the STUN check):
- 720p30 H.264 from ffmpeg: at least 60 frames decoded at 1280x720 within 10 s, loss <= 1 %,
  and the WHEP resource DELETEs cleanly;
- WHEP errors: unknown path 404, wrong content type 415, nonsense offer 400; a real Firefox
  offer without H.264 is answered with VP8 (a rendition the server encodes), an offer with
  neither H.264 nor VP8 gets 400 with the reason."""
import json
import os
import time

import harness as h





def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        pub = h.ffmpeg_publish(srv.url(), 25, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("publishing live/stream"))
        time.sleep(1.0)
        rep = h.whep_browser(srv.whep_url(), 10)
        c.check("WHEP POST answered 201", rep.get("status") == 201, rep.get("error", ""))
        last = h.last_sample(rep, "framesDecoded")
        c.check(">= 60 frames decoded at 1280x720",
                last.get("framesDecoded", 0) >= 60 and (last.get("width"), last.get("height"))
                == (1280, 720), json.dumps(last))
        received = last.get("packetsReceived", 0)
        lost = last.get("packetsLost", 0)
        c.check("packet loss <= 1 %", received > 0 and lost <= 0.01 * (received + lost),
                f"{lost} lost of {received + lost}")
        print(f"figure: first frame {rep.get('firstFrameMs', -1):.0f} ms after POST, "
              f"{last.get('framesDecoded')} frames, {received} packets, {lost} lost")
        c.check("first frame shown", rep.get("firstFrameMs") is not None)
        c.check("DELETE of the WHEP resource answered 200", rep.get("deleteStatus") == 200)
        c.check("server logged the viewer leaving", srv.wait_log("viewer left (WHEP DELETE)"))

        status, body = h.post_offer(srv.whep_url("live/nobody"), "v=0\r\n")
        c.check("unknown path -> 404", status == 404, f"{status} {body}")
        status, body = h.post_offer(srv.whep_url(), "v=0\r\n", content_type="text/plain")
        c.check("wrong content type -> 415", status == 415, f"{status} {body}")
        status, body = h.post_offer(srv.whep_url(), "this is not sdp at all")
        c.check("nonsense offer -> 400 with a reason", status == 400 and "offer" in body,
                f"{status} {body}")
        firefox = open(os.path.join(args.data, "sdp", "firefox_esr_debian_offer.sdp")).read()
        status, body = h.post_offer(srv.whep_url(), firefox)
        c.check("real Firefox offer without H.264 -> 201 answering VP8", status == 201 and
                "VP8/90000" in body and "H264" not in body, f"{status} {body[:400]}")
        no_video_codec = firefox.replace("VP8/90000", "XV8/90000")
        status, body = h.post_offer(srv.whep_url(), no_video_codec)
        c.check("offer without H.264 or VP8 -> 400 naming both", status == 400 and
                "H.264 or VP8" in body, f"{status} {body}")
        status, body = h.post_offer(srv.whep_url(), "v=0\r\n" + "a=x\r\n" * 40000)
        c.check("oversized offer -> 413", status == 413, f"{status} {body[:200]}")
        pub.kill()
        pub.wait()
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
