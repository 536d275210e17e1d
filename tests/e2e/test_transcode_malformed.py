"""Bad input through a running rendition (issue 17), end to end. A hand-made RTMP publisher
sends real H.264 (a 640x360 clip, 25 fps, GOP 1 s, encoded at test start) at real time with
damage between clean periods: NAL lengths that cut slices short, truncated access units (one of
them an IDR), random bytes inside slices, a mid-stream size change to 360x640 (a new sequence
header) and more random bytes after it. A second path gets the same clip undamaged. Viewers (our
WHEP client): the damaged path's source and 240p, the clean path's 240p.
- the 240p rendition keeps sending pictures after each burst (from the next keyframe), and its
  size follows the source's aspect: 426x240, then 136x240;
- the damaged path's source viewer and the clean path's 240p viewer lose nothing;
- /api/streams counts the damage on the damaged rendition only, /metrics counts encoder errors;
- the server stays up, exits cleanly and logs no crash or sanitizer report."""
import json
import os
import random
import re
import subprocess
import threading
import time

import harness as h
import rtmp_craft as r

FPS = 25
CHUNK_SIZE = 65536
LANDSCAPE = "640x360"
PORTRAIT = "360x640"
SIZE_CHANGE_S = 15.0  # the damaged path switches to PORTRAIT here (a keyframe time)
END_S = 21.0  # both publishers stop here
VIEW_FROM_S = 1.0  # viewers join (the source's size is known by then) ...
VIEW_SECONDS = 19  # ... and stay this long (a sanitizer build's client may POST 3 s late)
# (name, [(second of a damaged frame, damage)]). A damaged frame sends the rendition to the
# next keyframe (whole seconds), so each burst puts one damage in a GOP for the decoder to meet,
# or a run of them (the rendition skips the rest).
BURSTS = [("bad NAL lengths", [(6.2, "split"), (7.4, "split-slice")]),
          ("truncated access units (one an IDR)", [(9.2, "truncate"), (10.0, "truncate")]),
          ("random bytes in slices", [(12.2 + 0.04 * k, "random") for k in range(6)]),
          ("random bytes after the size change", [(18.2 + 0.04 * k, "random") for k in range(5)])]
DAMAGE = {round(t * 1000): kind for _, hits in BURSTS for t, kind in hits}
CRASH_SIGNS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
               "Segmentation fault", "terminate called", "Assertion", "stack smashing")


def make_clip(workdir, size, seconds):
    path = os.path.join(workdir, f"clip-{size}.flv")
    cmd = h.FFMPEG + ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}", "-t", str(seconds),
                      "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline",
                      "-pix_fmt", "yuv420p", "-g", str(FPS), "-keyint_min", str(FPS),
                      "-sc_threshold", "0", "-b:v", "600k", "-an", "-f", "flv", "-y", path]
    subprocess.run(cmd, check=True, timeout=60)
    with open(path, "rb") as f:
        return [(ts, body) for kind, ts, body in r.flv_tags(f.read()) if kind == 9]


def damaged(payload, kind, rnd):
    if kind.startswith("split"):  # after the cut: a forbidden_zero_bit NAL, or a bogus slice
        return r.damage_split_length(payload, forbidden_bit=kind == "split")
    if kind == "truncate":
        return r.damage_truncate(payload)
    return r.damage_random_bytes(payload, rnd)


def damaged_plan(landscape, portrait):
    """(timestamp ms, payload) of the damaged path: the landscape clip, then the portrait one
    (its sequence header first) shifted to SIZE_CHANGE_S; the frames DAMAGE names damaged."""
    rnd = random.Random(17)
    shift = int(SIZE_CHANGE_S * 1000)
    plan = [(ts, p) for ts, p in landscape if ts < shift]
    plan += [(ts + shift, p) for ts, p in portrait if ts + shift < END_S * 1000]
    out, hits = [], 0
    for ts, p in plan:
        if ts in DAMAGE and not r.is_avc_sequence_header(p):
            p = damaged(p, DAMAGE[ts], rnd)
            hits += 1
        out.append((ts, p))
    return out, hits


