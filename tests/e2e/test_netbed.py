"""The network test bed (netbed.py) with real traffic and no browser: our whep_client plays a
2 Mbit/s stream from the viewer namespace through the UDP relay and the veth pair.
- UDP blocked: the client gets no media, nftables counted the drops, and the server reports
  that the viewer never connected; with only the WHEP TCP port open, the API port is closed.
- 20 ms each way in the relay: the server measures a round trip of 40 +- 15 ms.
- a 1000 kbit/s tbf cap on the downlink: what the client receives stays under the cap (and
  the same client uncapped gets about twice as much).
- 10 % nftables loss on the downlink: the counters show about 10 % dropped, the client still
  gets frames and recovers packets by NACK.
- the relay's own timing error at 5 Mbit/s (p99 under 5 ms; about 1 ms measured)."""
import json
import os
import subprocess
import sys
import time

import harness as h
import netbed

PROBE = """import socket, sys
try:
    socket.create_connection(("{host}", {port}), timeout=1.5).close()
    print("open")
except OSError as e:
    print(type(e).__name__)
"""


def tcp_probe(bed, port):
    """What a TCP connect from the viewer namespace to the server's `port` gives."""
    out = bed.viewer_run([sys.executable, "-c", PROBE.format(host=netbed.SERVER_IP, port=port)],
                         capture_output=True, text=True, timeout=10)
    return out.stdout.strip()


def viewers(srv):
    status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
    if status != 200:
        return []
    return [v for s in body.get("streams", []) for v in s.get("viewers", [])]


def received_kbit(rep):
    """Media bytes the client counted per second of connected time."""
    seconds = rep.get("duration_s", 0) - (rep.get("connected_ms") or 0) / 1000.0
    total = rep.get("video", {}).get("bytes", 0) + rep.get("audio", {}).get("bytes", 0)
    return total * 8 / 1000.0 / seconds if seconds > 0 else 0.0


def play(args, bed, srv, seconds, extra=None, during=None):
    """whep_client in the viewer namespace; `during()` runs while it plays (once, after 3 s)."""
    proc = h.whep_client(args.client, srv.whep_url(), seconds, extra=extra,
                         wrap=bed.viewer_prefix())
    seen = None
    if during:
        time.sleep(3)
        seen = during()
    return proc.result(), seen


def metric(srv, name, labels=""):
    status, text, _ = srv.api("GET", "/metrics")
    for line in text.splitlines() if status == 200 else []:
        if line.startswith(name + labels + " "):
            return float(line.split()[-1])
    return None


def blocked(c, args, bed, srv):
    bed.block_udp()
    before = bed.counters()
    # Two viewers: one reports what it got and leaves (DELETE); the other is killed, so its
    # session stays pending until the server gives it up (30 s, reported at a later offer).
    gone = h.whep_client(args.client, srv.whep_url(), 30, wrap=bed.viewer_prefix())
    rep, _ = play(args, bed, srv, 4)
    pending = metric(srv, "airclass_webrtc_sessions")
    gone.kill()
    gone.wait()
    after = bed.counters()
    v = rep.get("video", {})
    c.check("UDP blocked: client got no media",
            rep.get("connected_ms") is None and v.get("packets", 0) == 0, str(rep))
    c.check("UDP blocked: nftables dropped the clients' checks",
            after["up"]["blocked"] > before["up"]["blocked"], str(after))
    c.check("UDP blocked: the server saw no connection, one session left pending",
            "of live/stream connected from" not in srv.log_text() and pending == 1,
            f"sessions {pending}: " + srv.log_text()[-1500:])
    # Only the WHEP port open: the token API port is unreachable, WHEP is not.
    bed.only_tcp_port(srv.http_port)
    whep, api = tcp_probe(bed, srv.http_port), tcp_probe(bed, srv.api_port)
    c.check("one TCP port open: WHEP port reachable", whep == "open", whep)
    c.check("one TCP port open: API port dropped", api == "TimeoutError", api)
    bed.unblock()
    c.check("unblocked: API port reachable again", tcp_probe(bed, srv.api_port) == "open")


def never_connected(c, args, bed, srv, blocked_at):
    """The killed viewer's offer expires 30 s after its POST; the server notices (and logs it)
    when the next offer arrives, so a last viewer plays once that time has passed."""
    time.sleep(max(0.0, blocked_at + 31 - time.time()))
    rep, _ = play(args, bed, srv, 2)
    c.check("after all impairments: a viewer plays", rep.get("video", {}).get("frames", 0) > 0,
            str(rep))
    c.check("UDP blocked: the server reports the viewer never connected",
            "never connected" in srv.log_text(), srv.log_text()[-1500:])
    failed = metric(srv, "airclass_handshakes_failed_total", '{protocol="webrtc"}')
    c.check("UDP blocked: counted in airclass_handshakes_failed_total", failed == 1, str(failed))


