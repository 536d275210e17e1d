"""Every way in, refused and admitted: the token API (parameters, passcodes, rate limit), WHEP
(no token, garbage, alg none, foreign secret, expired, wrong path, publish token; ?jwt= and
Bearer admitted), RTMP publish (no or wrong password, read token; password and publish token
admitted), RTMP play (loopback free; another address needs a read token), /api/streams gating,
/health turning true when the publish starts, and a /metrics scrape that parses as Prometheus
text and counts what happened. Runs in a private network namespace that also gives lo the
non-loopback address 10.9.0.1, so "from another machine" can be tested without leaving it."""
import http.client
import json
import os
import subprocess
import time
import urllib.parse

from prometheus_client.parser import text_string_to_metric_families

import harness as h

OTHER_IP = "10.9.0.1"
ADMIN_KEY = "e2e-admin-key-0123456789"


def claims(user_type, path, action, now=None, ttl=600, **extra):
    now = int(now or time.time())
    c = {"iss": "airclass", "sub": "e2e", "user_type": user_type, "path": path,
         "action": action, "iat": now, "exp": now + ttl}
    c.update(extra)
    return c


def offer_text(args):
    with open(os.path.join(args.data, "sdp", "chrome_recvonly_offer.sdp")) as f:
        return f.read()


def post_whep(srv, path="live/stream", jwt=None, bearer=None, body=None):
    url = srv.bare_whep_url(path) + (f"?jwt={jwt}" if jwt is not None else "")
    headers = {"Content-Type": "application/sdp"}
    if bearer is not None:
        headers["Authorization"] = bearer
    req = h.urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)
    try:
        with h.urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), r.headers
    except h.urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), e.headers


def delete(srv, location):
    req = h.urllib.request.Request(f"http://127.0.0.1:{srv.http_port}{location}", method="DELETE")
    with h.urllib.request.urlopen(req, timeout=10) as r:
        return r.status


def token_api_checks(c, srv):
    status, body, _ = srv.api("POST", "/api/token", {"user_type": "student", "user_id": "ana"})
    c.check("student token -> 200", status == 200, f"{status} {body}")
    if status != 200:
        return
    want = f"http://127.0.0.1:{srv.http_port}/live/stream/whep?jwt={body.get('token')}"
    c.check("webrtc_url points at WHEP with the token", body.get("webrtc_url") == want,
            body.get("webrtc_url", ""))
    c.check("answer fields", (body.get("expires_in"), body.get("user_type"), body.get("user_id"),
                              body.get("mode")) == (3600, "student", "ana", "standalone"),
            str(body))
    cl = h.jwt_claims(body["token"])
    c.check("claims sub/user_type/path/action/iss/iat/exp",
            (cl.get("sub"), cl.get("user_type"), cl.get("path"), cl.get("action"), cl.get("iss"))
            == ("ana", "student", "live/stream", "read", "airclass") and
            cl.get("exp", 0) - cl.get("iat", 0) == 3600, str(cl))
    status, body, _ = srv.api("POST", "/api/token", {"user_type": "teacher", "user_id": "t"})
    c.check("teacher without passcode -> 401", status == 401 and "passcode" in str(body),
            f"{status} {body}")
    status, body, _ = srv.api("POST", "/api/token",
                              {"user_type": "teacher", "user_id": "t", "passcode": "guess"})
    c.check("teacher with a wrong passcode -> 401", status == 401, f"{status} {body}")
    t = srv.token("teacher", "teacher-1")
    url = t.get("rtmp_url") or ""
    prefix = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/stream?jwt="
    pc = h.jwt_claims(url[len(prefix):]) if url.startswith(prefix) else {}
    c.check("teacher token with passcode, and the RTMP URL to publish: a publish token for their "
            "own path, never the publish password",
            (pc.get("action"), pc.get("path"), pc.get("sub")) == ("publish", "live/stream",
                                                                  "teacher-1") and
            h.PUBLISH_PASSWORD not in url, url)
    m = srv.token("monitor", "wall", path="*")
    c.check("monitor token for every path", h.jwt_claims(m["token"]).get("path") == "*", str(m))
    for params, why in [({"user_type": "publisher", "user_id": "x"}, "publisher type"),
                        ({"user_type": "student"}, "no user_id"),
                        ({"user_type": "student", "user_id": "x" * 200}, "user_id too long"),
                        ({"user_type": "student", "user_id": "x", "path": "../etc"}, "bad path"),
                        ({"user_type": "student", "user_id": "x", "path": "*"}, "student on *"),
                        ({"user_id": "x"}, "no user_type")]:
        status, body, _ = srv.api("POST", "/api/token", params)
        c.check(f"token API: {why} -> 400 with a reason", status == 400 and "error" in body,
                f"{status} {body}")
    status, body, _ = srv.api("POST", "/api/token", headers={"Content-Type": "application/json"},
                              body=b'{"user_type": "student", "user_id": "json-user"}')
    c.check("token API takes a JSON body", status == 200 and body.get("user_id") == "json-user",
            f"{status} {body}")
    for raw in [b'{"user_type": ', b"[" * 5000, b'{"user_type": {"a": 1}}', b"\xff\xfe"]:
        status, body, _ = srv.api("POST", "/api/token", body=raw,
                                  headers={"Content-Type": "application/json"})
        c.check(f"bad JSON {raw[:12]!r} -> 400", status == 400, f"{status} {body}")
    status, _, hdrs = srv.api("GET", "/api/token")
    c.check("GET /api/token -> 405", status == 405, str(status))