def publish(srv, path, plan, t0, sent):
    """Sends `plan` on `path` at real time from t0 (time.monotonic()); appends each frame's
    send time (seconds from t0) to `sent`."""
    app, name = path.split("/", 1)
    cl = r.RawClient(srv.rtmp_port)
    cl.start_publish(app=app, name=name)
    r.drain(cl)
    cl.send(r.set_chunk_size(CHUNK_SIZE))
    for ts, payload in plan:
        delay = t0 + ts / 1000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if not cl.send(r.chunk(6, 9, payload, timestamp=ts, stream_id=1, chunk_size=CHUNK_SIZE)):
            break
        if not r.is_avc_sequence_header(payload):
            sent.append(time.monotonic() - t0)
    return cl


def report(proc, t0):
    """The WHEP client's report, with posted_s: when it POSTed (seconds from t0; its process
    may start late on a loaded machine)."""
    rep = proc.result()
    rep["posted_s"] = time.monotonic() - t0 - rep.get("duration_s", 0)
    return rep


def sample_streams(srv, t0, stop, samples):
    """Every 0.1 s: per path, the renditions' figures and the viewers' sent frames."""
    while not stop.is_set():
        asked = time.monotonic() - t0
        status, body, _ = srv.api("GET", "/api/streams", params={"passcode": h.TEACHER_PASSCODE})
        if status == 200:
            s = {"t": (asked + time.monotonic() - t0) / 2}
            for st in body.get("streams", []):
                s[st["path"]] = {
                    "renditions": {x["name"]: x for x in st.get("renditions", [])},
                    "viewers": {v["rendition"] or "source": v["video_frames"]
                                for v in st.get("viewers", [])}}
            samples.append(s)
        stop.wait(0.1)


def save_samples(args, srv, samples):
    """The /api/streams timeline, for a person looking into a failure."""
    folder = args.out or srv.workdir
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "transcode_malformed_samples.json")
    with open(path, "w") as f:
        json.dump(samples, f)
    print(f"samples: {path}")


def at(samples, t, path, pick):
    """pick(sample[path]) of the last sample taken at or before t (None when there is none)."""
    got = None
    for s in samples:
        if s["t"] > t:
            break
        if path in s:
            got = pick(s[path])
    return got


def frames_out(samples, t, path, key="frames_out"):
    return at(samples, t, path, lambda p: p["renditions"].get("240p", {}).get(key)) or 0


def published(sent, start, end):
    return sum(1 for t in sent if start <= t < end)


def metric(srv, name):
    status, text, _ = srv.api("GET", "/metrics")
    m = re.search(rf"^{name} ([0-9.e+-]+)$", text if status == 200 else "", re.M)
    return float(m.group(1)) if m else None


def window(samples, path, start, end, key):
    return frames_out(samples, end, path, key) - frames_out(samples, start, path, key)


def check_bursts(c, samples, sent):
    """Each burst: in the second before it, and in the second from the first keyframe after it,
    the damaged path's 240p rendition encoded every picture it was given (and was given some);
    the clean path's rendition kept encoding every frame meanwhile. Both are measured against
    the rendition's own input, so a stall of the loaded machine's sender moves both figures.
    (Viewer counters in /api/streams move once a second; the viewer's totals are checked
    separately.)"""
    for name, hits in BURSTS:
        start, end = hits[0][0], hits[-1][0]
        back = float(int(end) + 1)  # the next keyframe
        figures = {}
        for label, (a, b) in (("before", (start - 1, start)), ("after", (back, back + 1))):
            got = window(samples, "class/damaged", a, b, "frames_in")
            made = window(samples, "class/damaged", a, b, "frames_out")
            figures[label] = f"{made} of {got}"
            c.check(f"{name}: 240p encodes {label} it", got >= FPS * 0.4 and made >= got - 5,
                    f"{made} encoded of {got} given")
        clean_in = window(samples, "class/clean", start, back + 1, "frames_in")
        clean_out = window(samples, "class/clean", start, back + 1, "frames_out")
        print(f"figure: {name}: damaged 240p encoded {figures['before']} frames in the second "
              f"before, {figures['after']} in the second from the keyframe at {back:.0f} s; "
              f"clean 240p {clean_out} of {clean_in} meanwhile "
              f"({published(sent['class/clean'], start, back + 1)} published)")
        c.check(f"{name}: clean path's 240p kept encoding every frame",
                clean_in >= FPS * (back + 1 - start) * 0.6 and clean_out >= clean_in - 5,
                f"{clean_out} of {clean_in}")


