// `make install` into a staging DESTDIR (twice, and under another PREFIX), the installed
// config through the real server, the systemd unit's hardening and `systemd-analyze verify`
// where systemd-analyze exists, then `make uninstall`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printConfig } from "./lib.mjs";

// Without the MAKEFLAGS of a `make test` above us: its jobserver and variables are not ours.
function makeEnv() {
  const env = { ...process.env };
  for (const k of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"]) delete env[k];
  return env;
}

function make(root, buildDir, target, vars) {
  const args = [
    "-s",
    "-C",
    root,
    target,
    `BUILD_DIR=${buildDir}`,
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
  ];
  const run = spawnSync("make", args, { encoding: "utf8", timeout: 60000, env: makeEnv() });
  return run.status === 0 ? "" : `${run.stdout}${run.stderr}`.trim() || String(run.error);
}

// The unit's [Service] settings (the last value of a repeated key wins, as in systemd).
function unitSettings(text) {
  const settings = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^(\w+)=(.*)$/);
    if (m) settings[m[1]] = m[2];
  }
  return settings;
}

function checkUnit(dest, prefix, config, t) {
  const unitPath = join(dest, "etc/systemd/system/airclass.service");
  const text = readFileSync(unitPath, "utf8");
  const u = unitSettings(text);
  t.check(
    `unit (${prefix}) starts the installed binary with the installed config`,
    u.ExecStart === `${prefix}/bin/airclass --config /etc/airclass/airclass.yml`,
    u.ExecStart,
  );
  const hardening = {
    User: "airclass",
    NoNewPrivileges: "yes",
    ProtectSystem: "strict",
    ProtectHome: "yes",
    PrivateTmp: "yes",
    Restart: "on-failure",
    ExecReload: "/bin/kill -HUP $MAINPID",
  };
  const wrong = Object.entries(hardening)
    .filter(([k, v]) => u[k] !== v)
    .map(([k]) => `${k}=${u[k]}`);
  t.check(
    "unit is hardened, restarts on failure and reloads with SIGHUP",
    !wrong.length,
    wrong.join(" "),
  );
  t.check("unit raises the descriptor limit", Number(u.LimitNOFILE) >= 65536, u.LimitNOFILE);
  // A capability only when the installed config listens below 1024.
  const ports = [
    config.rtmpAddress,
    config.webrtcAddress,
    config.webrtcLocalUDPAddress,
    config.webrtcLocalTCPAddress,
    config.airclass.apiAddress,
  ]
    .map((a) => Number(String(a).split(":").pop()))
    .filter(Boolean);
  const low = ports.some((p) => p < 1024);
  t.check(
    "unit grants CAP_NET_BIND_SERVICE only for a port below 1024",
    low === /CAP_NET_BIND_SERVICE/.test(u.AmbientCapabilities ?? ""),
    `ports ${ports}`,
  );
  if (!spawnSync("systemd-analyze", ["--version"]).stdout) {
    console.log("# skipped: systemd-analyze verify (not installed)");
    return;
  }
  // verify wants ExecStart to exist: point it at the staged binary.
  const staged = join(dest, "airclass.service");
  writeFileSync(staged, text.replace(`${prefix}/bin/airclass`, join(dest, prefix, "bin/airclass")));
  const verify = spawnSync("systemd-analyze", ["verify", staged], { encoding: "utf8" });
  t.check(
    "systemd-analyze verify accepts the unit",
    verify.status === 0 && !verify.stderr.trim(),
    verify.stderr.trim(),
  );
  const security = spawnSync("systemd-analyze", ["security", "--offline=yes", staged], {
    encoding: "utf8",
  });
  const exposure = Number(security.stdout.match(/Overall exposure level for \S+: ([\d.]+)/)?.[1]);
  t.check(
    `systemd-analyze security: exposure ${exposure} below 4 ("OK")`,
    exposure < 4,
    security.stderr.trim(),
  );
}

function checkTree(dest, prefix, server, t) {
  const bin = join(dest, prefix, "bin/airclass");
  t.check(
    `make install puts the binary in ${prefix}/bin`,
    existsSync(bin) && (statSync(bin).mode & 0o111) !== 0,
  );
  t.check(
    `make install puts the web pages in ${prefix}/share/airclass/web`,
    existsSync(join(dest, prefix, "share/airclass/web/index.html")),
  );
  const cfg = join(dest, "etc/airclass/airclass.yml");
  t.check(
    "make install puts the config in /etc/airclass, not readable by others",
    existsSync(cfg) && (statSync(cfg).mode & 0o007) === 0,
  );
  const { error, config } = printConfig(server, { path: cfg });
  if (!t.check("the installed config loads in airclass", !error, error)) return null;
  t.check(
    "the installed config serves the installed pages",
    config.airclass.webRoot === `${prefix}/share/airclass/web`,
    config.airclass.webRoot,
  );
  return config;
}

export function checkInstall(root, server, t, buildDir) {
  const dest = mkdtempSync(join(tmpdir(), "airclass-install-"));
  try {
    for (const prefix of ["/usr/local", "/opt/airclass"]) {
      const vars = { DESTDIR: dest, PREFIX: prefix };
      const error = make(root, buildDir, "install", vars);
      if (!t.check(`make install DESTDIR=<tmp> PREFIX=${prefix}`, !error, error)) return;
      const config = checkTree(dest, prefix, server, t);
      if (config) checkUnit(dest, prefix, config, t);
      // A second install keeps the config an administrator edited.
      const cfg = join(dest, "etc/airclass/airclass.yml");
      writeFileSync(cfg, `${readFileSync(cfg, "utf8")}# edited\n`);
      make(root, buildDir, "install", vars);
      t.check(
        "make install keeps an existing config",
        readFileSync(cfg, "utf8").endsWith("# edited\n"),
      );
      const gone = make(root, buildDir, "uninstall", vars);
      t.check(
        `make uninstall removes binary, pages and unit and keeps the config (${prefix})`,
        !gone &&
          !existsSync(join(dest, prefix, "bin/airclass")) &&
          !existsSync(join(dest, prefix, "share/airclass")) &&
          !existsSync(join(dest, "etc/systemd/system/airclass.service")) &&
          existsSync(cfg),
        gone,
      );
      rmSync(cfg);
    }
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}
