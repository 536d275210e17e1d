"""TLS everywhere on one node, with a CA the test makes (openssl CLI) and a certificate for
127.0.0.1: webrtcEncryption and apiEncryption yes, rtmpEncryption strict.
- ffmpeg publishes over rtmps://; plain rtmp:// is refused (its port is not even open, and RTMP
  bytes on the RTMPS port fail the handshake);
- headless Chromium, told to trust exactly the test's keys (--ignore-certificate-errors-spki-list),
  fetches a token over https and plays the https webrtc_url it got, frames decoding;
- the certificate files are replaced (new key) and SIGHUP sent: the playing viewer keeps
  playing, and a new TLS connection verified against the CA sees the new certificate;
- plain HTTP and a garbage ClientHello on the HTTPS port are closed; the node keeps serving;
- cluster: a sub trusting the CA (airclass.clusterCA) registers with an https:// main and pulls
  its stream over rtmps://; a sub trusting another CA is refused."""
import base64
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import harness as h


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True).stdout


def make_pki(folder):
    """A CA and two server certificates (own keys) for 127.0.0.1 and localhost."""
    ca_key, ca_crt = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.crt")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", ca_key, "-out", ca_crt, "-days", "1", "-subj", "/CN=AIRClass e2e CA")
    ext = os.path.join(folder, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    pairs = []
    for stem in ("first", "renewed"):
        key, csr, crt = (os.path.join(folder, stem + s) for s in (".key", ".csr", ".crt"))
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "1", "-out", crt, "-extfile", ext)
        pairs.append((crt, key))
    return ca_crt, pairs


def spki_hash(crt):
    """base64(SHA-256(SubjectPublicKeyInfo)), what --ignore-certificate-errors-spki-list takes."""
    pub = openssl("x509", "-in", crt, "-pubkey", "-noout")
    der = openssl("pkey", "-pubin", "-outform", "der", stdin=pub)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def der_fingerprint(der):
    return hashlib.sha256(der).hexdigest()


def file_fingerprint(crt):
    with open(crt) as f:
        return der_fingerprint(ssl.PEM_cert_to_DER_cert(f.read()))


def served_fingerprint(port, ca):
    """A new TLS connection that verifies the server against the test CA."""
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            return der_fingerprint(s.getpeercert(binary_form=True)), s.version()


