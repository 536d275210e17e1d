"""Shared pieces of the end-to-end tests: a server under test on free loopback ports, real
publishers and players (ffmpeg, GStreamer) as subprocesses, and ffprobe to inspect results.
Every process is bounded in time; all traffic stays on 127.0.0.1."""
import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

FFMPEG = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"]

# The credentials every test server runs with (given through AIRCLASS_* environment variables).
PUBLISH_PASSWORD = "e2e-publish-pass"
TEACHER_PASSCODE = "e2e-teacher-code"
TOKEN_SECRET = "e2e-token-secret-of-at-least-32-bytes!!"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True, help="path to the airclass binary")
    p.add_argument("--client", default="", help="path to the whep_client binary")
    p.add_argument("--data", default="", help="tests/data folder")
    p.add_argument("--out", default="", help="folder for artifacts a person may look at "
                   "(screenshots); default: a temporary folder")
    return p.parse_args()


def make_jwt(claims, secret=TOKEN_SECRET, alg="HS256"):
    """A JWT built by hand (RFC 7519), to present tokens the token API would never issue:
    publish and node tokens, expired ones, alg none, foreign secrets."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def jwt_claims(token):
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


_handed_out = set()  # ports given to servers of this test: the kernel may offer one again
_ports_lock = threading.Lock()  # servers may be made in parallel scenarios (in_parallel)


def _fresh_port(kind):
    with _ports_lock:
        while True:
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port


def free_port():
    return _fresh_port(socket.SOCK_STREAM)


def free_udp_port():
    return _fresh_port(socket.SOCK_DGRAM)


def in_private_netns():
    """Re-runs this test inside a new network namespace with only loopback up (see
    ../shared/docs/testing.md: Chromium needs it to use loopback for WebRTC, and it keeps the
    browser's background traffic off the real network). Returns only inside the namespace."""
    if os.environ.get("AIRCLASS_IN_NETNS") == "1":
        return
    env = dict(os.environ, AIRCLASS_IN_NETNS="1")
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
           sys.executable] + sys.argv
    sys.exit(subprocess.call(cmd, env=env))


E2E_DIR = os.path.dirname(os.path.abspath(__file__))


def whep_browser(url, seconds, no_audio=False, no_smoothing=False, timeout=None,
                 token_api=False, wrap=None):
    """Plays a WHEP URL in headless Chromium (whep_browser.mjs); returns its JSON report. With
    token_api, `url` is a POST /api/token URL that the page itself calls first. `wrap` is a
    command prefix (netbed's viewer_prefix(): run in the viewer namespace)."""
    cmd = (wrap or []) + ["node", os.path.join(E2E_DIR, "whep_browser.mjs"), url, str(seconds)]
    if no_audio:
        cmd.append("--no-audio")
    if token_api:
        cmd.append("--token-api")
    env = dict(os.environ)
    if no_smoothing:
        env["AIRCLASS_NO_SMOOTHING"] = "1"
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         timeout=timeout or seconds + 60)
    if out.returncode != 0 or not out.stdout.strip():
        raise AssertionError(f"whep_browser failed ({out.returncode}): {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def whep_browser_async(url, seconds, no_audio=False, token_api=False, until_stdin=False,
                       wrap=None):
    """whep_browser.mjs in the background. With until_stdin, `seconds` is an upper bound: the
    page stops playing (and reports) once the test writes a line to the process's stdin or
    closes it (proc.communicate() does). `wrap`: as for whep_browser."""
    cmd = (wrap or []) + ["node", os.path.join(E2E_DIR, "whep_browser.mjs"), url, str(seconds)]
    if no_audio:
        cmd.append("--no-audio")
    if token_api:
        cmd.append("--token-api")
    if until_stdin:
        cmd.append("--until-stdin")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.PIPE if until_stdin else subprocess.DEVNULL)


def last_sample(report, key):
    for s in reversed(report.get("timeline", [])):
        if s.get(key) is not None:
            return s
    return {}


