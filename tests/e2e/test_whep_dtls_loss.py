"""The DTLS handshake survives lost flights. Chromium (and then our whep_client) plays from the
viewer namespace of the network test bed (netbed.py) through the UDP relay at 40 ms round trip,
while the relay drops 4 DTLS datagrams, 2 each way:
- early: the client's first ClientHello flight (Chromium sends it as two datagrams) and the
  server's first flight plus the first datagram of its retransmission;
- late: the client's second flight (the one with ClientKeyExchange and Finished) twice, and
  the server's final ChangeCipherSpec + Finished twice, so the server must answer the client's
  retransmitted flight by repeating its last one (RFC 6347 4.2.4).
Each time: the relay really dropped those 4, the handshake finished, frames were decoded and
the server logged the viewer as connected."""
import json
import time

import harness as h
import netbed

SCENARIOS = {
    # (direction, record the datagram must hold or None for any DTLS, count)
    "early": [("up", None, 2), ("down", None, 2)],
    "late": [("up", "ClientKeyExchange", 2), ("down", "Finished(encrypted)", 2)],
}


def dropped(stats):
    return {d: stats[d]["dropped_by_kind"].get("dtls", 0) for d in netbed.DIRECTIONS}


def arm(bed, scenario):
    before = bed.relay.stats()
    for direction, record, count in SCENARIOS[scenario]:
        bed.relay.drop(direction, "dtls", count, record=record)
    return before


def check_drops(c, label, bed, before):
    after = bed.relay.stats()
    got = {d: dropped(after)[d] - dropped(before)[d] for d in netbed.DIRECTIONS}
    c.check(f"{label}: the relay dropped 4 DTLS datagrams, 2 each way",
            got == {"down": 2, "up": 2} and not after["pending_drop_rules"],
            f"{got}, rules left {after['pending_drop_rules']}")
    log = after["dtls_log"][len(before["dtls_log"]):]
    finished = [e for e in log if e["dir"] == "down" and not e["dropped"] and
                "Finished(encrypted)" in e["records"]]
    c.check(f"{label}: the server's Finished got through after the drops", bool(finished),
            json.dumps(log))
    for e in log:
        print(f"  {e['t_ms']:9.1f} ms {e['dir']:4} {e['bytes']:5} B "
              f"{'DROPPED ' if e['dropped'] else ''}{', '.join(e['records'])}")
    return log


def check_server(c, label, srv, connected_before):
    ok = srv.wait_log("of live/stream connected from", timeout=5, count=connected_before + 1)
    c.check(f"{label}: the server logged the viewer connected", ok, srv.log_text()[-1500:])


def connected_lines(srv):
    return srv.log_text().count("of live/stream connected from")


def chromium(c, bed, srv, scenario):
    label = f"Chromium, {scenario} flights lost"
    before, n = arm(bed, scenario), connected_lines(srv)
    rep = h.whep_browser(srv.whep_url(), 8, no_audio=True, wrap=bed.viewer_prefix())
    c.check(f"{label}: WHEP answered 201", rep.get("status") == 201 and not rep.get("error"),
            str(rep.get("error")))
    states = [e["state"] for e in rep.get("events", [])]
    c.check(f"{label}: peer connection connected", "connected" in states, str(states))
    last = h.last_sample(rep, "framesDecoded")
    c.check(f"{label}: frames decoded", last.get("framesDecoded", 0) >= 60, str(last))
    check_drops(c, label, bed, before)
    check_server(c, label, srv, n)
    start = rep.get("events", [{}])[0].get("t")
    up = next((e["t"] for e in rep.get("events", []) if e["state"] == "connected"), None)
    print(f"figure: {label}: connected {up - start if up and start else None} ms after "
          f"'connecting', first frame {rep.get('firstFrameMs', 0):.0f} ms after the POST, "
          f"{last.get('framesDecoded')} frames")


def whep_client(c, args, bed, srv, scenario):
    label = f"whep_client, {scenario} flights lost"
    before, n = arm(bed, scenario), connected_lines(srv)
    rep = h.whep_client(args.client, srv.whep_url(), 8, wrap=bed.viewer_prefix()).result()
    v = rep.get("video", {})
    c.check(f"{label}: client connected and exited 0",
            rep.get("exit_code") == 0 and rep.get("connected_ms") is not None, str(rep))
    c.check(f"{label}: whole frames received", v.get("frames", 0) >= 60, str(v))
    c.check(f"{label}: every SRTP packet authenticated", rep.get("srtp_auth_failures") == 0)
    check_drops(c, label, bed, before)
    check_server(c, label, srv, n)
    print(f"figure: {label}: connected {rep.get('connected_ms')} ms after the POST, "
          f"{v.get('frames')} frames")


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    with netbed.NetBed() as bed, bed.server(args.server) as srv:
        bed.relay.set(delay_ms=20)  # 40 ms round trip: retransmission timers meet a real RTT
        pub = h.ffmpeg_publish(srv.url(), 120, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        time.sleep(0.5)
        for scenario in SCENARIOS:
            chromium(c, bed, srv, scenario)
        for scenario in SCENARIOS:
            whep_client(c, args, bed, srv, scenario)
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
