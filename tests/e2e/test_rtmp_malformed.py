"""Hostile RTMP against the running server while a real publisher and player stream: every bad
connection is closed on its own with a clear log line; the good stream is untouched, the
server stays up and shuts down cleanly (under ASan this also proves nothing leaked)."""
import os
import random
import struct
import time

import harness as h
import rtmp_craft as r

CONFIG = ("airclass:\n  playerLingerAfterUnpublish: 1s\n  rtmpHandshakeTimeout: 2s\n"
          "  rtmpMaxMessageSize: 1048576\n")


def lying_avc_sequence_header():
    # avcC claims one SPS of 0xFFFF bytes but carries four.
    avcc = bytes([1, 0x42, 0xC0, 0x1F, 0xFF, 0xE1]) + struct.pack(">H", 0xFFFF) + b"\x67\x42\xc0\x1f"
    return bytes([0x17, 0, 0, 0, 0]) + avcc


def nesting_bomb(depth):
    body = b""
    for _ in range(depth):
        body = b"\x03" + struct.pack(">H", 1) + b"a" + body if body else b"\x03"
    return body


def cases(port):
    rnd = random.Random(1234)

    def garbage_before_handshake():
        cl = r.RawClient(port)
        cl.send(bytes(rnd.getrandbits(8) for _ in range(4096)))
        return cl

    def garbage_after_handshake():
        cl = r.RawClient(port)
        cl.handshake()
        cl.send(bytes(rnd.getrandbits(8) for _ in range(65536)))
        return cl

    def huge_chunk_size():
        cl = r.RawClient(port)
        cl.handshake()
        cl.send(r.chunk(2, 1, struct.pack(">I", 0x7FFFFFFF)))
        cl.send(r.chunk(3, 20, b"\x02" * 200))
        return cl

    def huge_message_length():
        cl = r.RawClient(port)
        cl.handshake()
        cl.send(r.chunk(3, 20, b"\x02\x00\x07connect", length=0xFFFFFF))
        return cl

    def amf_nesting_bomb():
        cl = r.RawClient(port)
        cl.handshake()
        body = r.amf_string("connect") + r.amf_number(1) + nesting_bomb(5000)
        cl.send(r.chunk(3, 20, body, chunk_size=128))
        return cl

    def lying_sequence_header():
        cl = r.RawClient(port)
        cl.start_publish(name="hostile1")
        cl.send(r.chunk(6, 9, lying_avc_sequence_header(), stream_id=1))
        return cl

    def truncated_video_tag():
        cl = r.RawClient(port)
        cl.start_publish(name="hostile2")
        cl.send(r.chunk(6, 9, b"\x17", stream_id=1))
        cl.send(r.chunk(6, 9, b"\x17\x01\x00\x00\x00\x00\x00\x10\x00", stream_id=1))
        return cl

    def silent_after_connect():
        return r.RawClient(port)  # says nothing: the handshake deadline closes it

    return [("garbage before handshake", garbage_before_handshake),
            ("garbage after handshake", garbage_after_handshake),
            ("chunk size 0x7fffffff", huge_chunk_size),
            ("message length beyond limit", huge_message_length),
            ("AMF0 nesting bomb", amf_nesting_bomb),
            ("sequence header lying about its size", lying_sequence_header),
            ("truncated video tag", truncated_video_tag),
            ("silent client", silent_after_connect)]


def main():
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, CONFIG) as srv:
        out = os.path.join(srv.workdir, "good.flv")
        player = h.ffmpeg_play(srv.url(), out)
        srv.wait_log("(waiting for a publisher)")
        pub = h.ffmpeg_publish(srv.url(), 8, size="640x360")
        srv.wait_log("publishing live/stream")
        for name, make in cases(srv.rtmp_port):
            before = srv.log_text().count("closed after")
            try:
                cl = make()
            except ConnectionError as e:
                c.check(f"{name}: closed", True, str(e))
                continue
            closed = cl.closed_by_server(timeout=6)
            cl.close()
            c.check(f"{name}: connection closed by server", closed)
            time.sleep(0.2)
            c.check(f"{name}: logged", srv.log_text().count("closed after") > before,
                    srv.log_text()[-1500:])
        flood = [r.RawClient(srv.rtmp_port) for _ in range(100)]
        for cl in flood:
            cl.send(os.urandom(2000))
        c.check("flood of 100 garbage connections all closed",
                all(cl.closed_by_server(timeout=6) for cl in flood))
        for cl in flood:
            cl.close()
        c.check("good publisher unaffected", h.wait(pub, 60, "publisher") == 0, pub.stderr.read())
        h.wait(player, 30, "player")
        n = len(h.video_packets(out))
        c.check("good player received every frame", abs(n - 240) <= 5, f"{n} frames of 240")
        log = srv.log_text()
        for needle in ("protocol error", "exceeds", "nesting", "bad media from publisher"):
            c.check(f"log names the fault: '{needle}'", needle in log)
        c.check("server alive", srv.alive())
        c.check("clean shutdown (no leaks under ASan)", srv.stop() == 0, srv.log_text()[-3000:])
    c.finish()


if __name__ == "__main__":
    main()