def https(url, ca, method="GET", timeout=10):
    ctx = ssl.create_default_context(cafile=ca)
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def closed_without_answer(port, payload, wait=8.0):
    """Sends raw bytes; True when the server closes without sending anything readable as HTTP."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(payload)
        got = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return b"HTTP/1." not in got, got[:60]


CLUSTER_SECRET = "e2e-cluster-secret-of-at-least-32-bytes"


def cluster_over_tls(args, c, workdir, ca, tls_yaml):
    """A main node with HTTPS and RTMPS only; a sub that trusts the test CA registers over
    https and pulls the stream over rtmps; a sub trusting another CA is refused."""
    other = os.path.join(workdir, "other")
    os.makedirs(other, exist_ok=True)
    other_ca, _ = make_pki(other)
    node = {"AIRCLASS_CLUSTER_SECRET": CLUSTER_SECRET, "AIRCLASS_LOG_LEVEL": "info"}
    rtmps_port = h.free_port()
    main = h.Server(args.server, extra_yaml=tls_yaml(rtmps_port),
                    env=dict(node, AIRCLASS_MODE="main", AIRCLASS_NODE_ID="main",
                             AIRCLASS_API_ENCRYPTION="yes"))
    with main:
        subs = []
        for name, trusted in (("sub-tls", ca), ("sub-stranger", other_ca)):
            sub = h.Server(args.server, webrtc=True, env=dict(
                node, AIRCLASS_MODE="sub", AIRCLASS_NODE_ID=name, AIRCLASS_CLUSTER_CA=trusted,
                AIRCLASS_MAIN_URL=f"https://127.0.0.1:{main.api_port}",
                AIRCLASS_MAIN_RTMP_URL=f"rtmps://127.0.0.1:{rtmps_port}",
                AIRCLASS_RELAY_ALWAYS="yes"))
            subs.append(sub.start())
        pub = h.ffmpeg_publish(f"rtmps://127.0.0.1:{rtmps_port}/live/stream?pwd="
                               f"{urllib.parse.quote(h.PUBLISH_PASSWORD)}", 20)
        trusting, stranger = subs
        c.check("cluster: a sub registers with the main over https",
                trusting.wait_log("registered with the main node https://"),
                trusting.log_text()[-1500:])
        nodes = []
        deadline = time.time() + 10
        while time.time() < deadline and "sub-tls" not in nodes:
            status, body = https(f"https://127.0.0.1:{main.api_port}/api/cluster/nodes?passcode="
                                 + h.TEACHER_PASSCODE, ca)
            nodes = [n["id"] for n in json.loads(body).get("nodes", [])] if status == 200 else []
            time.sleep(0.2)
        c.check("cluster: the main lists the sub (heartbeats over https)", "sub-tls" in nodes,
                f"{nodes}")
        c.check("cluster: the sub pulls the stream over rtmps, verified",
                trusting.wait_log(f"pulling live/stream from rtmps://127.0.0.1:{rtmps_port}") and
                trusting.wait_log("started playing", timeout=15), trusting.log_text()[-1500:])
        c.check("cluster: a sub trusting another CA is refused (certificate verify failed)",
                stranger.wait_log("certificate verify failed") and "sub-stranger" not in nodes,
                stranger.log_text()[-1500:])
        pub.kill()
        pub.wait()
        for sub in subs:
            c.check(f"cluster: {sub.env['AIRCLASS_NODE_ID']} ends cleanly", sub.stop() == 0)
        c.server_ends_cleanly(main)


def main():
    h.in_private_netns()
    args = h.parse_args()
    c = h.Checks()
    workdir = __import__("tempfile").mkdtemp(prefix="airclass-e2e-tls-")
    ca, [(first_crt, first_key), (renewed_crt, renewed_key)] = make_pki(workdir)
    crt, key = os.path.join(workdir, "server.crt"), os.path.join(workdir, "server.key")
    for src, dst in ((first_crt, crt), (first_key, key)):
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read())
    rtmps_port = h.free_port()

    def tls_yaml(port):
        return (f"webrtcEncryption: yes\nwebrtcServerKey: {key}\nwebrtcServerCert: {crt}\n"
                f"rtmpEncryption: strict\nrtmpsAddress: 127.0.0.1:{port}\n"
                f"rtmpServerKey: {key}\nrtmpServerCert: {crt}\n")
    yaml = tls_yaml(rtmps_port)
    with h.Server(args.server, webrtc=True, workdir=workdir, extra_yaml=yaml,
                  env={"AIRCLASS_API_ENCRYPTION": "yes"}) as srv:
        api = f"https://127.0.0.1:{srv.api_port}"
        status, body = https(api + "/health", ca)
        c.check("GET /health over https, verified against the test CA", status == 200,
                f"{status} {body[:200]}")
        fp, version = served_fingerprint(srv.http_port, ca)
        c.check("WHEP listener serves the first certificate over TLS 1.3",
                fp == file_fingerprint(first_crt) and version == "TLSv1.3", f"{version}")

        # Ingest: RTMPS works, plain RTMP does not.
        pub = h.ffmpeg_publish(f"rtmps://127.0.0.1:{rtmps_port}/live/stream?pwd="
                               f"{urllib.parse.quote(h.PUBLISH_PASSWORD)}", 45,
                               video_args=h.VIDEO_2M)
        c.check("ffmpeg publishes over rtmps://", srv.wait_log("publishing live/stream"),
                srv.log_text()[-1500:])
        c.check("the session was TLS", "over TLS" in srv.log_text())
        plain = subprocess.run(h.FFMPEG + ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10",
                                           "-t", "2", "-c:v", "libx264", "-f", "flv",
                                           srv.url(path="live/plain")],
                               capture_output=True, timeout=30)
        c.check("plain rtmp:// refused (strict: no RTMP listener)", plain.returncode != 0)
        plain_on_tls = subprocess.run(
            h.FFMPEG + ["-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=10", "-t", "2", "-c:v", "libx264", "-f",
                        "flv", f"rtmp://127.0.0.1:{rtmps_port}/live/plain?pwd=x"],
            capture_output=True, timeout=30)
        c.check("RTMP bytes on the RTMPS port fail", plain_on_tls.returncode != 0 and
                srv.wait_log("TLS handshake failed"),
                f"ffmpeg {plain_on_tls.returncode}: {plain_on_tls.stderr[-300:]}; log: "
                f"{srv.log_text()[-800:]}")
        status, body = https(api + "/api/token?" + urllib.parse.urlencode(
            {"user_type": "teacher", "user_id": "t1", "passcode": h.TEACHER_PASSCODE}), ca,
            method="POST")
        answer = json.loads(body) if status == 200 else {}
        c.check("teacher token answer: rtmps:// publish URL and https:// WHEP URL",
                answer.get("rtmp_url", "").startswith(f"rtmps://127.0.0.1:{rtmps_port}/") and
                answer.get("webrtc_url", "").startswith(f"https://127.0.0.1:{srv.http_port}/"),
                f"{status} {body[:300]}")

        # Chromium: token over https, then WHEP over https.
        os.environ["AIRCLASS_CHROMIUM_ARGS"] = (
            "--ignore-certificate-errors-spki-list=" + spki_hash(first_crt) + "," +
            spki_hash(renewed_crt))
        token_url = api + "/api/token?user_type=student&user_id=tls-viewer"
        viewer = h.whep_browser_async(token_url, 30, token_api=True, until_stdin=True)
        time.sleep(9)
        # Renewal: new key and certificate written over the old files, then SIGHUP.
        for src, dst in ((renewed_key, key), (renewed_crt, crt)):
            with open(src, "rb") as f, open(dst + ".new", "wb") as g:
                g.write(f.read())
            os.replace(dst + ".new", dst)
        reloaded_at = time.time() * 1000
        srv.proc.send_signal(signal.SIGHUP)
        c.check("SIGHUP reloads the three certificates",
                srv.wait_log("certificate reloaded", count=3), srv.log_text()[-1500:])
        for name, port in (("WHEP", srv.http_port), ("API", srv.api_port)):
            fp, _ = served_fingerprint(port, ca)
            c.check(f"a new {name} connection sees the renewed certificate",
                    fp == file_fingerprint(renewed_crt))
        time.sleep(5)
        out, err = viewer.communicate(input="stop\n", timeout=60)
        rep = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err[-2000:]}
        c.check("page fetched its token over https", rep.get("tokenStatus") == 200,
                rep.get("error", ""))
        c.check("WHEP POST over https answered 201", rep.get("status") == 201,
                rep.get("error", ""))
        c.check("webrtc_url is https", rep.get("webrtcUrl", "").startswith("https://"),
                rep.get("webrtcUrl", ""))
        timeline = [s for s in rep.get("timeline", []) if s.get("framesDecoded") is not None]
        before = [s["framesDecoded"] for s in timeline if s["t"] <= reloaded_at]
        after = [s["framesDecoded"] for s in timeline if s["t"] >= reloaded_at + 3000]
        c.check("frames decoded before the reload", before and before[-1] >= 60, f"{before[-3:]}")
        c.check("the viewer keeps playing >= 3 s after the reload",
                before and after and after[-1] >= before[-1] + 60,
                f"before {before[-1:]} after {after[-3:]}")

        # Hostile bytes on the HTTPS port.
        ok, got = closed_without_answer(srv.api_port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        c.check("plain HTTP to the HTTPS port is closed without an answer", ok, got)
        ok, got = closed_without_answer(
            srv.http_port, b"\x16\x03\x01\x00\x40" + bytes((i * 37 + 11) % 256 for i in range(64)))
        c.check("a garbage ClientHello is closed", ok, got)
        status, _ = https(api + "/health", ca)
        c.check("the node keeps serving https", status == 200)
        pub.kill()
        pub.wait()
        c.server_ends_cleanly(srv)
    cluster_over_tls(args, c, workdir, ca, tls_yaml)
    c.finish()


if __name__ == "__main__":
    main()
