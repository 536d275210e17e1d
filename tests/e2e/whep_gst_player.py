"""A WHEP player built on GStreamer's webrtcbin (the base of GStreamer's own `whepsrc`): an
independent WebRTC stack (libnice ICE, GStreamer DTLS/SRTP, rtpbin jitter buffer) to check that
our answer and media work beyond browsers.

    python3 whep_gst_player.py <whep url with ?jwt=> <seconds> [--no-audio] [--audio-nack]
        [--save-offer PATH] [--save-answer PATH]

It offers recvonly H.264 video (+ Opus audio) with NACK and RTX on video (and on audio with
--audio-nack), POSTs the offer, sets the answer, decodes with avdec_h264 and opusdec for
`seconds` after the answer, DELETEs the session and prints one JSON line:
    {"post_status", "answer_error", "connected_ms", "first_frame_ms", "video": {"frames",
     "width", "height"}, "audio": {"buffers", "samples"}, "inbound": [webrtcbin stats],
     "rtx": {"requests", "packets", "assoc_packets"}, "delete_status", "ice_state",
     "errors": [...]}
Exit code 0 when it ran to the end (the report says whether media flowed), 2 when the answer
was refused or could not be set.

Must run under Debian's /usr/bin/python3 (python3-gi and the gir1.2-gst* packages), and not on
loopback alone: libnice gathers no host candidate on `lo`, so it never sends a check (webrtcbin
1.22's ice-agent property, the way to add 127.0.0.1, crashes PyGObject). Run it in netbed's
viewer namespace (tests/e2e/netbed.py)."""
import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

VIDEO_CAPS = ("application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000,"
              "packetization-mode=(string)1,profile-level-id=(string)42e01f")
OPUS_CAPS = "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000"


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), dict(e.headers)


