"""A keyframe request on a narrow link (issue 15): a 720p30 stream with a 6 s GOP (1.5 Mbit/s)
plays in headless Chromium in the viewer namespace of the network test bed (netbed.py), the
viewer's downlink capped by tbf at twice the stream's bitrate and a 40 ms round trip (relay).
Mid-GOP, a loss NACK cannot repair: the uplink to the media port goes dark (every NACK
dropped by nftables) while the relay drops three video packets, until Chromium has given up
asking for them (10 NACKs about 100 ms apart). Chromium then has a frame it can never
complete and, once no frame has been decodable for a while, sends a PLI. The server has no
way to ask the RTMP publisher for a keyframe, so it answers with one paced replay from the
cached keyframe (at twice the stream's bitrate: exactly what the link carries).
Asserts: the server saw one PLI and answered it with one paced replay; frames are decoded
again and the frame rate is back to about 30 within a few seconds; no second PLI (server and
Chromium counters, counted from just before the incident, so a PLI at start-up does not
count) over the following 10 s; the freeze is no longer than the time from the incident to
the first new frame. Figures: incident to PLI, PLI to first new frame, to 30 fps again,
freeze, PLIs, the link's own drops."""
import json
import threading
import time

import harness as h
import netbed

KBIT = 1500
GOP = 180  # 6 s at 30 fps
VIDEO = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v",
         "baseline", "-pix_fmt", "yuv420p", "-b:v", f"{KBIT}k", "-maxrate", f"{KBIT}k",
         "-bufsize", f"{KBIT // 2}k"]
CAP_KBIT = 2 * KBIT
DARK_S = 2.0  # longer than Chromium's NACK retries for a packet (10, about 100 ms apart)
AFTER_S = 10.0  # watched for a second PLI after recovery


def viewer_stats(srv):
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    if status != 200:
        return {}
    viewers = [v for s in body.get("streams", []) for v in s.get("viewers", [])]
    return viewers[0] if len(viewers) == 1 else {}


class Poller:
    """Polls the viewer's server counters every 100 ms: when each PLI and replay arrived."""

    def __init__(self, srv):
        self.srv, self.samples, self.stop = srv, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(0.1):
            try:
                v = viewer_stats(self.srv)
            except OSError:  # a slow answer on a loaded box: the next poll will do
                continue
            if v:
                self.samples.append((time.time() * 1000, v))

    def first_time(self, key, above):
        """Epoch ms of the first sample whose `key` exceeds `above`, or None."""
        for t, v in self.samples:
            if (v.get(key) or 0) > above:
                return t
        return None

    def close(self):
        self.stop.set()
        self.thread.join(5)


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = h.ffmpeg_publish(srv.url(), 90, video_args=VIDEO, gop=GOP)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        bed.relay.set(delay_ms=20)
        bed.set_rate("down", CAP_KBIT)
        time.sleep(1.0)
        browser = h.whep_browser_async(srv.whep_url(), 60, no_audio=True, until_stdin=True,
                                       wrap=bed.viewer_prefix())
        poller = Poller(srv)
        deadline = time.time() + 20
        while time.time() < deadline and viewer_stats(srv).get("video_packets", 0) < 300:
            time.sleep(0.25)
        time.sleep(4)  # well into playback, mid-GOP
        before = viewer_stats(srv)
        tbf_before = bed.rate_stats("down")
        t_incident = time.time() * 1000
        bed.block_udp("up")
        bed.relay.drop("down", "rtp", count=3)
        time.sleep(DARK_S)
        bed.unblock("up")
        # Recovery, then AFTER_S of watching for a second PLI.
        deadline = time.time() + 15
        while time.time() < deadline and poller.first_time("paced_replays", before.get(
                "paced_replays", 0)) is None:
            time.sleep(0.2)
        time.sleep(AFTER_S)
        after = viewer_stats(srv)
        tbf_after = bed.rate_stats("down")
        poller.close()
        out, err = browser.communicate("stop\n", timeout=60)
        lines = out.strip().splitlines()
        rep = json.loads(lines[-1]) if lines else {"error": err[-3000:]}
        c.check("Chromium reported", "timeline" in rep and not rep.get("error"),
                rep.get("error", ""))
        tl = [s for s in rep.get("timeline", []) if s.get("framesDecoded") is not None]
        print(json.dumps({"before": before, "after": after, "tbf": [tbf_before, tbf_after]}))
        for s in tl:
            if s["t"] >= t_incident - 1000:
                print(f"{(s['t'] - t_incident) / 1000:7.2f} s decoded {s['framesDecoded']} "
                      f"keys {s.get('keyFramesDecoded')} pli {s.get('pliCount')} "
                      f"nack {s.get('nackCount')} lost {s.get('packetsLost')} rtx "
                      f"{s.get('retransmittedPacketsReceived')} freezes {s.get('freezeCount')}"
                      f" ({s.get('totalFreezesDuration')}) fps {s.get('fps')}")
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
