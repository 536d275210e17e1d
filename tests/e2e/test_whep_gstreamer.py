"""GStreamer's webrtcbin (the base of GStreamer's `whepsrc`) plays our WHEP stream: an
independent WebRTC stack (libnice, GStreamer DTLS/SRTP, rtpbin) beside the browsers and our own
client. Before issue 15 it refused our answer outright ("media 0 is missing or contains an empty
'setup' attribute": the transport attributes were only at session level).

libnice gathers no candidate on loopback, so this runs in netbed (tests/e2e/netbed.py): the
server in one namespace (198.51.100.1), the player (whep_gst_player.py) in the other.
- video + audio: the answer carries ICE credentials, fingerprint and a=setup in every m-section
  and none at session level; ICE connects; >= 100 frames decoded by avdec_h264 at the
  published 1280x720 in 10 s; Opus decoded; DELETE answered 200 and the server logs the leave.
- audio NACK + RTX (the player offers nack and rtx/48000 for Opus): the answer takes both and
  announces an audio RTX SSRC; with 10 % of the audio SSRC's packets dropped on the veth
  (nftables), the player NACKs audio and retransmissions arrive on that RTX SSRC.
- a stream without audio: the answer rejects the offered audio section (port 0) yet keeps
  a=setup in it, which webrtcbin checks in every section; the video plays."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import harness as h
import netbed

PLAYER = os.path.join(h.E2E_DIR, "whep_gst_player.py")
# python3-gi and the gir1.2-gst* packages belong to Debian's interpreter.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
LOSS_TABLE = "gst_audio_loss"


def play(bed, url, seconds, workdir, label, *flags):
    """Runs the player in the viewer namespace; returns (report, offer text, answer text)."""
    offer = os.path.join(workdir, f"{label}-offer.sdp")
    answer = os.path.join(workdir, f"{label}-answer.sdp")
    out = bed.viewer_run([PYTHON, PLAYER, url, str(seconds), "--save-offer", offer,
                          "--save-answer", answer] + list(flags),
                         capture_output=True, text=True, timeout=seconds + 60)
    lines = out.stdout.strip().splitlines()
    if not lines:
        raise AssertionError(f"{label}: player printed nothing ({out.returncode}): "
                             f"{out.stderr[-2000:]}")
    rep = json.loads(lines[-1])
    rep["exit_code"] = out.returncode

    def read(path):
        if not os.path.exists(path):
            return ""
        with open(path, newline="") as f:  # keep CRLF
            return f.read()

    return rep, read(offer), read(answer)


def sections(sdp):
    """(session block, [m-section texts])."""
    parts = re.split(r"\r\n(?=m=)", sdp)
    return parts[0], parts[1:]


def ssrc_of(section):
    """(media SSRC, RTX SSRC or None) announced in an answer's m-section."""
    fid = re.search(r"a=ssrc-group:FID (\d+) (\d+)", section)
    if fid:
        return int(fid.group(1)), int(fid.group(2))
    m = re.search(r"a=ssrc:(\d+) ", section)
    return (int(m.group(1)) if m else None), None


def inbound(rep, ssrc):
    for s in rep.get("inbound", []):
        if s.get("ssrc") == ssrc:
            return s
    return {}


def check_answer_transport(c, label, answer):
    session, media = sections(answer)
    c.check(f"{label}: no transport attribute at session level",
            not re.search(r"a=(ice-ufrag|ice-pwd|fingerprint|setup):", session), session)
    c.check(f"{label}: every m-section has ice-ufrag, ice-pwd, fingerprint, setup:passive",
            len(media) >= 1 and all(
                all(f"\r\na={a}" in m for a in ("ice-ufrag:", "ice-pwd:", "fingerprint:sha-256 ",
                                                 "setup:passive\r\n")) for m in media), answer)


