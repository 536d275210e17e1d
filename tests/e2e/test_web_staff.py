"""The staff pages in headless Chromium, served by airclass itself: the Teacher page shows its
own broadcast, the stream's health, the publish URL and QR code, and a viewer count that goes
up when a student joins and down when the student leaves; the viewer list shows each viewer's
rendition and the stream health the renditions being encoded (a student on 480p); for a
publisher with B-frames it says students get a re-encode without them; the Monitor page plays
two classrooms at once, each with its latency; the Admin page lists the node and the streams."""
import time

import harness as h
import web_harness as w


def player(pid):
    return f"window.__airclass?.players?.[{h.json.dumps(pid)}]"


def playing(pid, frames=30):
    return f"{player(pid)}?.state === 'playing' && {player(pid)}.framesDecoded > {frames}"


def q(testid):
    return f"document.querySelector('[data-testid={testid}]')?.innerText"


def text(b, page, testid):
    return b.eval(page, f"document.querySelector('[data-testid={testid}]')?.innerText ?? null")


def rendition_of(user, page="t"):
    """The Quality cell of `user`'s row in the Teacher page's viewer list (expression)."""
    return (f"document.querySelector('[data-testid=viewer-list] tr[data-user=\"{user}\"] "
            "[data-testid=viewer-rendition]')?.innerText")


def rendition_row(name):
    """The cells of rendition `name` in the stream health's encoder table (expression)."""
    return (f"[...(document.querySelector('[data-testid=renditions] tr[data-name=\"{name}\"]')"
            "?.cells || [])].map((td) => td.innerText)")


BF3 = ["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high", "-bf", "3",
       "-pix_fmt", "yuv420p", "-b:v", "600k", "-maxrate", "600k", "-bufsize", "600k"]
REENCODE_WARNING = ("B-frames in the input: students get it re-encoded without them (adds CPU and "
                    "a little delay); set the phone/OBS to baseline or B-frames off for "
                    "pass-through")


def viewer_count_is(b, n, timeout):
    return b.wait("t", f"document.querySelector('[data-testid=viewer-count]')?.innerText === '{n}'",
                  timeout)


def teacher_page(c, b, srv):
    b.open("t", srv.api_url("/teacher"))
    c.check("the Teacher page asks for the passcode",
            b.wait("t", "!!document.querySelector('[data-testid=passcode]')", 5))
    w.sign_in(b, "t")
    ok = b.wait("t", f"{q('live-state')} === 'Live' && {q('input-resolution')} === '1280×720' "
                f"&& {q('keyframe-interval')}?.endsWith(' s')", 12)
    health = text(b, "t", "stream-health") or ""
    c.check("stream health: live, 1280×720, bitrate, 30 fps, keyframe every 2.0 s, audio",
            ok and "Mbit/s" in health and "30 fps" in health and "2.0 s" in health and
            text(b, "t", "audio-present") not in (None, "none"), health[:600])
    c.check("no B-frame warning for a baseline stream", text(b, "t", "bframe-warning") is None)
    c.check("students get the source passed through",
            text(b, "t", "source-delivery") == "pass-through", str(text(b, "t", "source-delivery")))
    url = text(b, "t", "rtmp-url") or ""
    qr = b.eval("t", "document.querySelector('[data-testid=qr]')?.naturalWidth > 100")
    c.check("publish URL with a publish token for the teacher's path (not the node's publish "
            "password), and a QR code",
            f":{srv.rtmp_port}/live/stream?jwt=" in url and h.PUBLISH_PASSWORD not in url and qr,
            url)
    c.check("the teacher's own broadcast plays", b.wait("t", playing("teacher"), 20),
            str(b.player("t", "teacher"))[:600])
    c.check("viewer count 1 (the teacher's own player)", viewer_count_is(b, 1, 6),
            text(b, "t", "viewer-count"))
    c.check("the viewer list shows the teacher's rendition: the source (Auto)",
            b.wait("t", f"{rendition_of('teacher')} === 'source'", 4),
            b.eval("t", rendition_of("teacher")))
    p = b.player("t", "teacher") or {}
    print(f"figure: teacher's own broadcast: first frame {p.get('firstFrameMs')} ms, latency "
          f"median {w.median(p.get('latencies', [])[-40:])} ms ({p.get('method')})")
    b.shot("t", "teacher.png")


def student_joins_and_leaves(c, b, srv):
    b.open("s", srv.api_url("/"))
    b.fill("s", "[data-testid=name]", "bob")
    b.click("s", "[data-testid=join]")
    c.check("the student plays", b.wait("s", playing("main", 10), 20), str(b.player("s")))
    c.check("the Teacher page counts 2 viewers when the student joins", viewer_count_is(b, 2, 6),
            text(b, "t", "viewer-count"))
    c.check("and lists the student by name", "bob" in (text(b, "t", "viewer-list") or ""))
    offers = b.wait("s", "[...(document.querySelector('[data-testid=quality-picker]')?.options "
                    "|| [])].some((o) => o.value === '480p')", 5)
    c.check("the student's quality picker offers 480p", offers)
    if offers:
        b.select("s", "[data-testid=quality-picker]", "480p")
        ok = b.wait("t", f"{rendition_of('bob')} === '480p' && {rendition_row('480p')}[2] === '1'",
                    15)
        row = b.eval("t", rendition_row("480p"))
        print(f"figure: teacher page, rendition row {row}")
        c.check("bob picks 480p: the viewer list shows his rendition", ok,
                str(b.eval("t", rendition_of("bob"))))
        c.check("and the stream health lists the 480p encoder: size, 1 viewer",
                ok and row[1].endswith("×480"), str(row))
    b.shot("t", "teacher-with-student.png")
    b.click("s", "[data-testid=leave]")
    t0 = time.time()
    ok = viewer_count_is(b, 1, 8)
    print(f"figure: the teacher saw the student leave after {time.time() - t0:.1f} s")
    c.check("the count goes back to 1 when the student leaves", ok, text(b, "t", "viewer-count"))
    b.close("s")