def check_sizes(c, samples, rep):
    def size(p):
        x = p["renditions"].get("240p")
        return (x["width"], x["height"]) if x and x["frames_out"] else None
    land = {size(s["class/damaged"]) for s in samples
            if "class/damaged" in s and VIEW_FROM_S < s["t"] < SIZE_CHANGE_S} - {None}
    port = {size(s["class/damaged"]) for s in samples
            if "class/damaged" in s and SIZE_CHANGE_S + 1.5 < s["t"] < END_S}
    c.check("240p rendition 426x240 from 640x360", land == {(426, 240)}, str(land))
    c.check("240p rendition 136x240 after the change to 360x640", port == {(136, 240)}, str(port))
    v = rep["video"]
    c.check("240p viewer's last SPS says 136x240",
            (v.get("width"), v.get("height")) == (136, 240), str(v))


def check_damaged_viewer(c, samples, rep):
    """The damaged path's 240p viewer (the rendition's only one, from its start) received every
    picture the rendition encoded while it stayed, and nothing went missing on the way."""
    v = rep["video"]
    made = frames_out(samples, rep["posted_s"] + rep["duration_s"] - 0.2, "class/damaged")
    print(f"figure: damaged 240p viewer: {v['frames']} frames of {made} encoded, "
          f"{v['keyframes']} keyframes, {v['lost']} packets lost")
    c.check("damaged 240p viewer received the rendition's pictures",
            rep["exit_code"] == 0 and made > 0 and v["frames"] >= made - 5, str(rep)[:600])
    c.check("damaged 240p viewer: no packet lost, no incomplete frame",
            v["lost"] == 0 and v["incomplete_frames"] == 0, str(v))


def check_unharmed(c, name, rep, sent, size):
    """A viewer the damage must not touch: nothing lost, every frame published from its first
    keyframe to its end."""
    v = rep["video"]
    first = rep["posted_s"] + (rep.get("first_keyframe_ms") or 1000) / 1000
    during = published(sent, first + 0.2, rep["posted_s"] + rep["duration_s"] - 0.3)
    print(f"figure: {name}: {v['frames']} frames ({v['keyframes']} keyframes, "
          f"{v['incomplete_frames']} incomplete, {v['lost']} packets lost) for {during} "
          f"published, {v.get('width')}x{v.get('height')}, longest packet gap "
          f"{rep.get('timeline', {}).get('video', {}).get('max_gap_ms')} ms")
    c.check(f"{name}: no packet lost, no incomplete frame",
            v["lost"] == 0 and v["incomplete_frames"] == 0 and not rep.get("error"), str(rep)[:600])
    c.check(f"{name}: every frame arrived", v["frames"] >= during, f"{v['frames']} < {during}")
    c.check(f"{name}: size {size[0]}x{size[1]}", (v.get("width"), v.get("height")) == size, str(v))


