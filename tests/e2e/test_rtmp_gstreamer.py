"""GStreamer's rtmp2sink publishes H.264 + AAC through flvmux (which adds a metadata stream the
server must ignore); ffmpeg plays it back."""
import os
import subprocess

import harness as h

FRAMES = 150


def main():
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, "airclass:\n  playerLingerAfterUnpublish: 1s\n") as srv:
        out = os.path.join(srv.workdir, "gst.flv")
        player = h.ffmpeg_play(srv.url(), out)
        srv.wait_log("(waiting for a publisher)")
        pipeline = (
            f"videotestsrc num-buffers={FRAMES} is-live=true pattern=ball ! "
            "video/x-raw,width=1280,height=720,framerate=30/1 ! videoconvert ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 "
            "option-string=scenecut=0 ! h264parse ! queue ! mux. "
            "audiotestsrc num-buffers=235 is-live=true samplesperbuffer=1024 ! "
            "audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! "
            "queue ! mux. "
            f"flvmux name=mux streamable=true ! rtmp2sink location={srv.url()}")
        gst = subprocess.run(["gst-launch-1.0", "-q", "-e"] + pipeline.split(),
                             capture_output=True, text=True, timeout=90)
        c.check("gst-launch exits cleanly", gst.returncode == 0, gst.stderr[-2000:])
        h.wait(player, 30, "player")
        streams = {s["codec_type"]: s for s in h.probe(out)}
        v, a = streams.get("video", {}), streams.get("audio", {})
        c.check("video 1280x720 H.264", (v.get("codec_name"), v.get("width"), v.get("height"))
                == ("h264", 1280, 720), str(streams))
        n = int(v.get("nb_read_packets", 0))
        c.check("frame count within 2 %", abs(n - FRAMES) <= FRAMES * 0.02, f"{n} frames")
        c.check("audio AAC 48 kHz", (a.get("codec_name"), a.get("sample_rate")) ==
                ("aac", "48000"), str(a))
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