def check_played(c, label, rep, min_frames):
    v = rep.get("video", {})
    c.check(f"{label}: POST answered 201", rep.get("post_status") == 201, str(rep))
    c.check(f"{label}: webrtcbin accepted the answer", rep.get("answer_error") is None,
            str(rep.get("answer_error")))
    c.check(f"{label}: ICE connected", rep.get("connected_ms") is not None, str(rep))
    c.check(f"{label}: >= {min_frames} frames decoded", v.get("frames", 0) >= min_frames, str(v))
    c.check(f"{label}: decoded at the published 1280x720",
            (v.get("width"), v.get("height")) == (1280, 720), str(v))
    c.check(f"{label}: DELETE answered 200", rep.get("delete_status") == 200, str(rep))
    c.check(f"{label}: no pipeline error", not rep.get("errors"), str(rep.get("errors")))
    print(f"figure: {label}: ICE connected {rep.get('connected_ms')} ms and first frame "
          f"{rep.get('first_frame_ms')} ms after the player started, {v.get('frames')} frames, "
          f"{rep.get('audio', {}).get('buffers')} audio buffers")


def nft(script):
    out = subprocess.run(["nft", "-f", "-"], input=script, capture_output=True, text=True,
                         timeout=20)
    if out.returncode != 0:
        raise RuntimeError(f"nft failed: {out.stderr}")


def drop_audio(udp_port, ssrc, percent):
    """Drops `percent` % of the server's RTP packets with this SSRC leaving on the veth. The
    RTP header is not encrypted by SRTP: the SSRC is at bytes 8-11 after the UDP header."""
    match = f'oifname "{netbed.SERVER_DEV}" udp sport {udp_port} @th,128,32 {ssrc}'
    nft(f"table inet {LOSS_TABLE} {{\n"
        "  counter seen { }\n  counter dropped { }\n"
        "  chain output {\n    type filter hook output priority 0; policy accept;\n"
        f"    {match} counter name seen\n"
        f"    {match} numgen random mod 100 < {percent} counter name dropped drop\n"
        "  }\n}\n")


def loss_counters():
    out = subprocess.run(["nft", "-j", "list", "counters", "table", "inet", LOSS_TABLE],
                         capture_output=True, text=True, timeout=20)
    result = {}
    for item in json.loads(out.stdout or '{"nftables": []}')["nftables"]:
        if "counter" in item:
            result[item["counter"]["name"]] = item["counter"]["packets"]
    return result


def video_and_audio(c, bed, srv, workdir):
    """Session A: the plain player; returns the stream's audio SSRC (one per stream)."""
    rep, _, answer = play(bed, srv.whep_url(), 10, workdir, "av")
    check_answer_transport(c, "video+audio", answer)
    check_played(c, "video+audio", rep, 100)
    _, media = sections(answer)
    audio = [m for m in media if m.startswith("m=audio 9 ")]
    c.check("video+audio: audio accepted in the answer", len(audio) == 1, answer)
    c.check("video+audio: Opus decoded (>= 300 buffers of 20 ms in 10 s)",
            rep.get("audio", {}).get("buffers", 0) >= 300, str(rep.get("audio")))
    c.check("video+audio: the server saw the WHEP DELETE",
            srv.wait_log("closed: viewer left (WHEP DELETE)", 5), srv.log_text()[-1500:])
    return ssrc_of(audio[0])[0] if audio else None


