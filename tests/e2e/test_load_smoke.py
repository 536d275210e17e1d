"""A 5-second smoke of the load client (bench/load_client, issue 8): 10 WHEP viewers in one
process against a live 720p 2 Mbit/s H.264 + AAC stream. Every viewer must connect, receive
video and audio packets and a whole keyframe, and no sampled SRTP packet may fail
authentication. The load client is found beside the server in the build tree."""
import json
import os
import subprocess
import time

import harness as h

VIEWERS = 10
SECONDS = 5


def load_client_path(server):
    return os.path.normpath(os.path.join(os.path.dirname(server), "..", "..", "bench",
                                         "load_client", "load_client"))


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    binary = load_client_path(args.server)
    if not c.check("load_client built", os.access(binary, os.X_OK), binary):
        c.finish()
    with h.Server(args.server, webrtc=True) as srv:
        pub = h.ffmpeg_publish(srv.url(), SECONDS + 12, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("video H264"))
        time.sleep(0.5)
        token_api = srv.api_url("/api/token?user_type=student&user_id=load-smoke")
        out = subprocess.run([binary, "--url", token_api, "-n", str(VIEWERS), "--seconds",
                              str(SECONDS), "--sample-auth", "5", "--json", "-"],
                             capture_output=True, text=True, timeout=SECONDS + 30)
        print(out.stderr)
        c.check("load_client exited 0", out.returncode == 0, f"exit {out.returncode}")
        report = json.loads(out.stdout)
        s = report["summary"]
        viewers = report["viewers"]
        c.check(f"all {VIEWERS} connected", s["connected"] == VIEWERS, str(s))
        c.check("every viewer received video packets",
                all(v["video"]["packets"] > 0 for v in viewers), str(s))
        c.check("every viewer received audio packets",
                all(v["audio"]["packets"] > 0 for v in viewers), str(s))
        c.check("every viewer has a time to first keyframe",
                all(v["time_to_first_keyframe_ms"] is not None for v in viewers), str(s))
        c.check("SRTP authentication sampled", s["auth_checked"] >= VIEWERS * 10, str(s))
        c.check("no SRTP authentication failure", s["auth_failures"] == 0, str(s))
        c.check("every session DELETEd (200)", all(v["delete_status"] == 200 for v in viewers),
                str([v["delete_status"] for v in viewers]))
        c.check("viewers see about 30 fps", (s["min_fps"] or 0) >= 20, str(s))
        kf = s["time_to_first_keyframe_ms"] or {}
        print(f"figure: {VIEWERS} viewers: first keyframe p50 {kf.get('p50')} ms, "
              f"p95 {kf.get('p95')} ms; loss {s['loss_percent']} %, min fps {s['min_fps']}")
        pub.kill()
        pub.wait()
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
