"""Our C++ WHEP client (tools/whep_client: ICE controlling, DTLS client, SRTP with every packet
authenticated, H.264 reassembly) plays the stream from two publishers: ffmpeg, and GStreamer's
rtmp2sink. Whole frames at 1280x720, keyframes, no SRTP authentication failure, loss <= 1 %.
A video-only stream plays as well."""
import subprocess
import time

import harness as h



def check_report(c, label, rep, min_frames):
    v = rep.get("video", {})
    c.check(f"{label}: client connected and exited 0", rep.get("exit_code") == 0, str(rep))
    c.check(f"{label}: >= {min_frames} whole frames", v.get("frames", 0) >= min_frames, str(v))
    c.check(f"{label}: keyframes received", v.get("keyframes", 0) >= 1, str(v))
    c.check(f"{label}: 1280x720 from the SPS", (v.get("width"), v.get("height")) == (1280, 720),
            str(v))
    packets, lost = v.get("packets", 0), v.get("lost", 0)
    c.check(f"{label}: loss <= 1 %", packets > 0 and lost <= 0.01 * (packets + lost),
            f"{lost} lost of {packets + lost}")
    c.check(f"{label}: every SRTP packet authenticated", rep.get("srtp_auth_failures") == 0,
            str(rep.get("srtp_auth_failures")))
    c.check(f"{label}: DELETE answered 200", rep.get("delete_status") == 200)
    print(f"figure: {label}: connected {rep.get('connected_ms')} ms, first keyframe "
          f"{rep.get('first_keyframe_ms')} ms, {v.get('frames')} frames")


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        # Generous durations: each publisher is stopped (finish_early) once its viewer is done.
        pub = h.ffmpeg_publish(srv.url(), 25, video_args=h.VIDEO_2M)
        srv.wait_log("video H264")
        time.sleep(0.5)
        check_report(c, "ffmpeg", h.whep_client(args.client, srv.whep_url(), 8).result(), 180)
        h.finish_early(pub, what="ffmpeg publisher")

        pipeline = (
            "videotestsrc num-buffers=750 is-live=true pattern=ball ! "
            "video/x-raw,width=1280,height=720,framerate=30/1 ! videoconvert ! "
            "video/x-raw,format=I420 ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 bitrate=2000 "
            "option-string=scenecut=0 ! video/x-h264,profile=constrained-baseline ! "
            "h264parse ! queue ! mux. "
            "audiotestsrc is-live=true samplesperbuffer=1024 num-buffers=1170 ! "
            "audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! "
            "queue ! mux. "
            f"flvmux name=mux streamable=true ! rtmp2sink location={srv.url()}")
        gst = subprocess.Popen(["gst-launch-1.0", "-q", "-e"] + pipeline.split(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while time.time() < deadline and srv.log_text().count("publishing live/stream") < 2:
            time.sleep(0.1)
        c.check("GStreamer publisher live", srv.log_text().count("publishing live/stream") == 2)
        time.sleep(1.5)
        check_report(c, "gstreamer", h.whep_client(args.client, srv.whep_url(), 8).result(), 180)
        h.finish_early(gst, what="GStreamer publisher")  # SIGINT: EOS through the pipeline (-e)

        # A video-only stream (no audio track at all) plays too; the answer has no audio.
        pub = h.ffmpeg_publish(srv.url(), 20, audio=False, video_args=h.VIDEO_2M)
        while time.time() < deadline + 60 and srv.log_text().count("publishing live/stream") < 3:
            time.sleep(0.1)
        time.sleep(1.0)
        rep = h.whep_client(args.client, srv.whep_url(), 4).result()
        c.check("video-only: frames received", rep.get("video", {}).get("frames", 0) >= 90,
                str(rep.get("video")))
        c.check("video-only: no audio sent", rep.get("audio", {}).get("packets", 1) == 0,
                str(rep.get("audio")))
        h.finish_early(pub, what="video-only publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