def whep_checks(c, srv, args):
    offer = offer_text(args)
    now = time.time()
    cases = [
        (None, None, 401, "no token"),
        ("garbage", None, 401, "garbage token"),
        (h.make_jwt(claims("student", "live/stream", "read"), alg="none"), None, 401, "alg none"),
        (h.make_jwt(claims("student", "live/stream", "read"), secret="x" * 40), None, 401,
         "foreign secret"),
        (h.make_jwt(claims("student", "live/stream", "read", now=now - 7200)), None, 401,
         "expired"),
        (h.make_jwt(claims("student", "live/stream", "read", iss="someone")), None, 401,
         "wrong issuer"),
        (srv.token(path="live/other")["token"], None, 403, "token for another path"),
        (h.make_jwt(claims("publisher", "live/stream", "publish")), None, 403, "publish token"),
        (None, "Basic dXNlcjpwYXNz", 401, "Basic auth"),
    ]
    for jwt, bearer, want, why in cases:
        status, text, hdrs = post_whep(srv, jwt=jwt, bearer=bearer, body=offer)
        c.check(f"WHEP {why} -> {want}", status == want, f"{status} {text[:200]}")
        if want == 401:
            c.check(f"WHEP {why}: WWW-Authenticate", "Bearer" in (hdrs.get("WWW-Authenticate")
                                                                  or ""), str(dict(hdrs)))
    token = srv.token(user_id="bearer-user")["token"]
    status, text, hdrs = post_whep(srv, bearer=f"Bearer {token}", body=offer)
    c.check("WHEP with Authorization: Bearer -> 201", status == 201, f"{status} {text[:200]}")
    if status == 201:
        c.check("DELETE the session -> 200", delete(srv, hdrs["Location"]) == 200)
    status, text, hdrs = post_whep(srv, jwt=token, body=offer)
    c.check("WHEP with ?jwt= -> 201", status == 201, f"{status} {text[:200]}")
    if status == 201:
        delete(srv, hdrs["Location"])


def delete_with(srv, location, headers=None):
    req = h.urllib.request.Request(f"http://127.0.0.1:{srv.http_port}{location}", method="DELETE",
                                   headers=headers or {})
    try:
        with h.urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except h.urllib.error.HTTPError as e:
        return e.code


