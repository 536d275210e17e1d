"""Pieces the web app tests share: the built app's folder, a browser driver (web_pages.mjs)
that keeps named tabs open while the test works the server, and a server restart on the same
ports (same token secret, so the page's next token works as before)."""
import json
import os
import queue
import subprocess
import threading
import time

import harness as h

REPO = os.path.dirname(os.path.dirname(h.E2E_DIR))


def web_root(binary=None):
    """The built pages: $AIRCLASS_WEB_ROOT, else what the build made beside the binary
    (<build>/web, the CMake target `web`), else a `npm run build` in web/ (web/dist)."""
    if os.environ.get("AIRCLASS_WEB_ROOT"):
        return os.environ["AIRCLASS_WEB_ROOT"]
    if binary:
        built = os.path.normpath(os.path.join(os.path.dirname(binary), "..", "..", "web"))
        if os.path.isfile(os.path.join(built, "index.html")):
            return built
    return os.path.join(REPO, "web", "dist")


def viewers(srv):
    """How many viewers a node's /health counts (-1 when it does not answer)."""
    status, body, _ = srv.api("GET", "/health")
    return body.get("viewers", 0) if status == 200 else -1


def plays_again_after_kill(browser, page, node, timeout=15,
                           player="window.__airclass?.players?.main"):
    """Kills `node` (the sub a page plays from) and waits for the page's player to play from a
    new session. Returns (played again, seconds after the kill)."""
    before = browser.player(page) or {}
    node.kill()
    killed = time.time()
    expr = (f"{player}?.state === 'playing' && {player}.sessions > {before.get('sessions', 1)}"
            f" && {player}.framesDecoded > 10")
    back = browser.wait(page, expr, timeout)
    return back, time.time() - killed


def web_server(binary):
    """A Server with WebRTC on that serves the built pages on its API port."""
    root = web_root(binary)
    if not os.path.isfile(os.path.join(root, "index.html")):
        raise SystemExit(f"FAIL the web app is not built: {root}/index.html is missing "
                         "(run `npm ci && npm run build` in web/)")
    return h.Server(binary, webrtc=True, env={"AIRCLASS_WEB_ROOT": root})


def restart(old):
    """A new server process on `old`'s ports, config and environment; `old` must be stopped."""
    new = h.Server.__new__(h.Server)
    new.__dict__.update(old.__dict__)
    new.log_path = old.log_path + ".restarted"
    new.proc = None
    new.tokens = {}
    deadline = time.time() + 10
    while True:
        try:
            return new.__enter__()
        except RuntimeError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)  # the old sockets may take a moment to free their ports


def screenshots_dir(out):
    d = os.path.join(out or h.tempfile.mkdtemp(prefix="airclass-web-"), "screenshots")
    os.makedirs(d, exist_ok=True)
    return d


class Browser:
    """headless Chromium with named tabs; every call returns the page's answer or raises."""

    def __init__(self, shots):
        self.shots = shots
        self.proc = subprocess.Popen(["node", os.path.join(h.E2E_DIR, "web_pages.mjs")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.replies = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.replies.put(json.loads(line))
            except ValueError:
                pass
        self.replies.put(None)

    def call(self, op, timeout=30, **kw):
        self.next_id += 1
        self.proc.stdin.write(json.dumps(dict(kw, id=self.next_id, op=op)) + "\n")
        self.proc.stdin.flush()
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"browser did not answer {op} in {timeout} s")
        if reply is None:
            raise AssertionError("browser exited: " + self.proc.stderr.read()[-3000:])
        if not reply["ok"]:
            raise AssertionError(f"{op} {kw}: {reply['error']}")
        return reply["value"]

    def open(self, page, url, width=None, height=None, context="main"):
        """A new tab; tabs of one `context` share storage, a new context is a new visitor."""
        return self.call("open", page=page, url=url, width=width, height=height, context=context)

    def seed(self, context, origin, local):
        """localStorage entries a context's pages of `origin` find when they load."""
        return self.call("seed", context=context, origin=origin, local=local)

    def eval(self, page, expr):
        return self.call("eval", page=page, expr=expr)

    def wait(self, page, expr, timeout=10.0):
        """Waits until `expr` is truthy in the page; returns it, or None on timeout."""
        try:
            return self.call("wait", timeout + 10, page=page, expr=expr,
                             wait_ms=int(timeout * 1000))
        except AssertionError as e:
            if "Timeout" in str(e):
                return None
            raise

    def click(self, page, selector):
        return self.call("click", page=page, selector=selector)

    def fill(self, page, selector, value):
        return self.call("fill", page=page, selector=selector, value=value)

    def select(self, page, selector, value):
        return self.call("select", page=page, selector=selector, value=value)

    def reload(self, page):
        return self.call("reload", page=page)

    def whep_posts(self, page):
        """The URLs of the WHEP offers `page` POSTed, oldest first (seen by the browser)."""
        return self.call("whep_posts", page=page)

    def shot(self, page, name):
        path = os.path.join(self.shots, name)
        self.call("shot", page=page, path=path)
        return path

    def logs(self, page):
        return self.call("logs", page=page)

    def close(self, page):
        return self.call("close", page=page)

    def player(self, page, pid="main"):
        return self.eval(page, f"window.__airclass?.players?.[{json.dumps(pid)}] ?? null")

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()


def sign_in(browser, page):
    browser.fill(page, "[data-testid=passcode]", h.TEACHER_PASSCODE)
    browser.click(page, "[data-testid=login] button[type=submit]")


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if v else None
