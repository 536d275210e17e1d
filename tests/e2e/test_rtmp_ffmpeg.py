"""ffmpeg publishes 720p30 H.264 + AAC (32 kHz stereo, as phones send) over RTMP with a query
string; one ffmpeg player waits on the path before the publisher starts, a second joins
mid-stream. Both files must hold the stream: same resolution, frame count within 2 %, both
tracks; the late player starts on a keyframe from the GOP cache."""
import os
import time

import harness as h

SECONDS = 6
FPS = 30


def main():
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, "airclass:\n  playerLingerAfterUnpublish: 1s\n") as srv:
        early = os.path.join(srv.workdir, "early.flv")
        late = os.path.join(srv.workdir, "late.flv")
        p_early = h.ffmpeg_play(srv.url(), early)
        c.check("player waits for a publisher", srv.wait_log("(waiting for a publisher)"),
                srv.log_text()[-2000:])
        pub = h.ffmpeg_publish(srv.url(query="lang=en"), SECONDS)
        time.sleep(3.2)
        p_late = h.ffmpeg_play(srv.url(), late)
        code = h.wait(pub, 60, "publisher")
        c.check("publisher exits cleanly", code == 0, pub.stderr.read())
        h.wait(p_early, 30, "early player")
        h.wait(p_late, 30, "late player")

        expected = SECONDS * FPS
        streams = {s["codec_type"]: s for s in h.probe(early)}
        v, a = streams.get("video", {}), streams.get("audio", {})
        c.check("early: 1280x720 H.264", (v.get("codec_name"), v.get("width"), v.get("height"))
                == ("h264", 1280, 720), str(v))
        n = int(v.get("nb_read_packets", 0))
        c.check("early: frame count within 2 %", abs(n - expected) <= expected * 0.02,
                f"{n} frames, expected {expected}")
        c.check("early: AAC 32 kHz stereo", (a.get("codec_name"), a.get("sample_rate"),
                                            a.get("channels")) == ("aac", "32000", 2), str(a))

        streams = {s["codec_type"]: s for s in h.probe(late)}
        v, a = streams.get("video", {}), streams.get("audio", {})
        n = int(v.get("nb_read_packets", 0))
        # Joined ~3.2 s in with a 2 s GOP: the cache starts at the keyframe at 2 s.
        c.check("late: starts from the GOP cache", n >= (SECONDS - 2) * FPS - 3,
                f"{n} frames")
        pkts = h.video_packets(late)
        c.check("late: first video packet is a keyframe", pkts and "K" in pkts[0][2], str(pkts[:2]))
        c.check("late: has audio", a.get("codec_name") == "aac", str(a))

        log = srv.log_text()
        c.check("log: publish with path, query stripped", "publishing live/stream" in log)
        c.check("log: unpublish summary", "unpublished live/stream" in log and
                "1280x720" in log and "bframes=no" in log, log[-3000:])
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