def isolation_checks(c, srv, args):
    """Two classes on one node: a teacher of live/other neither lists nor ends live/stream's
    viewers; a viewer's session ends with its own Location (its key) or a staff token of its
    class; viewers' addresses are for the admin key only."""
    offer = offer_text(args)
    status, text, hdrs = post_whep(srv, jwt=srv.token(user_id="iso-student")["token"], body=offer)
    location = hdrs.get("Location", "") if status == 201 else ""
    parts = location.split("/")
    c.check("WHEP Location carries the session id and a key: /whep/session/<id>/<key>",
            len(parts) == 5 and parts[:3] == ["", "whep", "session"] and len(parts[4]) >= 20,
            f"{status} {location}")
    if len(parts) != 5:
        return
    bare = "/".join(parts[:4])
    other = {"Authorization": "Bearer " + srv.token("teacher", "t-other", path="live/other")["token"]}
    mine = {"Authorization": "Bearer " + srv.token("teacher", "t-mine")["token"]}
    status, body, _ = srv.api("GET", "/api/streams", headers=other)
    paths = [s.get("path") for s in body.get("streams", [])] if status == 200 else None
    c.check("another class's teacher lists only its class (not live/stream)",
            paths is not None and "live/stream" not in paths, f"{status} {paths}")
    status, body, _ = srv.api("GET", "/api/streams/live/stream", headers=other)
    c.check("another class's teacher: /api/streams/live/stream -> 403", status == 403,
            f"{status} {body}")
    c.check("DELETE by id alone, no credentials -> 401", delete_with(srv, bare) == 401)
    c.check("DELETE by id with another class's teacher token -> 403",
            delete_with(srv, bare, other) == 403)
    c.check("DELETE with a wrong key -> 403", delete_with(srv, bare + "/" + "x" * 24) == 403)
    # A connected viewer (our WHEP client) for the listings: pending offers are not listed.
    client = h.whep_client(args.client, srv.whep_url(), 8)
    viewers, t0 = [], time.time()
    while not viewers and time.time() - t0 < 6:
        time.sleep(0.3)
        status, body, _ = srv.api("GET", "/api/streams/live/stream", headers=mine)
        viewers = body.get("viewers", []) if status == 200 else []
    c.check("the class's own teacher lists the viewer, without its address",
            len(viewers) >= 1 and all("remote" not in v and "transport" in v for v in viewers),
            f"{status} {viewers}")
    status, body, _ = srv.api("GET", "/api/streams", headers=other)
    listed = sum(len(s.get("viewers", [])) for s in body.get("streams", [])) if status == 200 \
        else -1
    c.check("another class's teacher sees none of those viewers", listed == 0, str(listed))
    status, body, _ = srv.api("GET", "/api/streams/live/stream", headers={"X-API-Key": ADMIN_KEY})
    adm = body.get("viewers", []) if status == 200 else []
    c.check("the admin key sees the viewers' addresses",
            len(adm) >= 1 and all(v.get("remote", "").startswith("127.0.0.1:") for v in adm),
            f"{status} {adm}")
    client.kill()
    client.wait()
    c.check("DELETE by id with the class's own teacher token -> 200",
            delete_with(srv, bare, mine) == 200)
    status, text, hdrs = post_whep(srv, jwt=srv.token(user_id="iso-2")["token"], body=offer)
    c.check("a viewer ends its own session with its Location -> 200",
            status == 201 and delete_with(srv, hdrs["Location"]) == 200, f"{status}")


def class_code_checks(c, args):
    """classCodes: a class's own code, instead of classCode, for its path."""
    yml = 'airclass:\n  classCode: general-code\n  classCodes: ["live/math=math-code"]\n'
    with h.Server(args.server, extra_yaml=yml) as srv:
        def student(path, code):
            params = {"user_type": "student", "user_id": "s", "path": path}
            if code:
                params["code"] = code
            return srv.api("POST", "/api/token", params)[0]
        c.check("class codes: live/math without a code -> 401", student("live/math", None) == 401)
        c.check("class codes: live/math with the node's classCode -> 401",
                student("live/math", "general-code") == 401)
        c.check("class codes: live/math with its own code -> 200",
                student("live/math", "math-code") == 200)
        c.check("class codes: live/stream with the node's classCode -> 200",
                student("live/stream", "general-code") == 200)
        c.check("class codes: live/stream with live/math's code -> 401",
                student("live/stream", "math-code") == 401)
        c.check("class-code server alive", srv.alive() and srv.stop() == 0)


def rtmp_refused(srv, url, needle):
    """ffmpeg tries to publish; returns (refused, detail)."""
    before = srv.log_text().count(needle)
    pub = h.ffmpeg_publish(url, 3, size="320x240")
    code = h.wait(pub, 30, "refused publisher")
    return code != 0 and srv.log_text().count(needle) > before, f"exit {code}"


def rtmp_checks(c, srv):
    base = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/stream"
    for url, why in [(base, "no password"), (base + "?pwd=wrong", "wrong password"),
                     (base + "?jwt=" + srv.token()["token"], "a read token")]:
        ok, detail = rtmp_refused(srv, url, "publish on live/stream refused")
        c.check(f"RTMP publish with {why} refused", ok, detail + srv.log_text()[-1500:])
    publish_token = h.make_jwt(claims("publisher", "live/tokened", "publish"))
    pub = h.ffmpeg_publish(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/tokened?jwt={publish_token}",
                           2, size="320x240")
    c.check("RTMP publish with a publish token admitted", h.wait(pub, 30, "pub") == 0 and
            "publishing live/tokened" in srv.log_text(), srv.log_text()[-1500:])


