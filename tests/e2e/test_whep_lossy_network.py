"""Chromium plays through a lossy link (issue 15): headless Chromium in the viewer namespace of
the network test bed (netbed.py) plays a 720p30 stream (2 Mbit/s, 2 s GOP, video only) for 30 s
with 5 % random loss on the viewer's downlink (nftables, on the media port only) and a 40 ms
round trip (the relay: 20 ms each way). Over those 30 s:
- >= 29 fps (framesDecoded over the window);
- Chromium's freezeCount rises by at most 1;
- >= 99 % of the lost packets recovered, NACKed and retransmitted: Chromium's inbound-rtp
  packetsLost counts every original that did not arrive, repaired or not (it rises by the
  originals nftables dropped); the server's first resends (`retransmitted` minus
  `second_copies` in /api/streams) must cover 99 % of them. Chromium's
  retransmittedPacketsReceived cannot say which losses stayed lost (it counts every RTX packet,
  the server's second copy of a repair too), so delivery is checked by frames: a packet never
  repaired leaves its frame incomplete for good, and Chromium's framesReceived counts complete
  frames. The publisher stops after the window, repairs in flight land, and the frames the
  server sent this viewer (`video_frames`) minus those Chromium completed must stay under
  0.5 % (a frame lost for good just before a keyframe freezes nothing; anywhere else it would
  show as a freeze until the next keyframe);
- the server answered the NACKs (its `retransmitted` count for the viewer in /api/streams
  covers what Chromium received over RTX) and none fell outside its history.
Video only: Chromium does not NACK Opus, so audio losses would count as unrecovered although
nothing could repair them."""
import json
import time

import chromium_bed as cb
import harness as h
import netbed

WINDOW_S = 30
LOSS_PCT = 5
SETTLE_S = 1.5  # after the loss stops: NACKs and RTX in flight land before the last sample


def play_lossy(c, bed, srv, pub):
    """Plays, then WINDOW_S of loss; returns the figures of the window."""
    browser = cb.Browser(bed, srv.whep_url(), max_seconds=WINDOW_S + 40)
    c.check("Chromium plays through the bed", cb.wait_viewer_packets(srv))
    time.sleep(3)  # past the start (instant-start GOP, jitter buffer settling)
    before_srv, before_nft = cb.viewer_stats(srv), bed.counters()["down"]
    t_start = time.time() * 1000
    bed.set_loss("down", LOSS_PCT, port=srv.udp_port)
    time.sleep(WINDOW_S)
    bed.set_loss("down", 0)
    t_end = time.time() * 1000
    after_nft = bed.counters()["down"]
    h.finish_early(pub, what="ffmpeg publisher")  # no frame in flight when counting frames
    time.sleep(SETTLE_S)
    t_settled = time.time() * 1000
    after_srv = cb.viewer_stats(srv)
    time.sleep(1.2)  # one more stats sample after the count
    rep = browser.stop()
    c.check("Chromium reported", "timeline" in rep and not rep.get("error"),
            rep.get("error", ""))
    tl = rep.get("timeline", [])
    a, b = cb.sample_at(tl, t_start), cb.sample_at(tl, t_end)
    settled = cb.sample_at(tl, t_settled)
    f = {"secs": (b.get("t", 0) - a.get("t", 0)) / 1000,
         "frames": cb.diff(b, a, "framesDecoded"),
         "freezes": cb.diff(b, a, "freezeCount"),
         "freeze_s": cb.diff(b, a, "totalFreezesDuration"),
         "nft_lost": after_nft["loss"] - before_nft["loss"],
         "nft_udp": after_nft["udp"] - before_nft["udp"]}
    f["fps"] = f["frames"] / f["secs"] if f["secs"] > 0 else 0
    for key in ("packetsLost", "retransmittedPacketsReceived", "nackCount", "pliCount"):
        f[key] = cb.diff(settled, a, key)
    for key in ("nacks", "retransmitted", "nacks_not_in_history", "nacks_over_budget",
                "nacks_too_soon", "plis", "paced_replays", "second_copies"):
        f["srv_" + key] = cb.diff(after_srv, before_srv, key)
    f["rtt_ms"] = after_srv.get("rtt_ms")
    last = tl[-1] if tl else {}
    f["srv_frames"] = after_srv.get("video_frames", 0)
    f["frames_complete"] = last.get("framesReceived", 0)
    f["frames_incomplete"] = max(0, f["srv_frames"] - f["frames_complete"])
    f["first_resends"] = f["srv_retransmitted"] - f["srv_second_copies"]
    f["recovered"] = min(1, f["first_resends"] / f["packetsLost"]) if f["packetsLost"] > 0 else 0
    f["incomplete_share"] = f["frames_incomplete"] / f["srv_frames"] if f["srv_frames"] else 1
    return f


