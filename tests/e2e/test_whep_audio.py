"""Students hear the teacher: AAC from the publisher is transcoded once per stream to Opus.
- ffmpeg publishes a 1 kHz sine as AAC 32 kHz stereo (as phones send): headless Chromium's
  inbound audio shows samples growing and an audio level clearly above silence; our C++ client
  decodes the Opus with libopus and finds the 1 kHz tone.
- The same with 48 kHz mono, checked with our client.
- A publisher that already sends Opus (Enhanced RTMP, FourCC 'Opus', sent by a hand-rolled
  RTMP publisher) is passed through without transcoding; the client hears the 1 kHz tone.
- Malformed AAC frames in the middle of a publish (sent by a hand-rolled RTMP publisher) are
  skipped: the stream goes on and the audio keeps flowing.
- By default (`avSync: no`) the answer puts the audio in a stream of its own (the picture does
  not wait for the audio); with `avSync: yes` both tracks share one stream (lip sync); Chromium
  plays both tracks either way."""
import os
import re
import subprocess
import time

import harness as h
import rtmp_craft as r


def publish_tone(srv, seconds, rate, channels):
    return h.ffmpeg_publish(srv.url(), seconds, audio_rate=rate, channels=channels,
                            video_args=h.VIDEO_2M)


def check_tone(c, label, rep):
    a = rep.get("audio", {})
    c.check(f"{label}: Opus packets received", a.get("packets", 0) > 100, str(a))
    c.check(f"{label}: decoded tone is 1 kHz", abs((a.get("tone_hz") or 0) - 1000) <= 20, str(a))
    c.check(f"{label}: tone level well above silence", (a.get("level_dbfs") or -200) > -40, str(a))


def adts_frames(path):
    """Raw AAC access units from an ADTS file."""
    data = open(path, "rb").read()
    frames, i = [], 0
    while i + 7 <= len(data):
        length = ((data[i + 3] & 3) << 11) | (data[i + 4] << 3) | (data[i + 5] >> 5)
        header = 7 if data[i + 1] & 1 else 9
        frames.append(data[i + header:i + length])
        i += length
    return frames


def malformed_aac(c, srv, client, workdir):
    adts = os.path.join(workdir, "tone.aac")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    "sine=frequency=1000:sample_rate=48000", "-t", "8", "-ac", "2", "-c:a", "aac",
                    "-b:a", "64k", "-f", "adts", "-y", adts], check=True, timeout=60)
    frames = adts_frames(adts)
    pub = r.RawClient(srv.rtmp_port)
    pub.start_publish(name="hostile-audio")
    asc = bytes([0x11, 0x90])  # AAC-LC, 48 kHz, stereo
    pub.send(r.chunk(4, 8, b"\xaf\x00" + asc, stream_id=1))
    viewer = None
    t0 = time.time()
    for n, frame in enumerate(frames):
        ts = int(n * 1024 / 48)
        body = frame
        if n % 10 == 5:
            body = os.urandom(len(frame))          # garbage
        elif n % 10 == 7:
            body = frame[: len(frame) // 3]        # truncated
        elif n % 10 == 9:
            body = b""                             # empty
        pub.send(r.chunk(4, 8, b"\xaf\x01" + body, timestamp=ts, stream_id=1))
        if n == 20:
            viewer = h.whep_client(client, srv.whep_url("live/hostile-audio"), 5,
                                   [])
        time.sleep(max(0, t0 + (n + 1) * 1024 / 48000 - time.time()))
    rep = viewer.result()
    pub.close()
    a = rep.get("audio", {})
    # "... 314 AAC frames in, 260 Opus packets out, 70 decode errors, 0 resets"
    summary = re.search(r"live/hostile-audio: audio transcoder .*?(\d+) decode errors",
                        srv.log_text()) if srv.wait_log("live/hostile-audio: audio transcoder", 5) \
        else None
    c.check("malformed AAC: decode errors counted in the transcoder summary",
            summary is not None and int(summary.group(1)) > 0, srv.log_text()[-1500:])
    c.check("malformed AAC: publisher was not disconnected",
            "bad media from publisher" not in srv.log_text())
    c.check("malformed AAC: audio kept flowing to the viewer", a.get("packets", 0) > 150, str(a))


def ogg_packets(path):
    """Packets of an Ogg stream (RFC 3533): segments joined until one shorter than 255."""
    data, i, packets, current = open(path, "rb").read(), 0, [], b""
    while i + 27 <= len(data) and data[i:i + 4] == b"OggS":
        nsegs = data[i + 26]
        sizes = data[i + 27:i + 27 + nsegs]
        pos = i + 27 + nsegs
        for size in sizes:
            current += data[pos:pos + size]
            pos += size
            if size < 255:
                packets.append(current)
                current = b""
        i = pos
    return packets


def opus_passthrough(c, srv, client, workdir):
    ogg = os.path.join(workdir, "tone.opus")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    "sine=frequency=1000:sample_rate=48000", "-t", "7", "-ac", "2",
                    "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-f", "ogg",
                    "-y", ogg], check=True, timeout=60)
    packets = ogg_packets(ogg)
    head, frames = packets[0], packets[2:]  # OpusHead, OpusTags, audio
    pub = r.RawClient(srv.rtmp_port)
    pub.start_publish(name="opus")
    pub.send(r.chunk(4, 8, bytes([0x90]) + b"Opus" + head, stream_id=1))  # SequenceStart
    viewer, t0 = None, time.time()
    for n, frame in enumerate(frames):
        pub.send(r.chunk(4, 8, bytes([0x91]) + b"Opus" + frame, timestamp=n * 20, stream_id=1))
        if n == 25:
            viewer = h.whep_client(client, srv.whep_url("live/opus"), 5)
        time.sleep(max(0, t0 + (n + 1) * 0.02 - time.time()))
    check_tone(c, "Opus passthrough", viewer.result())
    pub.close()
    c.check("Opus passthrough: nothing transcoded",
            "live/opus: audio transcoder" not in srv.log_text())