def health(srv):
    status, body, _ = srv.api("GET", "/health")
    return body if status == 200 else {}


def play_checks(c, srv):
    """RTMP play of the live stream: loopback free, another address only with a read token."""
    other = f"rtmp://{OTHER_IP}:{srv.rtmp_port}/live/stream"
    out = os.path.join(srv.workdir, "other.flv")
    p = subprocess.run(h.FFMPEG + ["-rw_timeout", "5000000", "-i", other, "-t", "1", "-c", "copy",
                                   "-f", "flv", "-y", out], capture_output=True, timeout=30)
    c.check("RTMP play from another address without token refused",
            p.returncode != 0 and "play on live/stream refused" in srv.log_text(),
            p.stderr.decode()[-500:])
    node = h.make_jwt(claims("node", "*", "read"))
    p = subprocess.run(h.FFMPEG + ["-rw_timeout", "5000000", "-i", f"{other}?jwt={node}", "-t",
                                   "1", "-c", "copy", "-f", "flv", "-y", out],
                       capture_output=True, timeout=30)
    c.check("RTMP play from another address with a node token", p.returncode == 0 and
            os.path.getsize(out) > 10000, p.stderr.decode()[-500:])
    local = os.path.join(srv.workdir, "local.flv")
    p = subprocess.run(h.FFMPEG + ["-rw_timeout", "5000000", "-i", srv.url(password=None), "-t",
                                   "1", "-c", "copy", "-f", "flv", "-y", local],
                       capture_output=True, timeout=30)
    c.check("RTMP play from loopback needs no token", p.returncode == 0, p.stderr.decode()[-500:])


def streams_checks(c, srv):
    status, body, hdrs = srv.api("GET", "/api/streams")
    c.check("/api/streams without credentials -> 401", status == 401, f"{status} {body}")
    student = srv.token()["token"]
    status, body, _ = srv.api("GET", "/api/streams", headers={"Authorization": f"Bearer {student}"})
    c.check("/api/streams with a student token -> 403", status == 403, f"{status} {body}")
    teacher = srv.token("teacher", "t")["token"]
    status, body, _ = srv.api("GET", "/api/streams", headers={"Authorization": f"Bearer {teacher}"})
    live = [s for s in body.get("streams", []) if s.get("path") == "live/stream"] \
        if status == 200 else []
    c.check("/api/streams with a teacher token lists the live stream", live and
            live[0].get("active") and (live[0].get("video") or {}).get("width") == 640,
            f"{status} {body}")
    status, body, _ = srv.api("GET", "/api/streams/live/stream",
                              {"passcode": h.TEACHER_PASSCODE})
    c.check("/api/streams/{path} with the passcode", status == 200 and
            body.get("path") == "live/stream", f"{status} {body}")
    status, body, _ = srv.api("GET", "/api/streams/live/none", {"passcode": h.TEACHER_PASSCODE})
    c.check("/api/streams/{unknown} -> 404", status == 404, f"{status} {body}")


def metrics_checks(c, srv):
    status, text, hdrs = srv.api("GET", "/metrics")
    c.check("/metrics -> 200 text/plain 0.0.4", status == 200 and
            "version=0.0.4" in (hdrs.get("Content-Type") or ""), str(status))
    try:
        fams = {f.name: f for f in text_string_to_metric_families(text)}
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        c.check("/metrics parses as Prometheus text", False, f"{e}\n{text[:2000]}")
        return
    c.check("/metrics parses as Prometheus text", len(fams) >= 15, ", ".join(fams))

    def value(family, **labels):
        f = fams.get(family)
        for s in (f.samples if f else []):
            if all(s.labels.get(k) == v for k, v in labels.items()) and \
                    not s.name.endswith("_created"):
                return s.value
        return None
    c.check("metrics: streams active", (value("airclass_streams_active") or 0) >= 1)
    c.check("metrics: student tokens issued",
            (value("airclass_tokens_issued", user_type="student") or 0) >= 5,
            str(value("airclass_tokens_issued", user_type="student")))
    c.check("metrics: WHEP 401s and 403s counted",
            (value("airclass_auth_failures", entry="whep", status="401") or 0) >= 6 and
            (value("airclass_auth_failures", entry="whep", status="403") or 0) >= 2)
    c.check("metrics: refused RTMP publishes counted",
            (value("airclass_auth_failures", entry="rtmp_publish", status="401") or 0) >= 2)
    c.check("metrics: WHEP sessions counted", (value("airclass_whep_sessions") or 0) >= 2)
    for fam in ("airclass_ingest_bitrate_bits_per_second", "airclass_egress_packets",
                "airclass_nack_requests", "airclass_plis", "airclass_handshakes_failed",
                "airclass_viewers", "airclass_egress_latency_seconds",
                "airclass_egress_wait_seconds", "airclass_egress_fanout_seconds",
                "airclass_nacks_unanswered", "airclass_keyframe_replays_paced",
                "airclass_send_buffer_waits"):
        c.check(f"metrics: {fam} present", fam in fams)
    # The kernel caps SO_SNDBUF silently at net.core.wmem_max: the server reads back what it got
    # (asked 8 MiB; root passes the cap with SO_SNDBUFFORCE).
    sndbuf = value("airclass_udp_send_buffer_bytes") or 0
    c.check("metrics: media socket send buffer read back (>= 4 MiB)", sndbuf >= 4 << 20,
            str(sndbuf))
    c.check("log: media socket buffers reported",
            srv.wait_log("media socket buffers: send", timeout=1))


