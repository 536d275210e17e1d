"""500 hostile RTMP connections that never publish or play: each does the handshake and
`connect`, then opens partial messages as large as the pre-authorisation bound allows (64 KiB,
twice) and trickles their bodies. The server must hold at most the stated bound per connection
(the 2 x 64 KiB of partial messages plus a 64 KiB read buffer and session state: under 256 KiB),
keep its RSS growth under 500 x 256 KiB, refuse connections beyond the global and per-address
caps, close every hostile connection at rtmpStartTimeout, end a player that waits for a path
nobody publishes, and keep a real ffmpeg publish and play working throughout."""
import os
import socket
import time

import harness as h
import rtmp_craft as r

HOSTILE_ADDRESSES = [f"127.0.0.{i}" for i in range(2, 12)]  # 10 sources x 50 = 500
PER_ADDRESS = 50
MAX_CONNECTIONS = 510
START_TIMEOUT_S = 15
PER_CONNECTION_BOUND = 256 << 10
CONFIG = (f"airclass:\n  rtmpMaxConnections: {MAX_CONNECTIONS}\n"
          f"  rtmpMaxConnectionsPerAddress: {PER_ADDRESS}\n"
          f"  rtmpStartTimeout: {START_TIMEOUT_S}s\n  playerWaitForPublisher: 3s\n")
PARTIAL = 507 * 128  # bytes sent of each 65536-byte message, ending on a chunk boundary


class Hostile(r.RawClient):
    def __init__(self, port, source):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5.0,
                                             source_address=(source, 0))

    trickled = False

    def attack(self):
        self.handshake()
        self.command("connect", 1, r.amf_object({"app": r.amf_string("live"),
                                                 "tcUrl": r.amf_string("rtmp://127.0.0.1/live")}))
        for csid in (4, 5):  # two chunk streams, each with a message at the bound
            whole = r.chunk(csid, 9, bytes(65536), stream_id=1)
            # Cut after PARTIAL payload bytes (one continuation header per 128 bytes).
            cut = 12 + PARTIAL + (PARTIAL - 1) // 128
            self.send(whole[:cut])

    def trickle(self):
        # One more payload byte of csid 5's message, after a continuation chunk header.
        byte = b"\x00" if self.trickled else b"\xc5\x00"
        self.trickled = True
        return self.send(byte)


def vm_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def open_hostile(port, count_per_address):
    out = []
    for source in HOSTILE_ADDRESSES:
        for _ in range(count_per_address):
            cl = Hostile(port, source)
            cl.attack()
            out.append(cl)
    return out


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, CONFIG) as srv:
        out = os.path.join(srv.workdir, "good.flv")
        pub = h.ffmpeg_publish(srv.url(), 30, size="640x360")
        srv.wait_log("publishing live/stream")
        time.sleep(3)  # GOP cache and queues at their steady size
        player = h.ffmpeg_play(srv.url(), out)
        c.check("player started", srv.wait_log("playing live/stream"))
        time.sleep(2)
        before = vm_rss(srv.proc.pid)

        started = time.time()
        hostile = open_hostile(srv.rtmp_port, PER_ADDRESS)
        c.check("500 hostile connections set up", len(hostile) == 500,
                f"{time.time() - started:.1f} s")
        for _ in range(3):
            time.sleep(1)
            for cl in hostile:
                cl.trickle()
        after = vm_rss(srv.proc.pid)
        growth = after - before
        per_conn = growth / len(hostile)
        print(f"RSS before {before >> 10} KiB, with 500 hostile {after >> 10} KiB: "
              f"{per_conn / 1024:.1f} KiB per connection (bound {PER_CONNECTION_BOUND >> 10} KiB)")
        c.check("RSS growth under 500 x 256 KiB", growth < 500 * PER_CONNECTION_BOUND,
                f"{growth >> 10} KiB")
        c.check("hostile connections still open (trickling within bounds)",
                sum(1 for cl in hostile[:50] if not cl.closed_by_server(timeout=0.01)) == 50)

        over = Hostile(srv.rtmp_port, HOSTILE_ADDRESSES[0])
        c.check("51st connection from one address refused",
                over.closed_by_server(timeout=3), srv.log_text()[-800:])
        over.close()
        extra = [Hostile(srv.rtmp_port, "127.0.0.99") for _ in range(20)]
        refused = sum(1 for cl in extra if cl.closed_by_server(timeout=1))
        c.check("connections beyond rtmpMaxConnections refused", refused >= 10, f"{refused} of 20")
        for cl in extra:
            cl.close()
        time.sleep(0.5)  # their slots come back as the server sees them go

        oversized = Hostile(srv.rtmp_port, "127.0.0.100")
        oversized.handshake()
        oversized.send(r.chunk(4, 9, b"", stream_id=1, length=0xFFFFFF))
        c.check("a large message before publish/play closes the connection",
                oversized.closed_by_server(timeout=3))
        oversized.close()

        nobody = h.ffmpeg_play(srv.url("live/nobody"), os.path.join(srv.workdir, "none.flv"))
        c.check("player of a path nobody publishes ends after the wait",
                srv.wait_log("no publisher on live/nobody within 3 s", timeout=8))
        h.wait(nobody, 10, "waiting player")

        deadline = started + START_TIMEOUT_S + 5
        while time.time() < deadline:
            for cl in hostile:
                cl.trickle()  # trickling does not keep a connection that never starts alive
            time.sleep(1)
        still_open = sum(1 for cl in hostile if not cl.closed_by_server(timeout=0.01))
        c.check("every hostile connection closed at rtmpStartTimeout", still_open == 0,
                f"{still_open} still open")
        for cl in hostile:
            cl.close()

        c.check("good publisher unaffected", h.wait(pub, 40, "publisher") == 0)
        h.wait(player, 30, "player")
        n = len(h.video_packets(out))
        c.check("good player received the stream during the flood", n >= 25 * 30 - 150,
                f"{n} frames")
        log = srv.log_text()
        for needle in ("(rtmpMaxConnectionsPerAddress)", "(rtmpMaxConnections)",
                       "before publish/play", "(rtmpStartTimeout)"):
            c.check(f"log names the limit: '{needle}'", needle in log)
        c.check("server alive", srv.alive())
        c.check("clean shutdown", srv.stop() == 0, srv.log_text()[-3000:])
    c.finish()


if __name__ == "__main__":
    main()