def lip_synced(c, args):
    with h.Server(args.server, webrtc=True, env={"AIRCLASS_AV_SYNC": "yes"}) as srv:
        pub = publish_tone(srv, 30, 32000, 2)
        srv.wait_log("path live/stream: audio AAC")
        time.sleep(1.0)
        rep = h.whep_browser(srv.whep_url(), 4)
        answer = rep.get("answer", "")
        c.check("avSync yes: audio and video in one msid stream",
                "a=msid:airclass video" in answer and "a=msid:airclass audio" in answer, answer)
        c.check("avSync yes: Chromium decodes video",
                h.last_sample(rep, "framesDecoded").get("framesDecoded", 0) > 60, str(rep)[-800:])
        c.check("avSync yes: Chromium receives audio",
                h.last_sample(rep, "audioSamples").get("audioSamples", 0) > 48000 * 2,
                str(rep)[-800:])
        h.finish_early(pub)
        c.check("avSync yes: clean shutdown", srv.stop() == 0, srv.log_text()[-2000:])


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        # Generous -t: the publisher is stopped (finish_early) once its viewers are done.
        pub = publish_tone(srv, 30, 32000, 2)
        srv.wait_log("path live/stream: audio AAC")
        time.sleep(1.0)
        # Chromium and our client are two independent viewers: they listen at the same time.
        client = h.whep_client(args.client, srv.whep_url(), 5)
        rep = h.whep_browser(srv.whep_url(), 5)
        last = h.last_sample(rep, "audioSamples")
        c.check("Chromium: audio samples received", last.get("audioSamples", 0) > 48000 * 2,
                str(last))
        levels = [s.get("audioLevel") or 0 for s in rep.get("timeline", [])]
        c.check("Chromium: audio level clearly above silence", max(levels, default=0) > 0.05,
                str(levels[-5:]))
        c.check("Chromium: answer carries Opus", "opus/48000/2" in rep.get("answer", ""))
        c.check("default avSync no: audio in a stream of its own",
                "a=msid:airclass-audio audio" in rep.get("answer", ""), rep.get("answer", ""))
        check_tone(c, "32 kHz stereo", client.result())
        h.finish_early(pub)

        def mono_48k():
            # A new publisher on the same path with another AAC configuration.
            pub = publish_tone(srv, 20, 48000, 1)
            srv.wait_log("path live/stream: audio AAC", count=2)
            time.sleep(1.0)
            check_tone(c, "48 kHz mono", h.whep_client(args.client, srv.whep_url(), 5).result())
            h.finish_early(pub)

        # Three streams on three paths at once: independent publishers and viewers.
        h.in_parallel(mono_48k,
                      lambda: opus_passthrough(c, srv, args.client, srv.workdir),
                      lambda: malformed_aac(c, srv, args.client, srv.workdir))
        c.server_ends_cleanly(srv)
    lip_synced(c, args)
    c.finish()


if __name__ == "__main__":
    main()