class Server:
    """The airclass binary on free loopback ports, its log captured to a file."""

    def __init__(self, binary, extra_yaml="", workdir=None, webrtc=False, env=None,
                 listen_host="127.0.0.1", media_host="127.0.0.1", public_host=None):
        """listen_host: where the API and WHEP listen; media_host: the media UDP socket;
        public_host: the host viewers reach WHEP at (webrtcPublicUrl, bare_whep_url). RTMP
        stays on 127.0.0.1. netbed.NetBed.server() sets the three for a viewer namespace."""
        self.binary = binary
        self.public_host = public_host or "127.0.0.1"
        self.workdir = workdir or tempfile.mkdtemp(prefix="airclass-e2e-")
        self.rtmp_port = free_port()
        self.http_port = free_port()
        self.api_port = free_port()
        self.env = dict(os.environ, AIRCLASS_PUBLISH_PASSWORD=PUBLISH_PASSWORD,
                        AIRCLASS_TEACHER_PASSCODE=TEACHER_PASSCODE,
                        AIRCLASS_TOKEN_SECRET=TOKEN_SECRET,
                        AIRCLASS_API_ADDRESS=f"{listen_host}:{self.api_port}")
        if public_host:
            self.env["AIRCLASS_WEBRTC_PUBLIC_URL"] = f"http://{public_host}:{self.http_port}"
        self.env.update(env or {})
        self.tokens = {}
        self.udp_port = free_udp_port()
        self.tcp_port = free_port()  # ICE over TCP (webrtcLocalTCPAddress)
        self.config_path = os.path.join(self.workdir, "airclass.yml")
        with open(self.config_path, "w") as f:
            f.write(f"logLevel: debug\nrtmpAddress: 127.0.0.1:{self.rtmp_port}\n")
            if webrtc:
                f.write(f"webrtcAddress: {listen_host}:{self.http_port}\n")
                f.write(f"webrtcLocalUDPAddress: {media_host}:{self.udp_port}\n")
                f.write(f"webrtcLocalTCPAddress: {media_host}:{self.tcp_port}\n")
            else:
                f.write("webrtc: no\n")
            f.write(extra_yaml)
        self.log_path = os.path.join(self.workdir, "server.log")
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.binary, "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start:\n" + self.log_text())
            try:
                with socket.create_connection(("127.0.0.1", self.api_port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not listen in time:\n" + self.log_text())

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        """Starts (again) on the same ports, config and environment; the log is appended."""
        return self.__enter__()

    def kill(self):
        """SIGKILL: a node that dies without saying goodbye."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.log.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, then expect a clean exit (sanitizer builds report leaks through the code)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        self.log.close()
        return code

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout=10.0, count=1):
        """Waits until `needle` appears `count` times in the log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.log_text().count(needle) >= count:
                return True
            time.sleep(0.05)
        return False

    def api_url(self, path):
        return f"http://127.0.0.1:{self.api_port}{path}"

    def api(self, method, path, params=None, headers=None, body=None):
        """Calls the node's API; returns (status, parsed JSON or text, response headers)."""
        url = self.api_url(path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text, hdrs = r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as e:
            status, text, hdrs = e.code, e.read().decode(errors="replace"), e.headers
        try:
            return status, json.loads(text), hdrs
        except ValueError:
            return status, text, hdrs

    def token(self, user_type="student", user_id="e2e-student", path=None, passcode=None):
        """POST /api/token as the seed's pages do; returns the JSON answer (asserts 200)."""
        params = {"user_type": user_type, "user_id": user_id}
        if path:
            params["path"] = path
        if passcode is None and user_type != "student":
            passcode = TEACHER_PASSCODE
        if passcode:
            params["passcode"] = passcode
        status, body, _ = self.api("POST", "/api/token", params)
        if status != 200:
            raise AssertionError(f"token request failed: {status} {body}")
        return body

    def whep_url(self, path="live/stream"):
        """The webrtc_url the token API hands a student for `path` (one token per path)."""
        if path not in self.tokens:
            self.tokens[path] = self.token(path=path)["webrtc_url"]
        return self.tokens[path]

    def bare_whep_url(self, path="live/stream"):
        return f"http://{self.public_host}:{self.http_port}/{path}/whep"

    def url(self, path="live/stream", query="", password=PUBLISH_PASSWORD):
        """An RTMP URL; with the publish password unless password is None (players need none
        from loopback)."""
        parts = ([f"pwd={urllib.parse.quote(password)}"] if password else []) + \
            ([query] if query else [])
        q = ("?" + "&".join(parts)) if parts else ""
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{path}{q}"


# 720p30-style H.264 at 2 Mbit/s, as the WebRTC tests and benchmarks publish it.
VIDEO_2M = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-b:v", "2M", "-maxrate", "2M",
            "-bufsize", "1M"]


def post_offer(url, body, content_type="application/sdp"):
    """POSTs to a WHEP URL; returns (status, body text)."""
    if isinstance(body, str):
        body = body.encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def ffmpeg_publish(url, seconds, size="1280x720", rate=30, gop=60, audio_rate=32000,
                   channels=2, video_args=None, audio=True, extra_input=None):
    """A teacher's phone as ffmpeg sees it: H.264 + AAC in real time over RTMP."""
    video = video_args or ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                           "-profile:v", "baseline", "-pix_fmt", "yuv420p"]
    cmd = FFMPEG + ["-re", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        cmd += ["-re", "-f", "lavfi", "-i", f"sine=frequency=1000:sample_rate={audio_rate}"]
    cmd += ["-t", str(seconds)] + video + ["-g", str(gop), "-keyint_min", str(gop),
                                          "-sc_threshold", "0"]
    if audio:
        cmd += ["-c:a", "aac", "-ar", str(audio_rate), "-ac", str(channels), "-b:a", "64k"]
    cmd += ["-f", "flv", url]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ffmpeg_play(url, out_path):
    """Plays an RTMP path into a file (stream copy), ending when the server ends the stream."""
    cmd = FFMPEG + ["-rw_timeout", "30000000", "-i", url, "-c", "copy", "-f", "flv", "-y",
                    out_path]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish_early(proc, timeout=15, what="publisher"):
    """Ends a publisher (ffmpeg, or gst-launch with -e) that has served its purpose, the way a
    person stops it: SIGINT, after which ffmpeg writes its trailer and closes the RTMP stream
    properly (FCUnpublish, deleteStream) and gst-launch sends EOS. Tests call it once every
    check that needed the media is done, instead of waiting for the rest of its -t duration.
    Returns the exit code (255 for an interrupted ffmpeg), or raises if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    return wait(proc, timeout, what)


def in_parallel(*fns):
    """Runs independent scenarios at once (threads: the work is in subprocesses and sockets);
    returns their results in order and re-raises the first exception."""
    results, errors = [None] * len(fns), [None] * len(fns)

    def run(i, fn):
        try:
            results[i] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised below in the main thread
            errors[i] = e

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors:
        if e is not None:
            raise e
    return results


def wait(proc, timeout, what):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out = proc.communicate()[1]
        raise AssertionError(f"{what} did not finish in {timeout} s: {out!r}")
    return proc.returncode


def probe(path):
    """Streams of a media file with their packet counts."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                          "stream=codec_type,codec_name,width,height,nb_read_packets,"
                          "sample_rate,channels,profile", "-of", "json", path],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"ffprobe failed on {path}: {out.stderr}")
    return json.loads(out.stdout)["streams"]