def audio_rtx(c, bed, srv, workdir, audio_ssrc):
    """Session B: audio NACK + RTX under 10 % loss of the audio SSRC."""
    drop_audio(srv.udp_port, audio_ssrc, 10)
    rep, offer, answer = play(bed, srv.whep_url(), 8, workdir, "rtx", "--audio-nack")
    loss = loss_counters()
    check_answer_transport(c, "audio RTX", answer)
    check_played(c, "audio RTX", rep, 80)
    _, media = sections(answer)
    audio = next((m for m in media if m.startswith("m=audio 9 ")), "")
    rtx_pt = re.search(r"a=rtpmap:(\d+) rtx/48000", offer)
    c.check("audio RTX: the offer asks for audio NACK and rtx/48000",
            rtx_pt is not None and "a=rtcp-fb:111 nack" in offer, offer)
    c.check("audio RTX: the answer takes NACK and RTX for Opus",
            rtx_pt is not None and f"a=fmtp:{rtx_pt.group(1)} apt=111" in audio and
            "a=rtcp-fb:111 nack\r\n" in audio, audio)
    media_ssrc, rtx_ssrc = ssrc_of(audio)
    c.check("audio RTX: FID group announces an audio RTX SSRC",
            media_ssrc == audio_ssrc and rtx_ssrc is not None, audio)
    c.check("audio RTX: the server logs Opus with RTX",
            "Opus with RTX" in srv.log_text(), srv.log_text()[-1500:])
    dropped = loss.get("dropped", 0)
    c.check("audio RTX: audio packets were dropped on the veth", dropped >= 20, str(loss))
    nacks = inbound(rep, audio_ssrc).get("nack-count", 0)
    repaired = inbound(rep, rtx_ssrc).get("packets-received", 0) if rtx_ssrc else 0
    c.check("audio RTX: the player NACKed audio", nacks > 0, str(rep.get("inbound")))
    c.check("audio RTX: retransmissions arrived on the audio RTX SSRC for >= half the drops",
            repaired >= dropped / 2, f"{repaired} RTX packets for {dropped} dropped; "
            f"{rep.get('inbound')}")
    c.check("audio RTX: Opus decoded (>= 240 buffers in 8 s)",
            rep.get("audio", {}).get("buffers", 0) >= 240, str(rep.get("audio")))
    print(f"figure: audio RTX: {dropped} of {loss.get('seen')} audio packets dropped, "
          f"{nacks} audio NACKs, {repaired} audio retransmissions received, "
          f"rtprtxreceive {rep.get('rtx')}")
    nft(f"delete table inet {LOSS_TABLE}\n")


def video_only(c, bed, srv, workdir):
    """Session C: the stream has no audio; the offered audio section is rejected."""
    pub = h.ffmpeg_publish(srv.url("live/silent"), 40, audio=False, video_args=h.VIDEO_2M)
    c.check("video-only publisher live", srv.wait_log("publishing live/silent", 15))
    time.sleep(1.5)
    rep, _, answer = play(bed, srv.whep_url("live/silent"), 6, workdir, "video-only")
    h.finish_early(pub, what="video-only publisher")
    _, media = sections(answer)
    rejected = [m for m in media if m.startswith("m=audio 0 ")]
    c.check("video-only: audio rejected with port 0, keeping its a=setup",
            len(rejected) == 1 and "\r\na=setup:passive\r\n" in rejected[0], answer)
    check_answer_transport(c, "video-only", answer)
    check_played(c, "video-only", rep, 60)
    c.check("video-only: no audio decoded", rep.get("audio", {}).get("buffers", 1) == 0,
            str(rep.get("audio")))


def main():
    netbed.in_netbed()
    args = h.parse_args()
    c = h.Checks()
    workdir = args.out or tempfile.mkdtemp(prefix="airclass-gst-")
    workdir = os.path.join(workdir, "whep_gstreamer") if args.out else workdir
    os.makedirs(workdir, exist_ok=True)
    with netbed.NetBed() as bed, bed.server(args.server, relay=False) as srv:
        pub = h.ffmpeg_publish(srv.url(), 60, video_args=h.VIDEO_2M)
        c.check("publisher live", srv.wait_log("video H264", 15))
        time.sleep(1.0)
        audio_ssrc = video_and_audio(c, bed, srv, workdir)
        if c.check("audio SSRC known from the first answer", audio_ssrc is not None):
            audio_rtx(c, bed, srv, workdir, audio_ssrc)
        h.finish_early(pub, what="ffmpeg publisher")
        video_only(c, bed, srv, workdir)
        c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
