"""x264 main profile with B-frames (as OBS defaults send): accepted, reported as such in the
log and stream summary, and played back with composition times intact (pts != dts)."""
import os

import harness as h


def main():
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, "airclass:\n  playerLingerAfterUnpublish: 1s\n") as srv:
        out = os.path.join(srv.workdir, "bframes.flv")
        player = h.ffmpeg_play(srv.url(), out)
        srv.wait_log("(waiting for a publisher)")
        video = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "2",
                 "-pix_fmt", "yuv420p"]
        pub = h.ffmpeg_publish(srv.url(), 4, size="640x360", video_args=video)
        c.check("publisher exits cleanly", h.wait(pub, 60, "publisher") == 0, pub.stderr.read())
        h.wait(player, 30, "player")
        log = srv.log_text()
        c.check("log: B-frames detected", "B-frames detected" in log, log[-2000:])
        c.check("summary: bframes=yes", "bframes=yes" in log, log[-2000:])
        pkts = h.video_packets(out)
        reordered = sum(1 for pts, dts, _ in pkts if pts is not None and pts != dts)
        c.check("played file keeps composition offsets", reordered > 10,
                f"{reordered} of {len(pkts)} packets with pts != dts")
        n = len(pkts)
        c.check("frame count within 2 %", abs(n - 120) <= 3, f"{n} frames")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
