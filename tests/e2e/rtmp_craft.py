"""A tiny hand-rolled RTMP client for hostile-input tests: it speaks just enough (plain
handshake, type-0 chunks, AMF0 commands) to put chosen bytes in front of the server's parsers."""
import os
import socket
import struct


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