def check_counters(c, srv, samples):
    last = next((s for s in reversed(samples) if "class/clean" in s), {})
    bad = last.get("class/damaged", {}).get("renditions", {}).get("240p", {})
    clean = last.get("class/clean", {}).get("renditions", {}).get("240p", {})
    print(f"figure: damaged 240p: frames in {bad.get('frames_in')}, out {bad.get('frames_out')},"
          f" decode errors {bad.get('decode_errors')}, dropped {bad.get('dropped')}, encode "
          f"errors {bad.get('encode_errors')}, restarts {bad.get('restarts')}; clean 240p: "
          f"in {clean.get('frames_in')}, out {clean.get('frames_out')}")
    c.check("damaged rendition counts the damage",
            bad.get("decode_errors", 0) > 0 and bad.get("dropped", 0) > 0, str(bad))
    c.check("clean rendition counts nothing",
            clean.get("frames_out", 0) > 0 and clean.get("decode_errors") == 0 and
            clean.get("dropped") == 0 and clean.get("encode_errors") == 0, str(clean))
    errors = metric(srv, "airclass_video_encoder_errors_total")
    dropped = metric(srv, "airclass_video_encoder_dropped_total")
    print(f"figure: airclass_video_encoder_errors_total {errors}, "
          f"airclass_video_encoder_dropped_total {dropped}")
    c.check("/metrics airclass_video_encoder_errors_total > 0", (errors or 0) > 0, str(errors))


def check_log(c, srv):
    """The rendition reports its trouble in the log (once a sweep), for the damaged path only."""
    log = srv.log_text()
    c.check("log reports the damaged rendition's errors",
            re.search(r"class/damaged: rendition 240p: .*[1-9]\d* decode errors", log) is not None,
            log[-1500:])
    c.check("log reports nothing for the clean rendition",
            "class/clean: rendition 240p:" not in log)


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    with h.Server(args.server, webrtc=True) as srv:
        clips = h.in_parallel(lambda: make_clip(srv.workdir, LANDSCAPE, END_S),
                              lambda: make_clip(srv.workdir, PORTRAIT, END_S - SIZE_CHANGE_S))
        plan, hits = damaged_plan(*clips)
        print(f"figure: {hits} of {len(plan)} frames damaged on class/damaged")
        t0 = time.monotonic() + 0.3
        sent = {"class/damaged": [], "class/clean": []}
        pubs = {}

        def publisher(path, frames):
            return lambda: pubs.__setitem__(path, publish(srv, path, frames, t0, sent[path]))
        threads = [threading.Thread(target=publisher("class/damaged", plan)),
                   threading.Thread(target=publisher("class/clean", clips[0]))]
        for t in threads:
            t.start()
        c.check("both publishers live", srv.wait_log("publishing class/damaged") and
                srv.wait_log("publishing class/clean"))
        time.sleep(max(0.0, t0 + VIEW_FROM_S - time.monotonic()))
        source = h.whep_client(args.client, srv.whep_url("class/damaged") + "&quality=source",
                               VIEW_SECONDS)
        low = h.whep_client(args.client, srv.whep_url("class/damaged") + "&quality=240p",
                            VIEW_SECONDS)
        other = h.whep_client(args.client, srv.whep_url("class/clean") + "&quality=240p",
                              VIEW_SECONDS)
        stop, samples = threading.Event(), []
        poller = threading.Thread(target=sample_streams, args=(srv, t0, stop, samples))
        poller.start()
        reps = h.in_parallel(*[lambda p=p: report(p, t0) for p in (source, low, other)])
        stop.set()
        poller.join()
        save_samples(args, srv, samples)
        c.check("server alive after every burst", srv.alive())
        check_counters(c, srv, samples)
        for t in threads:
            t.join(timeout=END_S + 10)
        for cl in pubs.values():
            cl.close()
        check_bursts(c, samples, sent)
        check_sizes(c, samples, reps[1])
        check_damaged_viewer(c, samples, reps[1])
        check_unharmed(c, "damaged path's source viewer", reps[0], sent["class/damaged"],
                       (360, 640))
        check_unharmed(c, "clean path's 240p viewer", reps[2], sent["class/clean"], (426, 240))
        check_log(c, srv)
        code = srv.stop()
        c.check("clean shutdown", code == 0, f"exit {code}: {srv.log_text()[-2500:]}")
        log = srv.log_text()
        signs = [s for s in CRASH_SIGNS if s in log]
        c.check("server log has no crash or sanitizer report", not signs, str(signs))
    c.finish()


if __name__ == "__main__":
    main()
