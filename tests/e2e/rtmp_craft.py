"""A tiny hand-rolled RTMP client for hostile-input tests: it speaks just enough (plain
handshake, type-0 chunks, AMF0 commands) to put chosen bytes in front of the server's parsers."""
import os
import socket
import struct
import threading


def amf_number(v):
    return b"\x00" + struct.pack(">d", v)


def amf_string(s):
    b = s.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b


def amf_null():
    return b"\x05"


def amf_object(items):
    out = b"\x03"
    for k, v in items.items():
        kb = k.encode()
        out += struct.pack(">H", len(kb)) + kb + v
    return out + b"\x00\x00\x09"


def chunk(csid, msg_type, payload, timestamp=0, stream_id=0, chunk_size=128, length=None):
    """Type-0 first chunk then type-3 continuations; `length` may lie about the payload size.
    A timestamp of 0xFFFFFF or more goes in the extended field, which every continuation
    repeats (RTMP 5.3.1.3)."""
    n = len(payload) if length is None else length
    ext = struct.pack(">I", timestamp & 0xFFFFFFFF) if timestamp >= 0xFFFFFF else b""
    head = bytes([csid & 0x3F]) + min(timestamp, 0xFFFFFF).to_bytes(3, "big")
    head += struct.pack(">I", n)[1:] + bytes([msg_type]) + struct.pack("<I", stream_id) + ext
    out = bytearray(head)
    for i in range(0, max(len(payload), 1), chunk_size):
        if i > 0:
            out += bytes([0xC0 | (csid & 0x3F)]) + ext
        out += payload[i:i + chunk_size]
    return bytes(out)


class RawClient:
    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def handshake(self):
        c1 = bytes(8) + os.urandom(1528)
        self.sock.sendall(b"\x03" + c1)
        got = b""
        while len(got) < 1 + 1536 * 2:
            part = self.sock.recv(65536)
            if not part:
                raise ConnectionError("server closed during handshake")
            got += part
        s1 = got[1:1537]
        self.sock.sendall(s1)  # C2 echoes S1

    def command(self, name, txn, *args, stream_id=0):
        body = amf_string(name) + amf_number(txn) + b"".join(args)
        return self.send(chunk(3, 20, body, stream_id=stream_id))

    def start_publish(self, app="live", name="stream", password="e2e-publish-pass"):
        if password:
            name += "?pwd=" + password
        self.handshake()
        self.command("connect", 1, amf_object({"app": amf_string(app),
                                               "tcUrl": amf_string("rtmp://127.0.0.1/" + app)}))
        self.command("createStream", 2, amf_null())
        self.command("publish", 3, amf_null(), amf_string(name), amf_string("live"),
                     stream_id=1)

    def closed_by_server(self, timeout=5.0):
        """True once the server has closed the connection (EOF or reset) within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


# --- Real media, sent by hand: FLV tags read from a file, damaged on purpose ---------------

def set_chunk_size(size):
    """Set Chunk Size (RTMP 5.4.1): later chunks of ours carry up to `size` bytes each."""
    return chunk(2, 1, struct.pack(">I", size))


def flv_tags(data):
    """(tag type, timestamp ms, payload) of each tag in an FLV file's bytes (FLV spec E.2-E.4:
    a 9-byte header, then tags of 11 header bytes, each followed by its 4-byte size)."""
    pos = struct.unpack(">I", data[5:9])[0] + 4
    tags = []
    while pos + 11 <= len(data):
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        ts = int.from_bytes(data[pos + 4:pos + 7], "big") | (data[pos + 7] << 24)
        tags.append((data[pos], ts, data[pos + 11:pos + 11 + size]))
        pos += 11 + size + 4
    return tags


def avc_nal_units(payload):
    """An AVC video tag's 5-byte header and its NAL units (4-byte lengths, as ffmpeg writes
    them; FLV spec E.4.3.1)."""
    head, nals, pos = payload[:5], [], 5
    while pos + 4 <= len(payload):
        n = struct.unpack(">I", payload[pos:pos + 4])[0]
        nals.append(payload[pos + 4:pos + 4 + n])
        pos += 4 + n
    return head, nals


def avc_payload(head, nals):
    return head + b"".join(struct.pack(">I", len(n)) + n for n in nals)


def is_avc_sequence_header(payload):
    return len(payload) >= 2 and payload[0] & 0x0F == 7 and payload[1] == 0


def _slice_index(nals):
    """The first coded slice (NAL type 1 or 5); the damage goes there."""
    return next(i for i, n in enumerate(nals) if n and n[0] & 0x1F in (1, 5))


def damage_split_length(payload, forbidden_bit=True):
    """A NAL length that cuts the slice short: the rest of its bytes follow as a NAL unit of
    their own, whose first byte has forbidden_zero_bit set (or, without forbidden_bit, reads as
    a non-IDR slice header). Every length stays inside the message, so ingest passes it on."""
    head, nals = avc_nal_units(payload)
    i = _slice_index(nals)
    s = nals[i]
    cut = max(2, len(s) // 3)
    rest = bytes([0x80 | s[cut] if forbidden_bit else 0x41]) + s[cut + 1:]
    return avc_payload(head, nals[:i] + [s[:cut], rest] + nals[i + 1:])


def damage_truncate(payload, keep=0.4):
    """A truncated access unit: the slice keeps its first `keep` share, its length says so, and
    the NAL units after it are gone."""
    head, nals = avc_nal_units(payload)
    i = _slice_index(nals)
    return avc_payload(head, nals[:i] + [nals[i][:max(2, int(len(nals[i]) * keep))]])


def damage_random_bytes(payload, rnd, runs=3, run_length=24):
    """Random bytes written over a few runs inside the slice data (its header byte and the
    first slice-header bytes stay, so the decoder starts the slice and fails inside it)."""
    head, nals = avc_nal_units(payload)
    i = _slice_index(nals)
    s = bytearray(nals[i])
    for _ in range(runs):
        if len(s) <= 4 + run_length:
            break
        at = rnd.randrange(4, len(s) - run_length)
        s[at:at + run_length] = bytes(rnd.getrandbits(8) for _ in range(run_length))
    return avc_payload(head, nals[:i] + [bytes(s)] + nals[i + 1:])


def drain(client):
    """Reads and discards what the server sends (acknowledgements, onStatus) on a daemon
    thread, so a long publish never blocks the server's writes to us."""
    def run():
        while True:
            try:
                if not client.sock.recv(65536):
                    return
            except socket.timeout:
                continue  # the socket's timeout bounds sends; a quiet server is no end
            except OSError:
                return
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t