def report(f):
    share = f["nft_lost"] / f["nft_udp"] if f["nft_udp"] else 0
    print(f"figure: {LOSS_PCT} % downlink loss, 40 ms RTT, {f['secs']:.1f} s: {f['fps']:.2f} fps, "
          f"freezes {f['freezes']} ({f['freeze_s']:.2f} s), nft dropped {f['nft_lost']} of "
          f"{f['nft_udp']} ({share:.1%}), originals lost {f['packetsLost']}, RTX received "
          f"{f['retransmittedPacketsReceived']}, first resends {f['first_resends']} "
          f"({f['recovered']:.2%} of originals lost), frames sent {f['srv_frames']}, completed "
          f"{f['frames_complete']} ({f['incomplete_share']:.2%} left incomplete)")
    print(f"figure: Chromium NACK packets {f['nackCount']}, PLIs {f['pliCount']}; server: "
          f"NACKed packets {f['srv_nacks']}, retransmitted {f['srv_retransmitted']}, not in "
          f"history {f['srv_nacks_not_in_history']}, over budget {f['srv_nacks_over_budget']}, "
          f"too soon {f['srv_nacks_too_soon']}, second copies {f['srv_second_copies']}, PLIs "
          f"{f['srv_plis']}, paced replays {f['srv_paced_replays']}, RTT {f['rtt_ms']} ms")


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = h.ffmpeg_publish(srv.url(), WINDOW_S + 60, video_args=h.VIDEO_2M, gop=60)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        bed.relay.set(delay_ms=20)
        time.sleep(1.0)
        f = play_lossy(c, bed, srv, pub)
        report(f)
        lost, lost_orig = f["nft_lost"], f["packetsLost"]
        c.check("the window spans 30 s of samples", f["secs"] >= WINDOW_S - 1, f"{f['secs']} s")
        c.check("nftables dropped about 5 % of the media downlink",
                f["nft_udp"] > 0 and 0.03 <= lost / f["nft_udp"] <= 0.07, json.dumps(f))
        c.check(">= 29 fps over the lossy window", f["fps"] >= 29, f"{f['fps']:.2f} fps")
        c.check("freezeCount rose by at most 1", f["freezes"] <= 1,
                f"{f['freezes']} freezes, {f['freeze_s']:.2f} s")
        c.check("Chromium counts the originals nftables dropped as lost (repaired or not)",
                0.85 * lost <= lost_orig <= lost, f"packetsLost {lost_orig}, nft dropped {lost}")
        c.check(">= 99 % of the lost packets NACKed and retransmitted", lost_orig > 0 and
                f["recovered"] >= 0.99, json.dumps(f))
        c.check("Chromium completed all but 0.5 % of the frames it was sent (repairs arrived)",
                f["srv_frames"] > 0 and f["incomplete_share"] <= 0.005, json.dumps(f))
        c.check("Chromium repaired over RTX what the server resent",
                0 < f["retransmittedPacketsReceived"] <= f["srv_retransmitted"] and
                f["srv_nacks"] > 0, json.dumps(f))
        c.check("no NACK fell outside the server's history",
                f["srv_nacks_not_in_history"] == 0, json.dumps(f))
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
