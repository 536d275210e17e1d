"""A keyframe request on a narrow link (issue 15): a 720p30 stream with a 6 s GOP (1.5 Mbit/s)
plays in headless Chromium in the viewer namespace of the network test bed (netbed.py), the
viewer's downlink capped by tbf at twice the stream's bitrate, 40 ms round trip (relay).
Mid-GOP, a loss NACK cannot repair: the relay drops three video packets while nftables drops
every retransmission (the RTX SSRC from the server's answer: SRTP leaves RTP headers in
clear). Chromium NACKs in vain, and once no frame has been decodable for a while it sends a
PLI; the RTX block is lifted as soon as the server sees it. The server cannot ask the RTMP
publisher for a keyframe, so it answers with a paced replay from the cached keyframe (at
twice the stream's bitrate: what the link carries).
The incident comes 0.3-0.7 s after a keyframe, so that Chromium's wait (about 3 s without a
decodable frame) ends well before the next live keyframe: the replay, not the publisher,
must bring the picture back.
Asserts, with counters read just before the incident (a PLI at start-up does not count): the
server saw one PLI and answered it with one paced replay; Chromium decodes frames again
before the next live keyframe and plays steadily at about 30 fps (2 s without a freeze)
within 4 s of the PLI; no second PLI (server and Chromium) over the following 10 s; no freeze
longer than the time from the incident to the first new frame. Figures: the stream's rate on
the wire, incident to PLI, PLI to the first new frame and to steady 30 fps, each freeze, PLIs,
what the link dropped during the replay, NACKs the server could not answer, and the start on
the narrow link (the instant-start GOP against the cap)."""
import json
import threading
import time

import chromium_bed as cb
import harness as h
import netbed

KBIT = 1500
GOP = 180  # 6 s at 30 fps
VIDEO = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v",
         "baseline", "-pix_fmt", "yuv420p", "-b:v", f"{KBIT}k", "-maxrate", f"{KBIT}k",
         "-bufsize", f"{KBIT // 2}k"]
CAP_KBIT = 2 * KBIT
SETTLE_S = 6  # after the start, before the incident
PLI_WAIT_S = 12  # Chromium asks for a keyframe about 3 s after its last decodable frame
AFTER_S = 10  # watched for a second PLI once the replay started


def streams(srv):
    """(the stream's status, its one viewer's counters) from /api/streams."""
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    found = body.get("streams", []) if status == 200 else []
    if not found:
        return {}, {}
    viewers = found[0].get("viewers", [])
    return found[0], viewers[0] if len(viewers) == 1 else {}


def gop_index(stream):
    """Which GOP the stream is in, and how many frames into it (frames_in counts video frames
    only: the publisher sends no audio; frame 0 is the first keyframe)."""
    return divmod(max(0, stream.get("frames_in", 0) - 1), GOP)