def rate_limit_checks(c, args):
    env = {"AIRCLASS_TOKEN_RATE_BURST": "3", "AIRCLASS_TOKEN_RATE_PER_SECOND": "0.5"}
    with h.Server(args.server, env=env) as srv:
        codes = [srv.api("POST", "/api/token", {"user_type": "student", "user_id": "u"})[0]
                 for _ in range(3)]
        status, body, hdrs = srv.api("POST", "/api/token", {"user_type": "student",
                                                            "user_id": "u"})
        c.check("token flood: burst answered, then 429 with Retry-After", codes == [200] * 3 and
                status == 429 and int(hdrs.get("Retry-After") or 0) >= 1, f"{codes} {status}")
        c.check("rate-limited server alive", srv.alive() and srv.stop() == 0)


def post_token_from(srv, source_ip, params):
    """POST /api/token from a chosen local address; (status, JSON or text, Retry-After)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.api_port, timeout=10,
                                      source_address=(source_ip, 0))
    try:
        conn.request("POST", "/api/token?" + urllib.parse.urlencode(params))
        r = conn.getresponse()
        text = r.read().decode(errors="replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = text
        return r.status, body, int(r.getheader("Retry-After") or 0)
    finally:
        conn.close()


def post_whep_from(srv, source_ip, jwt, body):
    """POST a WHEP offer with ?jwt= from a chosen local address; (status, text)."""
    conn = http.client.HTTPConnection(srv.public_host, srv.http_port, timeout=10,
                                      source_address=(source_ip, 0))
    try:
        conn.request("POST", f"/live/stream/whep?jwt={jwt}", body=body,
                     headers={"Content-Type": "application/sdp"})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def forged_token_checks(c, srv, args):
    """Forged tokens are guesses at a token: through the same limiter (5 free, then 429
    unchecked), per address; an expired token is not a guess, and a valid token from another
    address is not held back."""
    offer = offer_text(args)
    expired = h.make_jwt(claims("student", "live/stream", "read", now=time.time() - 7200))
    statuses = [post_whep_from(srv, OTHER_IP, expired, offer)[0] for _ in range(8)]
    c.check("WHEP: expired tokens are not counted as guesses (all 401)",
            statuses == [401] * 8, str(statuses))
    forged = h.make_jwt(claims("student", "live/stream", "read"), secret="y" * 40)
    statuses = [post_whep_from(srv, "127.0.0.1", forged, offer)[0] for _ in range(12)]
    c.check("WHEP: forged tokens from one address: 5 free + 1 checked (401), then 429 "
            "unchecked", statuses[:6] == [401] * 6 and statuses[6:].count(429) >= 5,
            str(statuses))
    status, text = post_whep_from(srv, OTHER_IP, srv.token(user_id="other")["token"], offer)
    c.check("WHEP: a valid token from another address is not held back",
            status not in (401, 429), f"{status} {text[:200]}")
    c.check("log: forged WHEP tokens logged", srv.wait_log("wrong bearer from 127.0.0.1", 1))


def guessing_checks(c, args):
    """Passcode guessing from one address: 5 free failures, then a back-off doubling from 1 s
    (to 60 s) during which attempts are refused unchecked; the correct passcode from another
    address works at once, and students at the guesser's own address still get tokens."""
    with h.Server(args.server, webrtc=True) as srv:
        forged_token_checks(c, srv, args)
        wrong = {"user_type": "teacher", "user_id": "guesser", "passcode": "guess-0000"}
        statuses, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 3.0:
            statuses.append(post_token_from(srv, "127.0.0.1", wrong)[0])
        checked, throttled = statuses.count(401), statuses.count(429)
        print(f"figure: passcode guessing for 3 s from one address: {len(statuses)} tries, "
              f"{checked} checked (401), {throttled} refused unchecked (429)")
        c.check("passcode guessing slowed: 5 free + at most 3 back-off checks in 3 s, the rest "
                "429 unchecked", 5 <= checked <= 8 and throttled > 0,
                f"{checked} checked, {throttled} throttled of {len(statuses)}")
        # Wait for the next check the back-off allows: its failure opens a window of >= 4 s in
        # which everything below runs.
        t = time.monotonic()
        while post_token_from(srv, "127.0.0.1", wrong)[0] != 401 and time.monotonic() - t < 10:
            time.sleep(0.05)
        status, body, retry = post_token_from(srv, "127.0.0.1", wrong)
        c.check("a throttled guess: 429 with Retry-After and a message naming the passcode",
                status == 429 and retry >= 1 and "teacher passcode" in str(body),
                f"{status} {retry} {body}")
        status, _, _ = srv.api("GET", "/api/streams", {"passcode": "guess-0001"})
        c.check("/api/streams?passcode= guessing from that address is throttled too",
                status == 429, str(status))
        right = dict(wrong, user_id="teacher", passcode=h.TEACHER_PASSCODE)
        t = time.monotonic()
        status, body, _ = post_token_from(srv, OTHER_IP, right)
        c.check("the correct passcode from another address works at once",
                status == 200 and time.monotonic() - t < 1.0, f"{status} {body}")
        status, body, _ = post_token_from(srv, "127.0.0.1",
                                          {"user_type": "student", "user_id": "neighbour"})
        c.check("a student at the guesser's address still gets a token (the guesses did not "
                "spend the address's token budget)", status == 200, f"{status} {body}")
        c.check("log: wrong passcodes logged",
                srv.wait_log("wrong teacher_passcode from 127.0.0.1", timeout=1))
        _, text, _ = srv.api("GET", "/metrics")
        failures = throttled_metric = None
        for fam in text_string_to_metric_families(text if isinstance(text, str) else ""):
            for smp in fam.samples:
                if smp.labels.get("secret") == "teacher_passcode" and \
                        not smp.name.endswith("_created"):
                    if smp.name == "airclass_secret_failures_total":
                        failures = smp.value
                    if smp.name == "airclass_secret_throttled_total":
                        throttled_metric = smp.value
        c.check("metrics: secret failures and throttled attempts counted",
                (failures or 0) >= checked and (throttled_metric or 0) >= throttled,
                f"failures {failures}, throttled {throttled_metric}")
        c.check("server alive after the guessing", srv.alive() and srv.stop() == 0)