def delayed(c, args, bed, srv):
    bed.relay.set(delay_ms=20)

    def rtt():
        time.sleep(2)  # a few receiver reports
        return [v.get("rtt_ms") for v in viewers(srv)]

    rep, rtts = play(args, bed, srv, 7, during=rtt)
    v = rep.get("video", {})
    c.check("40 ms RTT: client played", v.get("frames", 0) >= 150 and rep["exit_code"] == 0,
            str(rep))
    c.check("40 ms RTT: the server measures 40 +- 15 ms",
            len(rtts) == 1 and rtts[0] is not None and 25 <= rtts[0] <= 55, str(rtts))
    st = bed.relay.stats()
    c.check("40 ms RTT: all media crossed the relay",
            st["down"]["by_kind"].get("rtp", 0) >= v.get("packets", 1) and
            st["up"]["by_kind"].get("dtls", 0) >= 1, json.dumps(st))
    kbit = received_kbit(rep)
    print(f"figure: uncapped: {kbit:.0f} kbit/s received, server RTT {rtts} ms, relay "
          f"lateness {st['lateness_ms']}")
    return kbit


def capped(c, args, bed, srv, uncapped_kbit):
    cap = 1000
    bed.set_rate("down", cap)
    rep, _ = play(args, bed, srv, 7)
    tbf = bed.rate_stats("down")
    bed.set_rate("down", None)
    kbit = received_kbit(rep)
    c.check(f"tbf {cap} kbit/s: client received under the cap", 0 < kbit <= cap * 1.02,
            f"{kbit:.0f} kbit/s")
    c.check("tbf: the cap was the limit (uncapped got > 1.5x the cap, capped > 0.6x)",
            uncapped_kbit > 1.5 * cap and kbit > 0.6 * cap,
            f"uncapped {uncapped_kbit:.0f}, capped {kbit:.0f}")
    c.check("tbf: the qdisc dropped packets over the cap", tbf and tbf["dropped"] > 0, str(tbf))
    print(f"figure: tbf {cap} kbit/s: {kbit:.0f} kbit/s received, tbf {tbf}")


def lossy(c, args, bed, srv):
    before = bed.counters()["down"]
    bed.set_loss("down", 10)
    rep, _ = play(args, bed, srv, 7, extra=["--nack"])
    bed.set_loss("down", 0)
    after = bed.counters()["down"]
    udp, lost = after["udp"] - before["udp"], after["loss"] - before["loss"]
    share = lost / udp if udp else 0
    v = rep.get("video", {})
    c.check("10 % loss: nftables dropped 6-14 % of the downlink's UDP", 0.06 <= share <= 0.14,
            f"{lost} of {udp}")
    c.check("10 % loss: the client still got frames", v.get("frames", 0) >= 60, str(v))
    c.check("10 % loss: the client saw gaps and NACKed them",
            rep.get("nacks_sent", 0) > 0 and v.get("rtx_packets", 0) > 0, str(rep))
    print(f"figure: 10 % loss: nft dropped {lost} of {udp} ({share:.1%}); client {v.get('frames')}"
          f" frames, {v.get('incomplete_frames')} incomplete, {rep.get('nacks_sent')} NACKs, "
          f"{v.get('rtx_packets')} retransmissions")


def relay_timing(c):
    out = subprocess.run([sys.executable, os.path.join(netbed.E2E_DIR, "udp_relay.py"),
                          "--measure", "5000", "--seconds", "2"],
                         capture_output=True, text=True, timeout=30)
    m = json.loads(out.stdout)
    err = m["error_ms"]
    c.check("relay at 5 Mbit/s: nothing lost", m["received"] == m["sent"], json.dumps(m))
    c.check("relay at 5 Mbit/s: delay error p99 < 5 ms", err["p99"] is not None and
            err["p99"] < 5, json.dumps(m))
    print(f"figure: relay at 5 Mbit/s ({m['pps']} pps, 20 ms): error p50 {err['p50']} ms, "
          f"p99 {err['p99']} ms, max {err['max']} ms")


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        pub = h.ffmpeg_publish(srv.url(), 90, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        time.sleep(0.5)
        blocked_at = time.time()
        blocked(c, args, bed, srv)
        uncapped = delayed(c, args, bed, srv)
        capped(c, args, bed, srv, uncapped)
        lossy(c, args, bed, srv)
        relay_timing(c)
        never_connected(c, args, bed, srv, blocked_at)
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
