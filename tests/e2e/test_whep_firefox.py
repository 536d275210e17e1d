"""Headless Firefox ESR (Debian firefox-esr, driven by whep_firefox.mjs over WebDriver BiDi)
against the server, in a private network namespace Firefox can use (see firefox_netns()):
- with --probe only (diagnosis, two more launches): Firefox works here at all: a VP8 stream from a second peer connection in its own page plays
  (frames decoded, codec video/VP8 from getStats);
- its offer holds VP8 and no H.264 (no OpenH264 without network);
- a WHEP URL where nothing listens gives a clear error, not a hang;
- an H.264 stream published by ffmpeg, played by Firefox: the server answers the VP8-only
  offer with a VP8 rendition it encodes (issue 17), which Firefox plays at >= 20 fps (the
  default, --expect plays); --expect refused checks a server that refuses such offers (400
  naming H.264); --expect transport sends VP8's payload type called H.264
  (whep_firefox.mjs --vp8-as-h264): ICE, DTLS and SRTP must connect, video packets and decoded
  Opus arrive (no frame decodes).
Usage (as root): python3 tests/e2e/test_whep_firefox.py --server build/src/app/airclass
                 [--expect plays|refused|transport] [--seconds 8] [--print-offer]
Library use: firefox_netns() inside harness.in_private_netns(), then whep_firefox(url, ...)."""
import argparse
import json
import os
import subprocess
import time

import harness as h

# Firefox gathers no ICE candidates without a default route, and neither offers nor pairs
# with 127.0.0.1. An address of the documentation range on lo plus a default route over lo is
# enough: it offers a host candidate on this address and checks the server's candidate on the
# same address (the server's media socket must then listen on 0.0.0.0, not 127.0.0.1).
FIREFOX_ADDR = "198.51.100.2"


def firefox_netns():
    """Makes the current (private, lo-only) namespace one Firefox plays in. Idempotent."""
    for cmd in (["ip", "addr", "replace", f"{FIREFOX_ADDR}/32", "dev", "lo"],
                ["ip", "route", "replace", "default", "dev", "lo", "src", FIREFOX_ADDR]):
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()}")