def bframe_teacher(c, b, srv):
    """A publisher with B-frames (OBS-like x264 High): the Teacher page says students get it
    re-encoded and lists the re-encode of the source among the encoders."""
    pub = h.ffmpeg_publish(srv.url(path="live/obs"), 40, size="640x360", video_args=BF3)
    try:
        c.check("B-frame publisher live", srv.wait_log("publishing live/obs", timeout=15))
        b.open("t2", srv.api_url("/teacher?path=live/obs"))
        w.sign_in(b, "t2")
        ok = b.wait("t2", f"{q('bframe-warning')}?.includes('re-encoded without them')", 12)
        warning = text(b, "t2", "bframe-warning") or ""
        c.check("stream health: the re-encode message replaces the old B-frame warning",
                ok and warning.startswith(REENCODE_WARNING), warning)
        c.check("and says students get it re-encoded because of B-frames",
                text(b, "t2", "source-delivery") == "re-encoded (B-frames)",
                str(text(b, "t2", "source-delivery")))
        c.check("the teacher's own player plays the re-encode",
                b.wait("t2", playing("teacher"), 20), str(b.player("t2", "teacher"))[:600])
        row = rendition_row("source")
        ok = b.wait("t2", f"{row}[1] === '640×360' && {row}[2] === '1' && "
                    f"{rendition_of('teacher')} === 'source'", 8)
        c.check("the encoder list shows the source re-encode at 640×360 with 1 viewer", ok,
                str(b.eval("t2", rendition_row("source"))))
        b.shot("t2", "teacher-bframes.png")
        b.close("t2")
    finally:
        h.finish_early(pub)


def monitor_page(c, b, srv):
    b.open("m", srv.api_url("/monitor?paths=live/stream,live/room2"))
    w.sign_in(b, "m")
    ok = b.wait("m", f"{playing('monitor:live/stream')} && {playing('monitor:live/room2')}", 25)
    c.check("the Monitor page plays two paths at once", ok,
            str(b.eval("m", "JSON.stringify(window.__airclass?.players)"))[:1000])
    # Each tile's badge shows a number once its player has a few latency readings; its size
    # comes with the player's once-a-second sample.
    b.wait("m", "[...document.querySelectorAll('[data-testid=latency-badge]')]"
           ".filter((e) => e.dataset.latency).length >= 2 && "
           f"{player('monitor:live/stream')}?.width > 0 && {player('monitor:live/room2')}?.width > 0",
           8)
    badges = b.eval("m", "[...document.querySelectorAll('[data-testid=latency-badge]')]"
                    ".map((e) => e.dataset.latency)")
    sizes = [(b.player("m", f"monitor:{p}") or {}).get("width")
             for p in ("live/stream", "live/room2")]
    print(f"figure: monitor latency badges {badges} ms, widths {sizes}")
    c.check("each tile has a latency number",
            len(badges) == 2 and all(x not in ("", None) for x in badges), str(badges))
    c.check("the tiles show the two different streams", sizes == [1280, 640], str(sizes))
    b.shot("m", "monitor.png")


def admin_page(c, b, srv):
    b.open("a", srv.api_url("/admin"))
    w.sign_in(b, "a")
    ok = b.wait("a", "document.querySelectorAll('[data-testid=node-row]').length >= 1 && "
                f"{q('stream-list')}?.includes('live/room2')",
                10)
    nodes = text(b, "a", "node-list") or ""
    c.check("the Admin page lists the node as healthy", ok and "healthy" in nodes, nodes[:500])
    streams = text(b, "a", "stream-list") or ""
    c.check("and both streams as live", streams.count("live") >= 4 and "live/stream" in streams,
            streams[:500])
    time.sleep(2.5)  # a second refresh (every 2 s): the charts in the screenshot draw a line
    b.shot("a", "admin.png")


def main():
    args = h.parse_args()
    h.in_private_netns()
    c = h.Checks()
    shots = w.screenshots_dir(args.out)
    srv = w.web_server(args.server).__enter__()
    pubs = [h.ffmpeg_publish(srv.url(), 110, video_args=h.VIDEO_2M),
            h.ffmpeg_publish(srv.url(path="live/room2"), 110, size="640x360",
                             video_args=h.VIDEO_2M[:-6] + ["-b:v", "600k"])]
    try:
        deadline = time.time() + 10
        while time.time() < deadline and srv.api("GET", "/health")[1].get("streams_active", 0) < 2:
            time.sleep(0.1)
        c.check("two streams live", srv.api("GET", "/health")[1].get("streams_active") == 2)
        with w.Browser(shots) as b:
            teacher_page(c, b, srv)
            student_joins_and_leaves(c, b, srv)
            b.close("t")
            bframe_teacher(c, b, srv)
            monitor_page(c, b, srv)
            admin_page(c, b, srv)
            errors = [x for p in ("t", "s", "t2", "m", "a") for x in b.logs(p)
                      if x.startswith("pageerror")]
            c.check("no script errors in the pages", not errors, str(errors[:5]))
    finally:
        for p in pubs:
            p.kill()
            p.wait()
    c.server_ends_cleanly(srv)
    c.finish()


if __name__ == "__main__":
    main()