class Poller:
    """The stream and the viewer every 100 ms: when the PLI, the replay and the next live
    keyframe came (epoch ms)."""

    def __init__(self, srv):
        self.srv, self.samples, self.stop = srv, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(0.1):
            try:
                stream, viewer = streams(self.srv)
            except OSError:  # a slow answer on a loaded box: the next poll will do
                continue
            if viewer:
                self.samples.append((time.time() * 1000, stream, viewer))

    def first_time(self, pred):
        return next((t for t, s, v in list(self.samples) if pred(s, v)), None)

    def wait_for(self, pred, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.first_time(pred)
            if t is not None:
                return t
            time.sleep(0.05)
        return None

    def close(self):
        self.stop.set()
        self.thread.join(5)


def wait_early_in_gop(srv, timeout=15):
    """Until the stream is 0.3-0.7 s past a keyframe; returns the stream's status."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        stream, _ = streams(srv)
        if 8 <= gop_index(stream)[1] <= 20:
            return stream
        time.sleep(0.05)
    return {}


def incident(bed, srv, browser, poller, before):
    """Drops 3 video packets and every retransmission until the server sees a PLI; returns
    (incident time, PLI time or None, RTX datagrams dropped)."""
    _, rtx_ssrc = browser.video_ssrcs()
    if rtx_ssrc is None:
        raise AssertionError(f"the server's answer has no RTX SSRC for video: {browser.answer}")
    rule = cb.drop_ssrc_down(srv.udp_port, rtx_ssrc)
    try:
        t0 = time.time() * 1000
        bed.relay.drop("down", "rtp", count=3)
        t_pli = poller.wait_for(lambda s, v: v.get("plis", 0) > before.get("plis", 0),
                                PLI_WAIT_S)
    finally:
        rtx_dropped = rule.hits()
        rule.delete()
    return t0, t_pli, rtx_dropped


def decoded_series(timeline):
    return [(s["t"], s["framesDecoded"]) for s in timeline if s.get("framesDecoded") is not None]


def recovery_times(series, frozen, t_pli):
    """(time of the first sample after the PLI with new frames, start of steady playback from
    then on: 2 s with >= 27 frames in every 1 s and no freeze), epoch ms or None."""
    if t_pli is None:
        return None, None
    at_pli = max([n for t, n in series if t <= t_pli] or [0])
    first = next((t for t, n in series if t > t_pli and n > at_pli), None)
    if first is None:
        return None, None
    for t, _ in series:
        if t < first or any(t < tf <= t + 2000 for tf, _ in frozen):
            continue
        if series[-1][0] >= t + 2000 and all(fps_over(series, t + k, t + k + 1000) >= 27
                                             for k in (0, 500, 1000)):
            return first, t
    return first, None


def fps_over(series, t_from, t_to):
    pts = [(t, n) for t, n in series if t_from <= t <= t_to]
    if len(pts) < 2 or pts[-1][0] == pts[0][0]:
        return 0
    return (pts[-1][1] - pts[0][1]) * 1000 / (pts[-1][0] - pts[0][0])


def freezes(timeline, t_from):
    """[(sample time, seconds)] of each freeze Chromium counted after t_from (freezes ending
    within one 250 ms sample are summed)."""
    out, prev = [], None
    for s in timeline:
        if s.get("freezeCount") is None:
            continue
        if prev is not None and s["t"] > t_from and s["freezeCount"] > prev["freezeCount"]:
            out.append((s["t"], s["totalFreezesDuration"] - prev["totalFreezesDuration"]))
        prev = s
    return out


def play_incident(c, bed, srv):
    """Plays, provokes the PLI, watches; returns what happened (times in epoch ms)."""
    # The pass-through (its 6 s GOP is the point): auto would move to a rung on this link.
    browser = cb.Browser(bed, srv.whep_url() + "&quality=source", max_seconds=90)
    c.check("Chromium plays through the capped link", cb.wait_viewer_packets(srv))
    time.sleep(SETTLE_S - 3)
    wire_from, t_from = bed.rate_stats("down")["sent_bytes"], time.time()
    time.sleep(3)
    r = {"stream": wait_early_in_gop(srv)}
    poller = Poller(srv)
    _, r["before"] = streams(srv)
    r["tbf_before"] = bed.rate_stats("down")
    r["wire_kbit"] = (r["tbf_before"]["sent_bytes"] - wire_from) * 8 / 1000 / (time.time() -
                                                                              t_from)
    try:
        r["t0"], r["t_pli"], r["rtx_dropped"] = incident(bed, srv, browser, poller, r["before"])
        replays = r["before"].get("paced_replays", 0)
        r["t_replay"] = poller.wait_for(lambda s, v: v.get("paced_replays", 0) > replays, 5)
        time.sleep(AFTER_S)
        _, r["after"] = streams(srv)
        r["tbf_after"] = bed.rate_stats("down")
    finally:
        poller.close()
    gop = gop_index(r["stream"])[0]
    r["t_live_key"] = poller.first_time(lambda s, v: gop_index(s)[0] > gop)
    r["t_end"] = time.time() * 1000
    r["report"] = browser.stop()
    return r


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = h.ffmpeg_publish(srv.url(), 90, video_args=VIDEO, gop=GOP, audio=False)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        bed.relay.set(delay_ms=20)
        bed.set_rate("down", CAP_KBIT)
        time.sleep(1.0)
        r = play_incident(c, bed, srv)
        rep = r["report"]
        c.check("Chromium reported", "timeline" in rep and not rep.get("error"),
                rep.get("error", ""))
        check(c, r, rep.get("timeline", []))
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


def check(c, r, tl):
    t0, t_pli, before, after = r["t0"], r["t_pli"], r["before"], r["after"]
    series = decoded_series(tl)
    a, b = cb.sample_at(tl, t0 - 1), cb.sample_at(tl, r["t_end"])
    frozen = freezes(tl, t0)
    first, steady = recovery_times(series, frozen, t_pli)
    to_first = (first - t0) / 1000 if first else None

    def secs(t_from, t_to):
        return None if t_from is None or t_to is None else round((t_to - t_from) / 1000, 2)

    print(f"figure: stream {(r['stream'].get('video') or {}).get('kbps')} kbit/s (nominal "
          f"{KBIT}; {r['wire_kbit']:.0f} kbit/s on the wire), link {CAP_KBIT} kbit/s, incident "
          f"{gop_index(r['stream'])[1]} frames after a keyframe")
    print(f"figure: start on the capped link (join: keyframe at once, the GOP paced at 2x): tbf dropped "
          f"{r['tbf_before']['dropped']}, server NACKed packets {before.get('nacks')} "
          f"({before.get('nacks_over_budget')} over budget, {before.get('nacks_not_in_history')}"
          f" not in history), Chromium PLIs {a.get('pliCount')}, freezes {a.get('freezeCount')}"
          f" ({a.get('totalFreezesDuration')} s)")
    print(f"figure: incident -> PLI {secs(t0, t_pli)} s, PLI -> paced replay "
          f"{secs(t_pli, r['t_replay'])} s, -> first new frame {secs(t_pli, first)} s, -> steady "
          f"30 fps {secs(t_pli, steady)} s; next live keyframe {secs(t_pli, r['t_live_key'])} s "
          f"after the PLI; freezes {[(secs(t0, t), round(d, 2)) for t, d in frozen]} (at, for s); "
          f"PLIs: server {cb.diff(after, before, 'plis')}, Chromium {cb.diff(b, a, 'pliCount')}")
    print(f"figure: during the incident and replay: RTX dropped {r['rtx_dropped']} (on "
          f"purpose), tbf dropped {r['tbf_after']['dropped'] - r['tbf_before']['dropped']}, "
          f"Chromium lost {cb.diff(b, a, 'packetsLost')} and got "
          f"{cb.diff(b, a, 'retransmittedPacketsReceived')} back; server NACKed packets "
          f"{cb.diff(after, before, 'nacks')}, over budget "
          f"{cb.diff(after, before, 'nacks_over_budget')}, not in history "
          f"{cb.diff(after, before, 'nacks_not_in_history')}")
    c.check("Chromium played at ~30 fps before the incident",
            fps_over(series, t0 - 2000, t0) >= 27, f"{fps_over(series, t0 - 2000, t0):.1f}")
    c.check("the server received a PLI", t_pli is not None, json.dumps(after))
    c.check("exactly one paced replay answered it", r["t_replay"] is not None and
            cb.diff(after, before, "paced_replays") == 1, json.dumps(after))
    c.check("frames decoded again, before the next live keyframe", first is not None and
            (r["t_live_key"] is None or first < r["t_live_key"]),
            f"first new frame {first}, live keyframe {r['t_live_key']}")
    c.check("steady ~30 fps again within 4 s of the PLI",
            steady is not None and steady - t_pli <= 4000, f"{secs(t_pli, steady)} s")
    c.check("~30 fps over the last 5 s", fps_over(series, r["t_end"] - 5500, r["t_end"]) >= 28,
            f"{fps_over(series, r['t_end'] - 5500, r['t_end']):.1f}")
    replay_drops = r["tbf_after"]["dropped"] - r["tbf_before"]["dropped"]
    c.check("the replay fits the link (tbf dropped at most 10 packets; unpaced: 250-450)",
            replay_drops <= 10, f"{replay_drops} dropped")
    c.check("no second PLI at the server", cb.diff(after, before, "plis") == 1, json.dumps(after))
    c.check("no second PLI from Chromium", cb.diff(b, a, "pliCount") == 1,
            str(cb.diff(b, a, "pliCount")))
    c.check("no freeze longer than the time to recover", to_first is not None and
            max([d for _, d in frozen] or [0]) <= to_first + 0.3,
            f"freezes {frozen}, incident to first new frame {to_first} s")


if __name__ == "__main__":
    main()
