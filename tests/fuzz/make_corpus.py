#!/usr/bin/env python3
"""Writes the seed corpus tests/fuzz/corpus/<fuzzer>/ for every libFuzzer target.

Seeds are a few small valid inputs per target, cut from the fixtures in tests/data or built
here from the specs, so the fuzzers start past the first checks. Run again after changing a
fuzzer's input layout; the output is deterministic (file names are the content's SHA-1, as
libFuzzer names its own corpus files).
"""
import hashlib
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
OUT = ROOT / "tests" / "fuzz" / "corpus"
MAX_SEED = 16 * 1024  # keep the committed corpus small


def flv_tags(name):
    """(type, timestamp, body) of every tag of an FLV fixture (FLV spec 10.1 E.3)."""
    b = (DATA / "media" / name).read_bytes()
    pos = struct.unpack(">I", b[5:9])[0] + 4
    while pos + 11 <= len(b):
        kind = b[pos]
        size = int.from_bytes(b[pos + 1:pos + 4], "big")
        ts = int.from_bytes(b[pos + 4:pos + 7], "big") | (b[pos + 7] << 24)
        body = b[pos + 11:pos + 11 + size]
        if len(body) < size:
            break
        yield kind, ts, body
        pos += 11 + size + 4


def avc_records():
    for name in ("av_320x240.flv", "h264_high_bf3_320x240.flv", "h264_main_176x144.flv"):
        for kind, _, body in flv_tags(name):
            if kind == 9 and len(body) > 5 and body[0] & 0x0F == 7 and body[1] == 0:
                yield body[5:]
                break


def first_sps(record):
    length = int.from_bytes(record[6:8], "big")
    return record[8:8 + length]


class Bits:
    def __init__(self):
        self.bits = []

    def put(self, value, n):
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]
        return self

    def bytes(self):
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))


def asc(object_type, freq_index, channels, tail=None):
    """AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) with GASpecificConfig zero flags."""
    w = Bits().put(object_type, 5).put(freq_index, 4).put(channels, 4)
    if tail:
        tail(w)
    else:
        w.put(0, 3)  # frameLengthFlag, dependsOnCoreCoder, extensionFlag
    return w.bytes()


def amf0_string(s):
    return b"\x02" + struct.pack(">H", len(s)) + s.encode()


def amf0_number(x):
    return b"\x00" + struct.pack(">d", x)


def amf0_object(pairs):
    out = b"\x03"
    for k, v in pairs:
        out += struct.pack(">H", len(k)) + k.encode() + v
    return out + b"\x00\x00\x09"


def connect_command():
    return (amf0_string("connect") + amf0_number(1) + amf0_object([
        ("app", amf0_string("live")), ("type", amf0_string("nonprivate")),
        ("tcUrl", amf0_string("rtmp://127.0.0.1:1935/live")),
        ("objectEncoding", amf0_number(0))]))


def chunks(csid, type_id, stream_id, ts, payload, chunk_size=128, fmt=0):
    """One message as RTMP chunks (RTMP spec 1.0 5.3.1): a fmt 0/1 header, then fmt 3 ones."""
    basic = bytes([(fmt << 6) | csid])
    header = ts.to_bytes(3, "big") + len(payload).to_bytes(3, "big") + bytes([type_id])
    if fmt == 0:
        header += struct.pack("<I", stream_id)
    out = basic + header + payload[:chunk_size]
    for i in range(chunk_size, len(payload), chunk_size):
        out += bytes([0xC0 | csid]) + payload[i:i + chunk_size]
    return out


def publish_session():
    """connect, createStream, publish, then a video sequence header, as a publisher sends."""
    record = next(avc_records())
    video = bytes([0x17, 0, 0, 0, 0]) + record
    return (chunks(3, 20, 0, 0, connect_command())
            + chunks(3, 20, 0, 0, amf0_string("createStream") + amf0_number(2) + b"\x05")
            + chunks(8, 20, 1, 0, amf0_string("publish") + amf0_number(3) + b"\x05"
                     + amf0_string("stream") + amf0_string("live"))
            + chunks(6, 9, 1, 0, video))


def chunk_stream_examples():
    set_chunk = chunks(2, 1, 0, 0, struct.pack(">I", 4096))
    yield publish_session()
    # Set Chunk Size, then one large message in 4096-byte chunks, then fmt 1/2/3 headers.
    big = bytes(range(256)) * 20
    yield (set_chunk + chunks(4, 9, 1, 40, big, chunk_size=4096)
           + bytes([0x44]) + (20).to_bytes(3, "big") + (3).to_bytes(3, "big") + b"\x08abc"
           + bytes([0x84]) + (30).to_bytes(3, "big") + b"def" + bytes([0xC4]) + b"ghi")
    # Extended timestamp and a two-byte chunk stream id.
    yield (bytes([0x00, 10]) + b"\xff\xff\xff" + (4).to_bytes(3, "big") + b"\x08"
           + struct.pack("<I", 1) + struct.pack(">I", 0x01000000) + b"abcd")


def flv_messages(name, limit):
    """flv_demuxer_fuzz input: per message a type byte (0 audio, 1 video, 2 data), a 32-bit
    timestamp, a 16-bit length and the tag body."""
    out = b""
    for kind, ts, body in flv_tags(name):
        if len(body) > 0xFFFF:
            continue
        item = bytes([{8: 0, 9: 1, 18: 2}.get(kind, 2)]) + struct.pack(">IH", ts, len(body)) + body
        if len(out) + len(item) > limit:
            break
        out += item
    return out


