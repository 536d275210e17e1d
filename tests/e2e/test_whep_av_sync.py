"""Lip sync. The publisher (ffmpeg) flashes the picture white and starts a 1 kHz beep at the
same instant once a second, and forces a keyframe at that instant. Our C++ client measures at
the receiver, as a browser aligns tracks: the flash keyframe's RTP timestamp and the beep's
onset sample (found in the decoded Opus) are mapped to the sender's wall clock through each
track's RTCP sender report, and their difference is the A/V offset (AvSyncMeter). It must stay
within 45 ms, including AAC encoder/decoder delay and the Opus transcoding."""
import subprocess
import time

import harness as h

TOLERANCE_MS = 45


def publish(srv, seconds):
    video = ("color=c=black:s=640x360:r=30,"
             "geq=lum='if(lt(mod(T\\,1)\\,0.1)\\,235\\,16)':cb=128:cr=128")
    audio = "aevalsrc='if(lt(mod(t\\,1)\\,0.1)\\,0.8*sin(2*PI*1000*t)\\,0)':s=48000"
    cmd = h.FFMPEG + ["-re", "-f", "lavfi", "-i", video, "-re", "-f", "lavfi", "-i", audio,
                      "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                      "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "300",
                      "-sc_threshold", "0", "-force_key_frames", "expr:gte(t,n_forced*1)",
                      "-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "64k",
                      "-f", "flv", srv.url()]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        pub = publish(srv, 25)  # stopped (finish_early) once the client is done
        c.check("publisher live", srv.wait_log("audio AAC"))
        time.sleep(1.0)
        rep = h.whep_client(args.client, srv.whep_url(), 10).result()
        sync = rep.get("av_sync")
        c.check("flashes and beeps paired", sync is not None and sync.get("pairs", 0) >= 6,
                str(rep))
        if sync:
            print(f"figure: A/V offset median {sync['median_ms']:.1f} ms, max |offset| "
                  f"{sync['max_abs_ms']:.1f} ms over {sync['pairs']} flashes")
            c.check(f"A/V offset within {TOLERANCE_MS} ms", sync["max_abs_ms"] <= TOLERANCE_MS,
                    str(sync))
        h.finish_early(pub)
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
