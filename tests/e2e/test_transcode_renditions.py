"""Transcoding (issue 17) with real publishers and Chromium:
- an x264 High stream with `-bf 3` (what OBS-like encoders send; no browser plays it over WebRTC)
  is re-encoded without B-frames for "source" viewers: Chromium plays it at >= 28 fps with no
  freeze, and /api/streams says the source is re-encoded because of B-frames;
- a 1080p source seen at ?quality=480p: Chromium reports 854x480;
- a second viewer of the same rendition (our WHEP client) adds no encoder (/metrics);
- a rendition nobody watches stops encoding after renditionIdleTimeout, and the pass-through
  feed (the Opus encode) with it."""
import re
import threading
import time

import harness as h

CONFIG = "airclass:\n  renditionIdleTimeout: 2s\n"
BF3 = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "3",
       "-pix_fmt", "yuv420p", "-b:v", "2M", "-maxrate", "2M", "-bufsize", "2M"]
FAST_1080 = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-b:v", "4M", "-maxrate", "4M",
             "-bufsize", "2M"]


def metric(srv, name):
    status, text, _ = srv.api("GET", "/metrics")
    m = re.search(rf"^{name} ([0-9.e+-]+)$", text if status == 200 else "", re.M)
    return float(m.group(1)) if m else None


def stream_status(srv, path):
    status, body, _ = srv.api("GET", f"/api/streams/{path}",
                              params={"passcode": h.TEACHER_PASSCODE})
    return body if status == 200 else {}


def played_fps(rep, skip_s=3.0):
    """Frames decoded per second after the first `skip_s` seconds of playback, and the freezes
    in that window (the join itself is test_whep_instant_start's business)."""
    tl = [s for s in rep.get("timeline", []) if s.get("framesDecoded") is not None]
    if len(tl) < 2:
        return 0.0, None
    t0 = tl[0]["t"]
    start = next((s for s in tl if s["t"] - t0 >= skip_s * 1000), tl[0])
    end = tl[-1]
    secs = (end["t"] - start["t"]) / 1000.0
    fps = (end["framesDecoded"] - start["framesDecoded"]) / secs if secs > 0 else 0.0
    freezes = end.get("freezeCount", 0) - start.get("freezeCount", 0)
    return fps, freezes


def bframe_source(c, srv):
    pub = h.ffmpeg_publish(srv.url("class/obs"), 30, size="1280x720", gop=60, video_args=BF3)
    c.check("B-frame publisher live", srv.wait_log("publishing class/obs", timeout=15))
    time.sleep(1.5)  # a GOP with B-frames reaches the stream statistics
    # A "source" viewer: what is checked is the source's re-encode, not the ladder an adaptive
    # viewer would also keep encoding (three more encoders on the test's two cores).
    rep = h.whep_browser(srv.whep_url("class/obs") + "&quality=source", 14)
    fps, freezes = played_fps(rep)
    last = h.last_sample(rep, "framesDecoded")
    print(f"figure: B-frame source re-encoded: {fps:.1f} fps played, {freezes} freezes, "
          f"{last.get('width')}x{last.get('height')}, first frame {rep.get('firstFrameMs')} ms")
    c.check("B-frame source plays at >= 28 fps", fps >= 28, f"{fps:.1f} fps")
    c.check("no freeze while playing", freezes == 0, f"{freezes} freezes")
    c.check("same size as the source", (last.get("width"), last.get("height")) == (1280, 720),
            str(last))
    st = stream_status(srv, "class/obs")
    video = st.get("video") or {}
    c.check("status: source re-encoded because of B-frames",
            video.get("bframes") and video.get("source_delivery") == "reencoded" and
            video.get("reencode_reason") == "B-frames", str(video))
    h.finish_early(pub)


def ladder(c, srv, args):
    pub = h.ffmpeg_publish(srv.url("class/hd"), 40, size="1920x1080", gop=30,
                           video_args=FAST_1080)
    c.check("1080p publisher live", srv.wait_log("publishing class/hd", timeout=15))
    time.sleep(1.5)
    starts_before = metric(srv, "airclass_video_encoder_starts_total") or 0
    url = srv.whep_url("class/hd") + "&quality=480p"
    second = {}

    def second_viewer():
        time.sleep(3)  # joins the running rendition
        proc = h.whep_client(args.client, url, 5)
        time.sleep(3)
        second["encoders"] = metric(srv, "airclass_video_encoders")
        second["status"] = stream_status(srv, "class/hd")
        second["rep"] = proc.result()

    t = threading.Thread(target=second_viewer)
    t.start()
    rep = h.whep_browser(url, 10)
    t.join()
    last = h.last_sample(rep, "framesDecoded")
    print(f"figure: 480p rendition of 1080p: {last.get('width')}x{last.get('height')}, "
          f"first frame {rep.get('firstFrameMs')} ms after POST")
    c.check("Chromium reports 854x480", (last.get("width"), last.get("height")) == (854, 480),
            str(last))
    c.check("Chromium decoded frames", last.get("framesDecoded", 0) >= 150, str(last))
    sv = second.get("rep", {}).get("video", {})
    c.check("second viewer of the rendition got 854x480 video",
            sv.get("frames", 0) > 60 and (sv.get("width"), sv.get("height")) == (854, 480),
            str(sv)[:400])
    starts = (metric(srv, "airclass_video_encoder_starts_total") or 0) - starts_before
    c.check("two viewers of one rendition: one encoder started", starts == 1, f"{starts}")
    c.check("one encoder running while both watched", second.get("encoders") == 1,
            str(second.get("encoders")))
    st = second.get("status", {})
    c.check("status lists the 480p rendition with its two viewers",
            any(r.get("name") == "480p" and r.get("height") == 480 and r.get("viewers") == 2
                for r in st.get("renditions", [])), str(st.get("renditions")))
    # Nobody watches it any more: it stops after renditionIdleTimeout (2 s) and a sweep.
    deadline = time.time() + 10
    while time.time() < deadline and metric(srv, "airclass_video_encoders") != 0:
        time.sleep(0.5)
    c.check("rendition nobody watches stops encoding",
            metric(srv, "airclass_video_encoders") == 0 and srv.wait_log("stopping rendition 480p"))
    out1 = metric(srv, "airclass_video_encoder_frames_out_total")
    time.sleep(1.5)
    c.check("no frames encoded once stopped",
            metric(srv, "airclass_video_encoder_frames_out_total") == out1)
    c.check("the pass-through feed is let go with the last viewer (its Opus encode stops)",
            srv.wait_log("class/hd: releasing the pass-through feed", timeout=5))
    h.finish_early(pub)


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, CONFIG, webrtc=True) as srv:
        bframe_source(c, srv)
        ladder(c, srv, args)
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