def whep_firefox(url, seconds, no_audio=False, print_offer=False, bearer=None, timeout=None,
                 wrap=None, extra=None):
    """Plays a WHEP URL (or "local": a peer connection in the page) in headless Firefox ESR;
    returns whep_firefox.mjs's JSON report. `wrap`: a command prefix (netbed's
    viewer_prefix()); `extra`: more options (["--vp8-as-h264"])."""
    cmd = (wrap or []) + ["node", os.path.join(h.E2E_DIR, "whep_firefox.mjs"), url, str(seconds)]
    if no_audio:
        cmd.append("--no-audio")
    if print_offer:
        cmd.append("--print-offer")
    if bearer:
        cmd += ["--bearer", bearer]
    cmd += extra or []
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout or seconds + 90)
    if not out.stdout.strip():
        raise AssertionError(f"whep_firefox failed ({out.returncode}): {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def brief(rep):
    """The report without its bulky parts, for a person to read."""
    return {k: v for k, v in rep.items() if k not in ("timeline", "answer", "offer", "events")}


def check_local_peer(c, seconds):
    rep = whep_firefox("local", seconds, print_offer=True)
    print("firefox (local peer):", json.dumps(brief(rep)))
    c.check("Firefox launched", "launchError" not in rep, rep.get("launchError", ""))
    c.check("Firefox gathered a host candidate", any(FIREFOX_ADDR in x for x in
                                                     rep.get("candidates", [])),
            json.dumps(rep.get("candidates")))
    s = rep.get("summary", {})
    c.check("Firefox plays VP8 from its own page (>= 30 frames)", s.get("codec") == "video/VP8"
            and s.get("framesDecoded", 0) >= 30, json.dumps(s))
    video = rep.get("offerCodecs", {}).get("video", [])
    c.check("offer: VP8 and no H.264", "VP8" in video and "H264" not in video, str(video))
    print(f"figure: launch {rep.get('launchMs')} ms, close {rep.get('closeMs')} ms, offer video "
          f"codecs {video}, audio {rep.get('offerCodecs', {}).get('audio')}")
    return rep


def check_no_server(c):
    rep = whep_firefox(f"http://127.0.0.1:{h.free_port()}/live/stream/whep", 2)
    print("firefox (no server):", rep.get("error"))
    c.check("no server: a clear error, no status", "WHEP POST" in rep.get("error", "") and
            rep.get("status") is None, json.dumps(brief(rep)))


def check_server(c, server, expect, seconds, print_offer):
    # Media on every address: Firefox checks the server's 198.51.100.2 candidate only.
    with h.Server(server, webrtc=True, media_host="0.0.0.0") as srv:
        pub = h.ffmpeg_publish(srv.url(), seconds + 40, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("publishing live/stream"))
        time.sleep(1.0)
        extra = ["--vp8-as-h264"] if expect == "transport" else []
        rep = whep_firefox(srv.whep_url(), seconds, print_offer=print_offer, extra=extra)
        print("firefox (server):", json.dumps(brief(rep)))
        if print_offer:
            print(rep.get("offer", ""))
        if expect == "refused":
            c.check("H.264-less offer refused: 400 naming H.264", rep.get("status") == 400 and
                    "H.264" in rep.get("error", ""), rep.get("error", ""))
        elif expect == "transport":
            check_transport(c, rep)
        else:
            s = rep.get("summary", {})
            c.check("WHEP POST answered 201", rep.get("status") == 201, rep.get("error", ""))
            c.check("Firefox plays VP8 at >= 20 fps", s.get("codec") == "video/VP8" and
                    (s.get("measuredFps") or 0) >= 20, json.dumps(s))
            c.check("DELETE answered 200", rep.get("deleteStatus") == 200)
            print(f"figure: first frame {rep.get('firstFrameMs')} ms after POST, "
                  f"{s.get('framesDecoded')} frames, {s.get('width')}x{s.get('height')}, "
                  f"freezes {s.get('freezeCount')}")
        h.finish_early(pub)
        c.server_ends_cleanly(srv)


def check_transport(c, rep):
    last = h.last_sample(rep, "packetsReceived")
    c.check("WHEP POST answered 201", rep.get("status") == 201, rep.get("error", ""))
    c.check("ICE and DTLS connected", any(e.get("state") == "connected"
                                          for e in rep.get("events", [])),
            json.dumps(rep.get("events")))
    c.check("video packets arrive (>= 500)", last.get("packetsReceived", 0) >= 500,
            json.dumps(last))
    c.check("Opus decodes (audio level > 0)", (last.get("audioLevel") or 0) > 0,
            json.dumps(last))
    c.check("DELETE answered 200", rep.get("deleteStatus") == 200)
    print(f"figure: {last.get('packetsReceived')} video packets, {last.get('packetsLost')} "
          f"lost, {last.get('audioPacketsReceived')} audio packets, audio level "
          f"{last.get('audioLevel')}, frames decoded {last.get('framesDecoded')}")


def main():
    h.in_private_netns()
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True, help="path to the airclass binary")
    p.add_argument("--expect", choices=("plays", "refused", "transport"), default="plays")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--print-offer", action="store_true")
    p.add_argument("--probe", action="store_true",
                   help="also check Firefox alone (a VP8 call inside its page, its offer's "
                   "codecs, a WHEP URL nobody serves): two more launches, ~15 s")
    for ignored in ("--client", "--data", "--out"):  # as ctest passes them to test_*.py
        p.add_argument(ignored, default="")
    args = p.parse_args()
    firefox_netns()
    c = h.Checks()
    if args.probe:
        check_local_peer(c, 5)
        check_no_server(c)
    check_server(c, args.server, args.expect, args.seconds, args.print_offer)
    c.finish()


if __name__ == "__main__":
    main()