def main():
    args = h.parse_args()
    h.in_private_netns()
    subprocess.run(["ip", "addr", "add", f"{OTHER_IP}/32", "dev", "lo"], check=True)
    c = h.Checks()
    srv = h.Server(args.server, webrtc=True)
    srv.env["AIRCLASS_RTMP_ADDRESS"] = f"0.0.0.0:{srv.rtmp_port}"
    srv.env["AIRCLASS_ADMIN_KEY"] = ADMIN_KEY
    with srv:
        hb = health(srv)
        c.check("/health before the publish: ok, stream not active",
                hb.get("status") == "ok" and hb.get("stream_active") is False and
                hb.get("mode") == "standalone", str(hb))
        token_api_checks(c, srv)
        rtmp_checks(c, srv)
        pub = h.ffmpeg_publish(srv.url(), 30, size="640x360")
        t0 = time.time()
        while time.time() - t0 < 10 and not health(srv).get("stream_active"):
            time.sleep(0.1)
        c.check("/health turns true when the publish starts", health(srv).get("stream_active"),
                str(health(srv)))
        print(f"figure: /health true {time.time() - t0:.2f} s after ffmpeg started")
        time.sleep(1.5)  # stream status (fps, size) settles
        whep_checks(c, srv, args)
        isolation_checks(c, srv, args)
        play_checks(c, srv)
        streams_checks(c, srv)
        metrics_checks(c, srv)
        pub.kill()
        pub.wait()
        c.server_ends_cleanly(srv)
    rate_limit_checks(c, args)
    guessing_checks(c, args)
    class_code_checks(c, args)
    c.finish()


if __name__ == "__main__":
    main()