def http_requests():
    offer = (DATA / "sdp" / "gstreamer_recvonly_offer.sdp").read_bytes()
    yield (b"POST /live/stream/whep?jwt=abc.def.ghi HTTP/1.1\r\nHost: 127.0.0.1:8889\r\n"
           b"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % len(offer) + offer)
    yield b"DELETE /whep/session/0123abcd HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    yield b"GET /health HTTP/1.1\r\nHost: a\r\n\r\n"
    yield b"GET /api/streams/live%2Fstream?x=1&y=%41+b HTTP/1.0\r\n\r\n"
    body = b'{"path":"live/stream","userType":"student"}'
    yield (b"POST /api/token HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: application/json\r\n\r\n%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    yield b"OPTIONS /live/stream/whep HTTP/1.1\r\nHost: a\r\nOrigin: http://x\r\n\r\n"


def rtp_packets():
    header = struct.pack(">BBHII", 0x80, 96 | 0x80, 1000, 90000, 0x11223344)
    yield header + bytes([0x65]) + bytes(40)  # IDR slice, marker set
    ext = struct.pack(">HH", 0xBEDE, 1) + bytes([0x10, 0x07, 0, 0])  # one-byte extension id 1
    yield struct.pack(">BBHII", 0x90, 96, 1001, 90000, 0x11223344) + ext + bytes([0x7C, 0x85]) + bytes(30)
    stap = bytes([0x18]) + struct.pack(">H", 5) + bytes([0x67, 0x42, 0, 0x1F, 0xAC]) + \
        struct.pack(">H", 3) + bytes([0x68, 0xCE, 0x38])
    yield struct.pack(">BBHII", 0x80, 96, 1002, 90000, 0x11223344) + stap


def tcp_frames(messages, chunk_byte):
    return bytes([chunk_byte]) + b"".join(struct.pack(">H", len(m)) + m for m in messages)


def seeds():
    records = list(avc_records())
    stun = [p.read_bytes() for p in sorted((DATA / "stun").glob("*.bin"))]
    av_tags = list(flv_tags("av_320x240.flv"))
    aac_header = next(b for k, _, b in av_tags if k == 8 and len(b) > 2 and b[1] == 0)
    yield "avc_config_fuzz", records
    yield "h264_sps_fuzz", [first_sps(r) for r in records]
    yield "aac_config_fuzz", [
        aac_header[2:],
        asc(2, 4, 2),  # LC 44.1 kHz stereo
        asc(2, 3, 1),  # LC 48 kHz mono
        asc(5, 6, 1, lambda w: w.put(3, 4).put(2, 5).put(0, 3)),  # explicit SBR: 24 -> 48 kHz
        asc(2, 6, 2, lambda w: w.put(0, 3).put(0x2B7, 11).put(5, 5).put(1, 1).put(3, 4)),
        asc(2, 3, 6),  # 5.1
    ]
    yield "flv_demuxer_fuzz", [flv_messages("av_320x240.flv", MAX_SEED),
                               flv_messages("h264_main_176x144.flv", MAX_SEED)]
    yield "chunk_reader_fuzz", [bytes([i, 7 * i]) + s
                                for i, s in enumerate(chunk_stream_examples(), 1)]
    # 0x3f: after a plain handshake, in 64-byte pieces; 0x05: 6-byte pieces.
    yield "server_connection_fuzz", [bytes([0x3F]) + publish_session(),
                                     bytes([0x05]) + publish_session()]
    yield "amf0_fuzz", [connect_command(),
                        amf0_string("onMetaData") + b"\x08\x00\x00\x00\x02"
                        + b"\x00\x05width" + amf0_number(320.0)
                        + b"\x00\x06height" + amf0_number(240.0) + b"\x00\x00\x09",
                        b"\x0a\x00\x00\x00\x02" + b"\x01\x01" + b"\x0b" + bytes(10)]
    yield "http_request_fuzz", list(http_requests())
    yield "config_yaml_fuzz", [
        (ROOT / "airclass.yml").read_bytes(),
        b"logLevel: debug\nairclass:\n  mode: main\n  apiAddress: 127.0.0.1:8000\n",
        b"webrtcICEServers2:\n  - url: stun:stun.example.org:3478\n"
        b"  - url: turn:turn.example.org:3478\n    username: u\n    password: p\n",
    ]
    yield "token_verifier_fuzz", [p.read_bytes().strip() for p in sorted((DATA / "auth").glob("*.jwt"))]
    yield "stun_message_fuzz", stun
    yield "rtcp_fuzz", [p.read_bytes() for p in sorted((DATA / "rtcp").glob("*.bin"))]
    yield "offer_parser_fuzz", [p.read_bytes() for p in sorted((DATA / "sdp").glob("*.sdp"))]
    lines = []
    for p in sorted((DATA / "sdp").glob("*.sdp")):
        lines += [l for l in p.read_bytes().splitlines() if l.startswith(b"a=candidate:")]
    yield "ice_candidate_fuzz", sorted(set(lines))[:6] + [l[2:] for l in sorted(set(lines))[:3]]
    yield "rtp_packet_fuzz", list(rtp_packets())
    yield "vp8_payload_descriptor_fuzz", [bytes([0x10, 0x9D, 0x01, 0x2A]),
                                          bytes([0x90, 0xE0, 0x80, 0x01, 0x02, 0x30, 0x00]),
                                          bytes([0x80, 0x80, 0x7F, 0x00])]
    yield "tcp_frame_reader_fuzz", [tcp_frames(stun, 0xFF), tcp_frames(stun[:2], 0x06),
                                    tcp_frames([bytes(20)], 0x00)]


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    total = 0
    for name, inputs in seeds():
        d = OUT / name
        d.mkdir(parents=True)
        for data in inputs:
            assert 0 < len(data) <= MAX_SEED, (name, len(data))
            (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
            total += len(data)
        print(f"{name}: {len(inputs)} seeds")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