def video_packets(path):
    """(pts, dts) of every video packet."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts,dts,flags", "-of", "json", path],
                         capture_output=True, text=True, timeout=60)
    return [(p.get("pts"), p.get("dts"), p.get("flags", ""))
            for p in json.loads(out.stdout).get("packets", [])]


def whep_client(binary, url, seconds, extra=None, wrap=None):
    """Starts our C++ WHEP client; .result() waits and returns its JSON report. `wrap` is a
    command prefix (netbed's viewer_prefix(): run in the viewer namespace)."""
    cmd = (wrap or []) + [binary, "--url", url, "--seconds", str(seconds), "--json"] + \
        (extra or [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(timeout=None):
        out, err = proc.communicate(timeout=timeout or seconds + 30)
        lines = out.strip().splitlines()
        if not lines:
            raise AssertionError(f"whep_client printed nothing ({proc.returncode}): {err[-2000:]}")
        report = json.loads(lines[-1])
        report["exit_code"] = proc.returncode
        return report

    proc.result = result
    return proc


class Checks:
    """Collects named checks; prints one line per check and a closing 'N passed, N failed'."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.lock = threading.Lock()  # scenarios may run in parallel (in_parallel)

    def check(self, name, ok, detail=""):
        with self.lock:
            if ok:
                self.passed += 1
                print(f"PASS {name}")
            else:
                self.failed += 1
                print(f"FAIL {name}: {detail}")
            sys.stdout.flush()
        return ok

    def server_ends_cleanly(self, srv):
        """The server survived the scenario and exits 0 on SIGTERM."""
        self.check("server alive", srv.alive())
        self.check("clean shutdown", srv.stop() == 0, srv.log_text()[-2000:])

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 else 1)
