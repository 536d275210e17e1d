"""Chromium plays through a lossy link (issue 15): headless Chromium in the viewer namespace of
the network test bed (netbed.py) plays a 720p30 stream (2 Mbit/s, 2 s GOP, video only) for 30 s
with 5 % random loss on the viewer's downlink (nftables, on the media port only) and a 40 ms
round trip (the relay: 20 ms each way). Over those 30 s:
- >= 29 fps (framesDecoded over the window);
- Chromium's freezeCount rises by at most 1;
- >= 99 % of the lost packets recovered. Chromium's inbound-rtp packetsLost counts every
  original that did not arrive, repaired or not (checked: it rises by the originals nftables
  dropped, and retransmittedPacketsReceived by the repairs), so unrecovered = the rise of
  packetsLost minus the rise of retransmittedPacketsReceived, read a moment after the loss
  stops so that repairs in flight land. A repair counted twice would hide a loss; it cannot
  happen here: the server resends a packet at most once per round trip and Chromium asks
  again only after 100 ms. The share is taken of the originals lost (packetsLost), stricter
  than of everything nftables dropped (which includes lost retransmissions);
- the server answered the NACKs (its `retransmitted` count for the viewer in /api/streams
  covers what Chromium received over RTX) and none fell outside its history.
Video only: Chromium does not NACK Opus, so audio losses would count as unrecovered although
nothing could repair them."""
import json
import time

import harness as h
import netbed

WINDOW_S = 30
LOSS_PCT = 5
SETTLE_S = 1.5  # after the loss stops: NACKs and RTX in flight land before the last sample


def viewer_stats(srv):
    """The one viewer's counters from /api/streams (teacher passcode), or {}."""
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    if status != 200:
        return {}
    viewers = [v for s in body.get("streams", []) for v in s.get("viewers", [])]
    return viewers[0] if len(viewers) == 1 else {}


def diff(after, before, key):
    return (after.get(key) or 0) - (before.get(key) or 0)


def sample_at(timeline, t_ms):
    """The last getStats sample taken at or before t_ms (epoch ms), or the first one."""
    best = timeline[0] if timeline else {}
    for s in timeline:
        if s["t"] <= t_ms and s.get("framesDecoded") is not None:
            best = s
    return best


def wait_playing(srv, timeout=20):
    """Until the server reports the viewer connected and sending video."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = viewer_stats(srv)
        if v.get("video_packets", 0) > 300:
            return True
        time.sleep(0.25)
    return False


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = h.ffmpeg_publish(srv.url(), WINDOW_S + 60, video_args=h.VIDEO_2M, gop=60)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        bed.relay.set(delay_ms=20)
        time.sleep(1.0)
        browser = h.whep_browser_async(srv.whep_url(), WINDOW_S + 40, no_audio=True,
                                       until_stdin=True, wrap=bed.viewer_prefix())
        c.check("Chromium plays through the bed", wait_playing(srv))
        time.sleep(3)  # past the start (instant-start GOP, jitter buffer settling)
        before_srv, before_nft = viewer_stats(srv), bed.counters()["down"]
        t_start = time.time() * 1000
        bed.set_loss("down", LOSS_PCT, port=srv.udp_port)
        time.sleep(WINDOW_S)
        bed.set_loss("down", 0)
        t_end = time.time() * 1000
        after_nft = bed.counters()["down"]
        time.sleep(SETTLE_S)
        t_settled = time.time() * 1000
        after_srv = viewer_stats(srv)
        out, err = browser.communicate("stop\n", timeout=60)
        lines = out.strip().splitlines()
        rep = json.loads(lines[-1]) if lines else {"error": err[-3000:]}
        c.check("Chromium reported", "timeline" in rep and not rep.get("error"),
                rep.get("error", ""))
        tl = rep.get("timeline", [])
        a, b, settled = sample_at(tl, t_start), sample_at(tl, t_end), sample_at(tl, t_settled)
        secs = (b.get("t", 0) - a.get("t", 0)) / 1000
        fps = diff(b, a, "framesDecoded") / secs if secs > 0 else 0
        freezes = diff(b, a, "freezeCount")
        freeze_s = diff(b, a, "totalFreezesDuration")
        lost = after_nft["loss"] - before_nft["loss"]
        udp = after_nft["udp"] - before_nft["udp"]
        lost_orig = diff(settled, a, "packetsLost")
        rtx_rx = diff(settled, a, "retransmittedPacketsReceived")
        unrecovered = max(0, lost_orig - rtx_rx)
        recovered = 1 - unrecovered / lost_orig if lost_orig > 0 else 0
        recovered_nft = 1 - unrecovered / lost if lost > 0 else 0
        nacks, resent = diff(after_srv, before_srv, "nacks"), diff(after_srv, before_srv,
                                                                   "retransmitted")
        plis = diff(after_srv, before_srv, "plis")
        print(f"figure: {LOSS_PCT} % downlink loss, 40 ms RTT, {secs:.1f} s window: "
              f"{fps:.2f} fps, freezes {freezes} ({freeze_s:.2f} s), nft dropped {lost} of "
              f"{udp} ({lost / udp if udp else 0:.1%}), originals lost {lost_orig}, "
              f"unrecovered {unrecovered}, recovered {recovered:.2%} of originals lost "
              f"({recovered_nft:.2%} of nft drops)")
        print(f"figure: Chromium NACKs {diff(settled, a, 'nackCount')}, RTX received {rtx_rx}, "
              f"PLIs {diff(settled, a, 'pliCount')}; server NACKed packets {nacks}, "
              f"retransmitted {resent}, not in history "
              f"{diff(after_srv, before_srv, 'nacks_not_in_history')}, over budget "
              f"{diff(after_srv, before_srv, 'nacks_over_budget')}, too soon "
              f"{diff(after_srv, before_srv, 'nacks_too_soon')}, PLIs {plis}, paced replays "
              f"{diff(after_srv, before_srv, 'paced_replays')}, RTT {after_srv.get('rtt_ms')} ms")
        c.check("the window spans 30 s of samples", secs >= WINDOW_S - 1, f"{secs:.1f} s")
        c.check("nftables dropped about 5 % of the media downlink",
                udp > 0 and 0.03 <= lost / udp <= 0.07, f"{lost} of {udp}")
        c.check(">= 29 fps over the lossy window", fps >= 29, f"{fps:.2f} fps")
        c.check("freezeCount rose by at most 1", freezes <= 1,
                f"{freezes} freezes, {freeze_s:.2f} s")
        c.check("Chromium counts the originals nftables dropped as lost (repaired or not)",
                0.85 * lost <= lost_orig <= lost, f"packetsLost {lost_orig}, nft dropped {lost}")
        c.check(">= 99 % of the lost packets recovered", lost_orig > 0 and recovered >= 0.99,
                f"originals lost {lost_orig}, repaired {rtx_rx}, nft dropped {lost}")
        c.check("Chromium repaired over RTX what the server resent", 0 < rtx_rx <= resent and
                nacks > 0, f"RTX received {rtx_rx}, server retransmitted {resent}, NACKs {nacks}")
        c.check("no NACK fell outside the server's history",
                diff(after_srv, before_srv, "nacks_not_in_history") == 0, json.dumps(after_srv))
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