class Player:
    def __init__(self, args):
        self.args = args
        self.report = {"post_status": None, "answer_error": None, "connected_ms": None,
                       "first_frame_ms": None, "video": {"frames": 0, "width": 0, "height": 0},
                       "audio": {"buffers": 0, "samples": 0}, "inbound": [],
                       "rtx": {"requests": 0, "packets": 0, "assoc_packets": 0},
                       "delete_status": None, "ice_state": None, "errors": []}
        self.loop = GLib.MainLoop()
        self.location = None
        self.t0 = time.monotonic()
        self.answered_at = None
        self.exit_code = 0
        self.pipe = Gst.Pipeline.new("player")
        self.webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
        self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pipe.add(self.webrtc)
        self.webrtc.connect("pad-added", self.on_pad_added)
        self.webrtc.connect("notify::ice-connection-state", self.on_ice_state)
        self.add_transceiver(VIDEO_CAPS, nack=True)
        if not args.no_audio:
            self.add_transceiver(OPUS_CAPS, nack=args.audio_nack)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)

    def ms(self):
        return round((time.monotonic() - self.t0) * 1000)

    def add_transceiver(self, caps, nack):
        t = self.webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY,
                             Gst.Caps.from_string(caps))
        # do-nack makes webrtcbin offer a=rtcp-fb nack and an rtx payload type with apt.
        t.set_property("do-nack", nack)

    def run(self):
        self.pipe.set_state(Gst.State.PLAYING)
        promise = Gst.Promise.new_with_change_func(self.on_offer, None)
        self.webrtc.emit("create-offer", None, promise)
        GLib.timeout_add_seconds(self.args.seconds + 20, self.on_deadline)
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)
        print(json.dumps(self.report))
        return self.exit_code

    def on_offer(self, promise, _):
        reply = promise.get_reply()
        offer = reply.get_value("offer")
        self.webrtc.emit("set-local-description", offer, Gst.Promise.new())
        text = offer.sdp.as_text()
        if self.args.save_offer:
            with open(self.args.save_offer, "w") as f:
                f.write(text)
        # No need to wait for our candidates: the server is ICE-lite and learns our address
        # from our connectivity checks (peer-reflexive).
        status, body, headers = http("POST", self.args.url, text.encode(),
                                     {"Content-Type": "application/sdp"})
        self.report["post_status"] = status
        if status != 201:
            self.fail(f"POST answered {status}: {body[:300]}")
            return
        self.location = urllib.parse.urljoin(self.args.url, headers.get("Location", ""))
        if self.args.save_answer:
            with open(self.args.save_answer, "w") as f:
                f.write(body)
        ok, sdp = GstSdp.SDPMessage.new_from_text(body)
        if ok != GstSdp.SDPResult.OK:
            self.fail("answer is not SDP GStreamer can parse")
            return
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        done = Gst.Promise.new_with_change_func(self.on_answer_set, None)
        self.webrtc.emit("set-remote-description", answer, done)

    def on_answer_set(self, promise, _):
        reply = promise.get_reply()
        error = reply.get_value("error") if reply and reply.has_field("error") else None
        if error is not None:
            self.report["answer_error"] = error.message
            self.fail("set-remote-description: " + error.message)
            return
        self.answered_at = time.monotonic()
        GLib.timeout_add(int(self.args.seconds * 1000), self.finish)

    def on_ice_state(self, *_):
        state = self.webrtc.get_property("ice-connection-state")
        self.report["ice_state"] = state.value_nick
        if state in (GstWebRTC.WebRTCICEConnectionState.CONNECTED,
                     GstWebRTC.WebRTCICEConnectionState.COMPLETED):
            if self.report["connected_ms"] is None:
                self.report["connected_ms"] = self.ms()

    def on_pad_added(self, _, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_string("media")
        if media == "video":
            chain = "rtph264depay ! h264parse ! avdec_h264 name=dec ! fakesink sync=false"
        elif media == "audio":
            chain = "rtpopusdepay ! opusdec name=dec ! fakesink sync=false"
        else:
            return
        bin_ = Gst.parse_bin_from_description(chain, True)
        self.pipe.add(bin_)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad("sink"))
        dec = bin_.get_by_name("dec").get_static_pad("src")
        dec.add_probe(Gst.PadProbeType.BUFFER, self.on_video if media == "video"
                      else self.on_audio)

    def on_video(self, pad, info):
        v = self.report["video"]
        v["frames"] += 1
        if v["frames"] == 1:
            self.report["first_frame_ms"] = self.ms()
            s = pad.get_current_caps().get_structure(0)
            v["width"], v["height"] = s.get_int("width")[1], s.get_int("height")[1]
        return Gst.PadProbeReturn.OK

    def on_audio(self, pad, info):
        a = self.report["audio"]
        a["buffers"] += 1
        caps = pad.get_current_caps()
        if caps is not None:
            s = caps.get_structure(0)
            frame = s.get_int("channels")[1] * 2  # S16 interleaved from opusdec
            a["samples"] += info.get_buffer().get_size() // max(frame, 1)
        return Gst.PadProbeReturn.OK

    def collect_stats(self):
        promise = Gst.Promise.new()
        self.webrtc.emit("get-stats", None, promise)
        promise.wait()
        stats = promise.get_reply()
        if stats is None:
            return
        keep = ("kind", "ssrc", "packets-received", "packets-lost", "bytes-received", "jitter",
                "nack-count", "pli-count", "fir-count")

        def each(_, value):
            if isinstance(value, Gst.Structure) and value.has_field("type") and \
                    value.get_value("type") == GstWebRTC.WebRTCStatsType.INBOUND_RTP:
                self.report["inbound"].append(
                    {k: value.get_value(k) for k in keep if value.has_field(k)})
            return True

        stats.foreach(each)

    def collect_rtx(self):
        """rtpbin's RTX receivers (one per session; BUNDLE makes one session for both tracks):
        NACKed packets asked for, and retransmissions that arrived and were restored."""
        it = self.webrtc.iterate_recurse()
        while True:
            ok, element = it.next()
            if ok != Gst.IteratorResult.OK:
                break
            if element.get_factory() and element.get_factory().get_name() == "rtprtxreceive":
                r = self.report["rtx"]
                r["requests"] += element.get_property("num-rtx-requests")
                r["packets"] += element.get_property("num-rtx-packets")
                r["assoc_packets"] += element.get_property("num-rtx-assoc-packets")

    def delete(self):
        if self.location and self.report["delete_status"] is None:
            status, _, _ = http("DELETE", self.location)
            self.report["delete_status"] = status

    def finish(self):
        self.collect_stats()
        self.collect_rtx()
        self.delete()
        self.loop.quit()
        return False

    def fail(self, message):
        self.report["errors"].append(message)
        self.exit_code = 2
        self.delete()  # a refused answer still left a session on the server
        self.loop.quit()

    def on_error(self, _, message):
        err, debug = message.parse_error()
        self.report["errors"].append(f"{err.message} ({debug})"[:500])

    def on_deadline(self):
        self.report["errors"].append("deadline passed")
        self.finish()
        return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("seconds", type=float)
    p.add_argument("--no-audio", action="store_true")
    p.add_argument("--audio-nack", action="store_true")
    p.add_argument("--save-offer", default="")
    p.add_argument("--save-answer", default="")
    args = p.parse_args()
    Gst.init(None)
    sys.exit(Player(args).run())


if __name__ == "__main__":
    main()
