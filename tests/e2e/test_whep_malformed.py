"""Hostile input on the WebRTC side while a real viewer (our C++ client) plays: garbage UDP,
STUN for unknown ufrags and with bad MESSAGE-INTEGRITY, DTLS garbage from unknown and from
verified addresses, RTP/RTCP-looking junk, and nonsense WHEP offers. Each is dropped, refused or
closes only its own session; the viewer keeps playing and the server shuts down cleanly (under
ASan: nothing leaked)."""
import hashlib
import hmac
import os
import random
import re
import socket
import struct
import time
import zlib

import harness as h

MAGIC = 0x2112A442


def stun_request(username, key, use_candidate=True):
    """RFC 5389 binding request with USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
    MESSAGE-INTEGRITY and FINGERPRINT."""
    def attr(t, v):
        pad = (4 - len(v) % 4) % 4
        return struct.pack(">HH", t, len(v)) + v + b"\0" * pad
    body = attr(0x0006, username.encode()) + attr(0x0024, struct.pack(">I", 1845501695))
    body += attr(0x802A, os.urandom(8))
    if use_candidate:
        body += attr(0x0025, b"")
    txid = os.urandom(12)
    head = lambda n: struct.pack(">HHI", 0x0001, n, MAGIC) + txid  # noqa: E731
    mi = hmac.new(key.encode(), head(len(body) + 24) + body, hashlib.sha1).digest()
    body += attr(0x0008, mi)
    crc = (zlib.crc32(head(len(body) + 8) + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += attr(0x8028, struct.pack(">I", crc))
    return head(len(body)) + body


def is_success(data):
    return len(data) >= 20 and struct.unpack(">H", data[:2])[0] == 0x0101




def exchange(port, data, timeout=0.3):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(data, ("127.0.0.1", port))
        try:
            return s.recv(2048)
        except socket.timeout:
            return b""


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    rnd = random.Random(99)
    offer = open(os.path.join(args.data, "sdp", "chrome_recvonly_offer.sdp"), "rb").read()
    with h.Server(args.server, webrtc=True) as srv:
        pub = h.ffmpeg_publish(srv.url(), 25, video_args=h.VIDEO_2M)
        srv.wait_log("video H264")
        time.sleep(0.5)
        victim = h.whep_client(args.client, srv.whep_url(), 14)
        time.sleep(1.0)
        port = srv.udp_port

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _ in range(3000):
                s.sendto(rnd.randbytes(rnd.randint(1, 1400)), ("127.0.0.1", port))
        c.check("random datagrams: server alive", srv.alive())

        c.check("STUN for an unknown ufrag gets no success",
                not is_success(exchange(port, stun_request("nobody:x", "k" * 22))))

        status, answer = h.post_offer(srv.whep_url(), offer)
        c.check("fixture offer accepted", status == 201, f"{status} {answer[:300]}")
        ufrag = re.search(r"a=ice-ufrag:(\S+)", answer).group(1)
        pwd = re.search(r"a=ice-pwd:(\S+)", answer).group(1)
        remote_ufrag = re.search(rb"a=ice-ufrag:(\S+)", offer).group(1).decode()
        c.check("STUN with a wrong password gets no success",
                not is_success(exchange(port, stun_request(f"{ufrag}:{remote_ufrag}", "x" * 24))))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1.0)
            s.sendto(b"\x16\xfe\xfd" + os.urandom(200), ("127.0.0.1", port))  # not verified yet
            s.sendto(stun_request(f"{ufrag}:{remote_ufrag}", pwd), ("127.0.0.1", port))
            c.check("valid STUN check answered with success", is_success(s.recv(2048)))
            for _ in range(200):
                s.sendto(b"\x16\xfe\xfd" + os.urandom(rnd.randint(10, 1200)), ("127.0.0.1", port))
                s.sendto(b"\x80\xc8" + os.urandom(rnd.randint(10, 600)), ("127.0.0.1", port))
                s.sendto(b"\x80\x60" + os.urandom(rnd.randint(10, 600)), ("127.0.0.1", port))
        time.sleep(0.5)
        # DTLS garbage is ignored or fails that one session; either way nobody else notices.
        closes = [l for l in srv.log_text().splitlines() if "closed:" in l and "[webrtc]" in l]
        c.check("DTLS/RTCP garbage closes no other session", srv.alive() and
                all("DTLS" in l for l in closes), "\n".join(closes))

        for body, ctype, want in [(os.urandom(3000), "application/sdp", 400),
                                  (b"v=0\r\n" + b"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" * 5000,
                                   "application/sdp", 413),
                                  (b"v=0\r\n" + b"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" * 100,
                                   "application/sdp", 400),
                                  (offer, "application/json", 415)]:
            status, text = h.post_offer(srv.whep_url(), body, ctype)
            c.check(f"bad WHEP offer -> {want}", status == want, f"{status} {text[:200]}")

        rep = victim.result()
        v = rep.get("video", {})
        c.check("victim viewer kept playing", rep.get("exit_code") == 0 and v.get("frames", 0)
                >= 300, str(rep))
        c.check("victim saw no loss", v.get("lost", 1) <= 0.01 * max(1, v.get("packets", 0)),
                str(v))
        c.check("victim: all SRTP authenticated", rep.get("srtp_auth_failures") == 0)
        pub.kill()
        pub.wait()
        c.check("server alive", srv.alive())
        c.check("clean shutdown (no leaks under ASan)", srv.stop() == 0, srv.log_text()[-3000:])
    c.finish()


if __name__ == "__main__":
    main()
