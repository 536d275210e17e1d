"""An RTMP publisher that sends like a phone: every encoded frame goes out as soon as the encoder
returns it, audio and video each on their own, never held back to interleave by timestamp.

ffmpeg's FLV muxer interleaves by dts, so with audio each video packet waits for an audio packet
with a later dts (about 30 ms at 32 kHz AAC). Phones (RootEncoder on Android) do not: each
MediaCodec output buffer is written to the socket at once. Here one ffmpeg process writes two
single-stream FLV outputs (video to one pipe, audio to another; one input, so one clock), and a
thread per pipe turns each complete FLV tag into one RTMP message (FLV spec E.4.1: the tag body is
the RTMP audio/video message payload)."""
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import rtmp_craft as rc  # noqa: E402

CHUNK_SIZE = 4096  # RootEncoder's Set Chunk Size: a 2 Mbit/s keyframe is a few dozen chunks
# Chunk stream ids as RootEncoder uses them; separate ids so an audio message never reuses
# the video header state.
CSID_CONTROL, CSID_COMMAND, CSID_AUDIO, CSID_VIDEO = 2, 3, 4, 6
MEDIA_STREAM_ID = 1  # the server's first createStream answer (tests/e2e/rtmp_craft assumes it)


def read_flv_tags(f):
    """Yields (tag type, timestamp ms, body) for each complete tag of an FLV byte stream (FLV spec
    E.2 / E.4.1: 9-byte header + PreviousTagSize0, then 11-byte tag header + body + 4-byte size);
    the timestamp is 24 bits plus the extended byte. Stops at EOF or a truncated tag."""
    if _read_exact(f, 13) is None:
        return
    while True:
        head = _read_exact(f, 11)
        if head is None:
            return
        size = int.from_bytes(head[1:4], "big")
        data = _read_exact(f, size + 4)
        if data is None:
            return
        yield head[0], int.from_bytes(head[4:7], "big") | head[7] << 24, data[:size]


def _read_exact(f, n):
    buf = f.read(n)
    return buf if buf is not None and len(buf) == n else None


class PhonePublisher:
    """Publishes to `url` (rtmp://host:port/app/name?query) from FLV pipes: `pipes` maps "video"
    and optionally "audio" to a readable binary file of a single-stream FLV. start() connects and
    publishes, then one thread per pipe sends each tag as it completes; wait() joins them."""

    def __init__(self, url, pipes, chunk_size=CHUNK_SIZE, timeout=5.0):
        self.url = urllib.parse.urlsplit(url)
        self.pipes = pipes
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.lock = threading.Lock()  # one message's chunks never mix with another's
        self.first_ts = {}  # kind -> first media tag timestamp (ms)
        self.sent = {kind: 0 for kind in pipes}
        self.error = None
        self.client = None
        self.threads = []
        self.received = bytearray()
        self.published = threading.Event()
        self.closed = False

    def start(self):
        """Handshake, connect, createStream, publish; returns once the server answered
        NetStream.Publish.Start (raises otherwise), then starts the pipe threads."""
        app, _, name = self.url.path.lstrip("/").partition("/")
        if self.url.query:
            name += "?" + self.url.query
        self.client = rc.RawClient(self.url.port or 1935, timeout=self.timeout)
        self.client.handshake()
        # Set Chunk Size goes out first, in 128-byte chunks; everything after uses the new size.
        self._send(rc.chunk(CSID_CONTROL, 1, struct.pack(">I", self.chunk_size)))
        tc_url = f"rtmp://{self.url.hostname}:{self.url.port or 1935}/{app}"
        self._command("connect", 1, rc.amf_object({"app": rc.amf_string(app),
                                                   "type": rc.amf_string("nonprivate"),
                                                   "tcUrl": rc.amf_string(tc_url)}))
        self._command("createStream", 2, rc.amf_null())
        self._command("publish", 3, rc.amf_null(), rc.amf_string(name), rc.amf_string("live"),
                      stream_id=MEDIA_STREAM_ID)
        # The server's answers are never parsed beyond this; draining them keeps its send
        # buffer from filling (acknowledgements, pings) for the whole run.
        drain = threading.Thread(target=self._drain, daemon=True)
        drain.start()
        if not self.published.wait(self.timeout):
            self.close()
            raise RuntimeError(f"publish not accepted: {bytes(self.received[-400:])!r}")
        for kind, f in self.pipes.items():
            t = threading.Thread(target=self._pump, args=(kind, f), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def _command(self, name, txn, *args, stream_id=0):
        body = rc.amf_string(name) + rc.amf_number(txn) + b"".join(args)
        self._send(rc.chunk(CSID_COMMAND, 20, body, stream_id=stream_id,
                            chunk_size=self.chunk_size))

    def _send(self, data):
        with self.lock:
            self.client.sock.sendall(data)

    def _drain(self):
        while not self.closed:
            try:
                data = self.client.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            if not self.published.is_set():
                self.received += data
                if b"NetStream.Publish.Start" in self.received:
                    self.published.set()

    def _pump(self, kind, f):
        """Sends each audio (8) / video (9) tag the moment it is complete. The onMetaData script
        tag (18) is dropped: the server takes the codec setup from the sequence headers."""
        csid = CSID_VIDEO if kind == "video" else CSID_AUDIO
        try:
            for tag_type, ts, body in read_flv_tags(f):
                if tag_type not in (8, 9):
                    continue
                if len(body) > 1 and body[1] == 1:  # AVC NALU / AAC raw, not a sequence header
                    self.first_ts.setdefault(kind, ts)
                self._send(rc.chunk(csid, tag_type, body, timestamp=ts,
                                    stream_id=MEDIA_STREAM_ID, chunk_size=self.chunk_size))
                self.sent[kind] += 1
        except OSError as e:
            if not self.closed:
                self.error = f"{kind}: {e}"

    def wait(self, timeout=None):
        """Joins the pipe threads (they end when the encoder closes its outputs)."""
        deadline = None if timeout is None else time.time() + timeout
        for t in self.threads:
            t.join(None if deadline is None else max(0, deadline - time.time()))

    def close(self):
        self.closed = True
        if self.client is not None:
            try:
                self.client.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.client.close()
