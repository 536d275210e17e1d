"""Behind a reverse proxy (issue 20): nginx (Debian's, as an unprivileged process with the
config docs/reverse-proxy.md recommends) in front of the node's API and WHEP listeners. Runs in
a private network namespace whose lo also carries documentation addresses, so clients can
look like distinct machines: nginx sees each client's own source address and appends it to
X-Forwarded-For.

With trustedProxies: [127.0.0.1] (nginx's address):
- the failed-authentication limiter throttles per CLIENT: one client guessing teacher
  passcodes through nginx gets 429 after its free tries, while another client through the same
  nginx is still checked and gets its token with the right passcode; the log names the client
  and the proxy ("<client> via proxy 127.0.0.1:<port>");
- a client forging "X-Forwarded-For: 10.1.2.3" is still known by its own address (nginx
  appends the real one; the server takes the right-most untrusted entry);
- the loopback rule goes by the client: a remote client through the loopback proxy is held to
  4 pending WHEP offers per token even when it forges "X-Forwarded-For: 127.0.0.1", while a
  client on this machine (127.0.0.23) through the same proxy is not;
- a WHEP offer through nginx is answered 201 with an SDP answer and a Location.
Without trustedProxies the header is ignored: every client is nginx's 127.0.0.1, and one
guesser gets every client through that proxy throttled."""
import http.client
import os
import subprocess
import tempfile
import time

import harness as h

CLIENT_A, CLIENT_B, CLIENT_C, CLIENT_D = "203.0.113.7", "203.0.113.8", "203.0.113.9", "198.51.100.4"
LOCAL_CLIENT = "127.0.0.23"
FORGED = "10.1.2.3"
WRONG = {"user_type": "teacher", "user_id": "guesser", "passcode": "guess-0000"}

NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
  access_log {tmp}/access.log;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  # As in docs/reverse-proxy.md: the token API and pages, and WHEP, each on its own port.
  server {{
    listen 127.0.0.1:{api_front};
    location / {{
      proxy_pass http://127.0.0.1:{api};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
  server {{
    listen 127.0.0.1:{whep_front};
    location / {{
      proxy_pass http://127.0.0.1:{whep};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


CADDYFILE = """{{
  admin off
  auto_https off
}}
# As in docs/reverse-proxy.md, over plain HTTP: Caddy sets X-Forwarded-For by itself.
http://127.0.0.1:{api_front} {{
  bind 127.0.0.1
  reverse_proxy 127.0.0.1:{api}
}}
http://127.0.0.1:{whep_front} {{
  bind 127.0.0.1
  reverse_proxy 127.0.0.1:{whep}
}}
"""


class FrontProxy:
    """A reverse proxy in front of one node's API and WHEP ports, as nobody, everything in its
    own temporary folder."""
    name, template, conf_name = "", "", ""

    def __init__(self, srv):
        self.tmp = tempfile.mkdtemp(prefix=f"airclass-{self.name}-")
        os.chmod(self.tmp, 0o777)
        self.api_port, self.whep_port = h.free_port(), h.free_port()
        self.conf = os.path.join(self.tmp, self.conf_name)
        with open(self.conf, "w") as f:
            f.write(self.template.format(tmp=self.tmp, api=srv.api_port, whep=srv.http_port,
                                         api_front=self.api_port, whep_front=self.whep_port))
        self.proc = None

    def command(self):
        raise NotImplementedError

    def __enter__(self):
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + self.command()
        env = dict(os.environ, HOME=self.tmp, XDG_DATA_HOME=self.tmp, XDG_CONFIG_HOME=self.tmp)
        self.log = open(os.path.join(self.tmp, "stderr.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     cwd=self.tmp)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(self.log.name) as f:
                    raise RuntimeError(f"{self.name} exited: " + f.read()[-2000:])
            try:
                for port in (self.api_port, self.whep_port):
                    h.socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen in time")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Nginx(FrontProxy):
    name, template, conf_name = "nginx", NGINX_CONF, "nginx.conf"

    def command(self):
        return ["nginx", "-p", self.tmp, "-c", self.conf, "-e",
                os.path.join(self.tmp, "error.log")]


class Caddy(FrontProxy):
    name, template, conf_name = "caddy", CADDYFILE, "Caddyfile"

    def command(self):
        return ["caddy", "run", "--config", self.conf, "--adapter", "caddyfile"]


def request(port, method, target, source, headers=None, body=None):
    """One request from `source` (an address on lo) to 127.0.0.1:port; (status, headers, text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read().decode(errors="replace")
    finally:
        conn.close()


def token_try(proxy, source, params, forged=None):
    target = "/api/token?" + h.urllib.parse.urlencode(params)
    headers = {"X-Forwarded-For": forged} if forged else {}
    return request(proxy.api_port, "POST", target, source, headers)[0]


def student_jwt(sub):
    now = int(time.time())
    return h.make_jwt({"iss": "airclass", "sub": sub, "user_type": "student",
                       "path": "live/stream", "action": "read", "iat": now, "exp": now + 600})


def offer_through(proxy, source, jwt, offer, forged=None):
    headers = {"Content-Type": "application/sdp"}
    if forged:
        headers["X-Forwarded-For"] = forged
    return request(proxy.whep_port, "POST", f"/live/stream/whep?jwt={jwt}", source, headers,
                   offer)


def limiter_checks(c, srv, proxy):
    codes = [token_try(proxy, CLIENT_A, WRONG) for _ in range(8)]
    c.check("trusted proxy: one client's wrong passcodes: 5 free + 1 checked (401), then 429",
            codes[:6] == [401] * 6 and codes[6:] == [429] * 2, str(codes))
    code = token_try(proxy, CLIENT_B, dict(WRONG, user_id="other"))
    c.check("trusted proxy: another client through the same nginx is still checked (401)",
            code == 401, str(code))
    code = token_try(proxy, CLIENT_B, dict(WRONG, passcode=h.TEACHER_PASSCODE))
    c.check("trusted proxy: ... and gets its token with the right passcode (200)", code == 200,
            str(code))
    c.check("log: the guesser's address, not the proxy's",
            srv.wait_log(f"wrong teacher_passcode from {CLIENT_A} ", 5), srv.log_text()[-2000:])
    c.check("log: 'client via proxy'", srv.wait_log(
        f"from {CLIENT_A} via proxy 127.0.0.1:", 5), srv.log_text()[-2000:])
    # A forged entry is left of what nginx appends: the client is still its own address.
    codes = [token_try(proxy, CLIENT_C, WRONG, forged=FORGED) for _ in range(7)]
    c.check("forged X-Forwarded-For: the forger is throttled as itself", codes[6] == 429,
            str(codes))
    log = srv.log_text()
    c.check("forged X-Forwarded-For: the log names the real client, never the forged address",
            f"from {CLIENT_C} " in log and f"from {FORGED}" not in log and FORGED not in log,
            log[-2000:])
    code = token_try(proxy, CLIENT_D, dict(WRONG, user_id="d"), forged=FORGED)
    c.check("forged X-Forwarded-For: the forged address's own clients are not held back",
            code == 401, str(code))


def whep_checks(c, srv, proxy, offer):
    status, hdrs, text = offer_through(proxy, CLIENT_A, student_jwt("viewer"), offer)
    c.check("WHEP offer through nginx: 201 with an SDP answer and a Location",
            status == 201 and text.startswith("v=0") and
            (hdrs.get("Location") or "").startswith("/whep/session/"), f"{status} {text[:200]}")
    c.check("log: the WHEP viewer's address through the proxy",
            srv.wait_log(f"{CLIENT_A} via proxy 127.0.0.1:", 5), srv.log_text()[-2000:])
    remote = student_jwt("remote-tool")
    codes = [offer_through(proxy, CLIENT_B, remote, offer, forged="127.0.0.1")[0]
             for _ in range(5)]
    c.check("loopback rule by the client: a remote client through the loopback proxy, forging "
            "127.0.0.1, is held to 4 pending offers per token", codes == [201] * 4 + [429],
            str(codes))
    local = student_jwt("local-tool")
    codes = [offer_through(proxy, LOCAL_CLIENT, local, offer)[0] for _ in range(6)]
    c.check("loopback rule by the client: a client on this machine through the same proxy is "
            "not (6 offers of one token answered)", codes == [201] * 6, str(codes))


def caddy_checks(c, args, offer):
    """The same node behind Caddy: per-client limits and a WHEP offer through it."""
    yaml = "trustedProxies: [127.0.0.1]\n"
    with h.Server(args.server, extra_yaml=yaml, webrtc=True) as srv, Caddy(srv) as proxy:
        codes = [token_try(proxy, CLIENT_A, WRONG, forged=FORGED) for _ in range(7)]
        code = token_try(proxy, CLIENT_B, dict(WRONG, passcode=h.TEACHER_PASSCODE))
        c.check("Caddy: one client's guesses throttle it (429) and not another client (200)",
                codes[:6] == [401] * 6 and codes[6] == 429 and code == 200, f"{codes} {code}")
        c.check("Caddy: the log names the client via the proxy", srv.wait_log(
            f"from {CLIENT_A} via proxy 127.0.0.1:", 5), srv.log_text()[-2000:])
        pub = h.ffmpeg_publish(srv.url(), 20, size="320x240", rate=15, gop=15)
        c.check("Caddy: publisher live", srv.wait_log("video H264", timeout=15))
        status, hdrs, text = offer_through(proxy, CLIENT_A, student_jwt("caddy-viewer"), offer)
        c.check("Caddy: WHEP offer through it answered 201 with an SDP answer",
                status == 201 and text.startswith("v=0"), f"{status} {text[:200]}")
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)


def untrusted_checks(c, args):
    """No trustedProxies: X-Forwarded-For is ignored and every client is nginx's address."""
    with h.Server(args.server, webrtc=True) as srv, Nginx(srv) as proxy:
        codes = [token_try(proxy, CLIENT_A, WRONG) for _ in range(7)]
        c.check("no trustedProxies: the guesser gets 429 after its free tries", codes[6] == 429,
                str(codes))
        code = token_try(proxy, CLIENT_B, dict(WRONG, passcode=h.TEACHER_PASSCODE))
        c.check("no trustedProxies: every client behind the proxy is throttled with it (429)",
                code == 429, str(code))
        log = srv.log_text()
        c.check("no trustedProxies: the log names the proxy (127.0.0.1), not the client",
                "wrong teacher_passcode from 127.0.0.1:" in log and f"from {CLIENT_A}" not in log,
                log[-2000:])
        c.server_ends_cleanly(srv)


def main():
    h.in_private_netns()
    args = h.parse_args()
    for ip in (CLIENT_A, CLIENT_B, CLIENT_C, CLIENT_D):
        subprocess.run(["ip", "addr", "add", f"{ip}/32", "dev", "lo"], check=True)
    with open(os.path.join(args.data, "sdp", "chrome_recvonly_offer.sdp")) as f:
        offer = f.read()
    c = h.Checks()
    yaml = "trustedProxies: [127.0.0.1]\n"
    with h.Server(args.server, extra_yaml=yaml, webrtc=True) as srv, Nginx(srv) as proxy:
        pub = h.ffmpeg_publish(srv.url(), 30, size="320x240", rate=15, gop=15)
        limiter_checks(c, srv, proxy)
        c.check("publisher live", srv.wait_log("video H264", timeout=15))
        whep_checks(c, srv, proxy, offer)
        h.finish_early(pub, what="ffmpeg publisher")
        c.server_ends_cleanly(srv)
    caddy_checks(c, args, offer)
    untrusted_checks(c, args)
    c.finish()


if __name__ == "__main__":
    main()
