"""The real binary's configuration front door: strict file parsing (unknown key, wrong type:
exit 2 with file:line and a suggestion), AIRCLASS_* variables and --set overriding the file,
--print-config masking secrets, and the repository's airclass.yml matching the defaults.
Needs no network: every run stops at --print-config or at a config error."""
import os
import subprocess
import tempfile

import harness as h

REPO = os.path.dirname(os.path.dirname(h.E2E_DIR))


def run(server, args, env=None, config=None, workdir=None):
    """Runs the binary; returns (exit code, stdout, stderr)."""
    cmd = [server]
    if config is not None:
        path = os.path.join(workdir, "airclass.yml")
        with open(path, "w") as f:
            f.write(config)
        cmd += ["--config", path]
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRCLASS_")}
    base.update(env or {})
    out = subprocess.run(cmd + args, capture_output=True, text=True, env=base, timeout=30)
    return out.returncode, out.stdout, out.stderr


def main():
    args = h.parse_args()
    c = h.Checks()
    work = tempfile.mkdtemp(prefix="airclass-config-")

    code, _, err = run(args.server, ["--print-config"], workdir=work,
                       config="rtmp: yes\nairclass:\n  maxViewers: 5\n  teacherPassCode: abcd\n")
    c.check("unknown key: exit 2", code == 2, f"{code} {err}")
    c.check("unknown key: file, line and suggestion",
            "airclass.yml:4: unknown key 'airclass.teacherPassCode'; did you mean "
            "'teacherPasscode'?" in err, err)

    code, _, err = run(args.server, [], workdir=work,
                       config="rtmp: yes\n\nrtmpAddress: abc\n")
    c.check("wrong type: exit 2 with the line", code == 2 and
            "airclass.yml:3: key 'rtmpAddress': expected an address like :1935, got 'abc'" in err,
            f"{code} {err}")

    code, _, err = run(args.server, [], workdir=work, config="rtmp: yes\nrtmp: no\n")
    c.check("duplicate key: exit 2", code == 2 and ":2: duplicate key 'rtmp'" in err, err)

    config = ("airclass:\n  teacherPasscode: file-passcode\n  maxViewers: 10\n"
              "  apiAddress: 127.0.0.1:8001\n  tokenTTL: 10m\n")
    env = {"AIRCLASS_TEACHER_PASSCODE": "env-passcode", "AIRCLASS_MAX_VIEWERS": "20",
           "AIRCLASS_TOKEN_TTL": "20m", "AIRCLASS_CLASS_CODE": "env-class-code"}
    code, out, err = run(args.server, ["--print-config", "--set", "maxViewers=30",
                                       "--set", "airclass.publishPassword=cli-password",
                                       "-l", "debug"], env=env, config=config, workdir=work)
    c.check("print-config: exit 0", code == 0, f"{code} {err}")
    c.check("print-config: secrets masked", '  teacherPasscode: "***"' in out and
            '  publishPassword: "***"' in out and '  classCode: "***"' in out and
            '  adminKey: ""' in out, out)
    leaked = [s for s in ("file-passcode", "env-passcode", "cli-password", "env-class-code")
              if s in out or s in err]
    c.check("print-config: no secret in any output", not leaked, str(leaked))
    c.check("print-config: --set beats environment beats file", "  maxViewers: 30 " in out, out)
    c.check("print-config: environment beats file", "  tokenTTL: 20m " in out, out)
    c.check("print-config: file beats default", "  apiAddress: 127.0.0.1:8001 " in out, out)
    c.check("print-config: --log-level applied", "\nlogLevel: debug " in out, out)

    code, _, err = run(args.server, ["--print-config"], env={"AIRCLASS_API_ADDRESS": "x"},
                       workdir=work)
    c.check("bad env value: exit 2 naming the variable", code == 2 and
            "environment AIRCLASS_API_ADDRESS: expected an address like :8000, got 'x'" in err,
            f"{code} {err}")

    code, _, err = run(args.server, ["--print-config"],
                       env={"AIRCLASS_TOKEN_SECRET": "short-env-secret"}, workdir=work)
    c.check("bad secret env: exit 2, value not echoed",
            code == 2 and "AIRCLASS_TOKEN_SECRET" in err and "short-env-secret" not in err, err)

    code, _, err = run(args.server, ["--print-config"], env={"AIRCLASS_MAX_VEIWERS": "3"},
                       workdir=work)
    c.check("unknown env variable: warning with suggestion, exit 0", code == 0 and
            "AIRCLASS_MAX_VEIWERS" in err and "did you mean AIRCLASS_MAX_VIEWERS?" in err, err)

    code, _, err = run(args.server, ["--print-config", "--set", "apiAdress=:1"], workdir=work)
    c.check("unknown --set key: exit 2 with suggestion",
            code == 2 and "did you mean 'apiAddress'?" in err, err)
    code, _, err = run(args.server, ["--print-config", "--set", "tokenSecretonly"], workdir=work)
    c.check("--set without '=': exit 2, not echoed",
            code == 2 and "KEY=VALUE" in err and "tokenSecretonly" not in err, err)

    code, _, err = run(args.server, ["--print-config"], workdir=work,
                       config="airclass:\n  mode: sub\n")
    c.check("validation: sub node without tokenSecret: exit 2",
            code == 2 and "tokenSecret" in err, err)
    code, _, err = run(args.server, ["--print-config"], workdir=work,
                       config="airclass:\n  tokenAlgorithm: ES256\n"
                              "  tokenPrivateKeyFile: /nonexistent/key.pem\n")
    c.check("validation: unreadable key file: exit 2",
            code == 2 and "cannot read '/nonexistent/key.pem'" in err, err)

    code, _, err = run(args.server, ["--config", os.path.join(work, "missing.yml")])
    c.check("missing config file: exit 2", code == 2 and "cannot open" in err, err)

    code, defaults, err = run(args.server, ["--print-config"])
    c.check("no config: defaults print", code == 0 and "rtmpAddress: :1935" in defaults, err)
    code, out, err = run(args.server, ["--config", os.path.join(REPO, "airclass.yml"),
                                       "--print-config"])
    c.check("repository airclass.yml loads and holds the defaults", code == 0 and out == defaults,
            f"{code} {err}")
    with open(os.path.join(work, "printed.yml"), "w") as f:
        f.write(defaults)
    code, again, err = run(args.server, ["--config", os.path.join(work, "printed.yml"),
                                         "--print-config"])
    c.check("print-config output reads back", code == 0 and again == defaults, err)

    code, out, _ = run(args.server, ["--version"])
    c.check("--version", code == 0 and out.startswith("airclass "), out)
    c.finish()


if __name__ == "__main__":
    main()
