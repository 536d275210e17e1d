// docker-compose.yml, deploy/compose/nginx.conf and the Dockerfile: every airclass service's
// settings (the image's config + its environment, interpolated as compose would) load in the
// real server, its published ports are the ones it listens on and advertises, nginx's
// upstreams are the mains' ports, and the image has every package the binary needs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import YAML from "yaml";
import { listeners, portOf, printConfig } from "./lib.mjs";

const HOST_IP = "192.0.2.10";
const BASE_ENV = {
  HOST_IP,
  AIRCLASS_CLUSTER_SECRET: "cluster-secret-for-the-deploy-check-0123456789",
  AIRCLASS_TOKEN_SECRET: "token-secret-for-the-deploy-check-0123456789",
  AIRCLASS_TEACHER_PASSCODE: "teacher-pass",
  AIRCLASS_PUBLISH_PASSWORD: "publish-pass",
  AIRCLASS_REDIS_PASSWORD: "redis-password-for-the-check",
};
const TURN_ENV = {
  AIRCLASS_TURN_SECRET: "turn-secret-for-the-check",
  AIRCLASS_TURN_URLS: `turn:${HOST_IP}:3478?transport=udp,turn:${HOST_IP}:3478?transport=tcp`,
};

// Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$.
function interpolate(value, env) {
  if (typeof value === "string") {
    return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (m, name, colon, op, arg) => {
      if (m === "$$") return "$";
      const v = env[name];
      const missing = v === undefined || (colon && v === "");
      if (op === "?" && missing) throw new Error(`\${${name}} is required: ${arg}`);
      return op === "-" && missing ? interpolate(arg, env) : (v ?? "");
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

// "8889:8889", "8189:8189/udp" -> {host, container, protocol}.
function published(spec) {
  const [ports, proto = "tcp"] = String(spec).split("/");
  const parts = ports.split(":");
  return {
    host: Number(parts.at(-2) ?? parts.at(-1)),
    container: Number(parts.at(-1)),
    protocol: proto.toUpperCase(),
  };
}

// Stages of the Dockerfile: packages installed, ENV, COPY lines, ENTRYPOINT, USER.
function parseDockerfile(text) {
  const stages = [];
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"));
  for (const line of lines) {
    const [op, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(" ");
    if (op === "FROM")
      stages.push({
        name: args.split(/\s+AS\s+/i)[1],
        packages: new Set(),
        env: {},
        copies: [],
        run: [],
      });
    const s = stages.at(-1);
    if (op === "RUN") {
      s.run.push(args);
      for (const m of args.matchAll(/apt-get install ([^&]*)/g)) {
        for (const p of m[1].split(/\s+/)) if (p && !p.startsWith("-")) s.packages.add(p);
      }
    }
    if (op === "ENV") for (const m of args.matchAll(/(\w+)=(\S+)/g)) s.env[m[1]] = m[2];
    if (op === "COPY") s.copies.push(rest);
    if (op === "ENTRYPOINT") s.entrypoint = JSON.parse(args);
    if (op === "USER") s.user = args;
  }
  return stages;
}

// BUILD_PKGS of scripts/setup.sh: the libraries a build needs.
function setupBuildPackages(root) {
  const text = readFileSync(join(root, "scripts/setup.sh"), "utf8");
  const block = text.split("BUILD_PKGS=(")[1].split(/\n\)\n/)[0];
  return block
    .split("\n")
    .flatMap((l) => l.split("#")[0].trim().split(/\s+/))
    .filter(Boolean);
}

// Debian packages of the libraries the binary links directly (libc and the compiler runtime
// come with every base image).
function neededPackages(server) {
  const needed = [
    ...spawnSync("readelf", ["-d", server], { encoding: "utf8" }).stdout.matchAll(
      /NEEDED.*\[(.+)\]/g,
    ),
  ].map((m) => m[1]);
  const ldd = spawnSync("ldd", [server], { encoding: "utf8" }).stdout;
  const packages = new Set();
  for (const lib of needed) {
    const path = ldd.match(new RegExp(`${lib.replace(/[.+]/g, "\\$&")} => (\\S+)`))?.[1];
    if (!path) continue;
    const out = spawnSync("dpkg", ["-S", path.replace(/^\/lib\//, "/usr/lib/")], {
      encoding: "utf8",
    });
    const alt =
      out.status === 0
        ? out
        : spawnSync("dpkg", ["-S", path.replace(/^\/usr\/lib\//, "/lib/")], { encoding: "utf8" });
    const pkg = alt.stdout.split(":")[0].trim();
    if (pkg && !["libc6", "libgcc-s1", "libstdc++6"].includes(pkg)) packages.add(pkg);
  }
  return packages;
}

function checkDockerfile(root, server, buildDir, t) {
  const stages = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
  const build = stages.find((s) => s.name === "build");
  const runtime = stages.at(-1);
  const dev = setupBuildPackages(root).filter((p) => p.endsWith("-dev") && p !== "libclang-rt-dev");
  const missing = dev.filter((p) => !build.packages.has(p));
  t.check(
    "Dockerfile build stage has every -dev package of setup.sh",
    !missing.length,
    missing.join(" "),
  );
  const binary = relative(buildDir, server);
  const copy = runtime.copies.find((c) => c[0] === "--from=build");
  t.check(
    `Dockerfile copies the binary from where the build puts it (${binary})`,
    copy?.[1] === `/build/${binary}`,
    copy?.join(" "),
  );
  t.check(
    "Dockerfile builds the airclass target",
    build.run.some((r) => /cmake --build \/build --target airclass\b/.test(r)),
  );
  if (readFileSync("/etc/debian_version", "utf8").startsWith("12")) {
    const absent = [...neededPackages(server)].filter((p) => !runtime.packages.has(p));
    t.check(
      "Dockerfile runtime stage has the package of every library airclass links",
      !absent.length,
      absent.join(" "),
    );
  } else {
    console.log("# skipped: the runtime libraries check needs Debian 12, the image's release");
  }
  t.check(
    "Dockerfile runs the node as a non-root user",
    /^[1-9]\d*(:\d+)?$/.test(runtime.user ?? ""),
    runtime.user,
  );
  for (const c of stages.flatMap((s) => s.copies).filter((c) => !c[0].startsWith("--"))) {
    for (const src of c.slice(0, -1))
      t.check(`Dockerfile COPY source ${src} exists`, existsSync(join(root, src)));
  }
  return runtime;
}

// nginx.conf's upstreams per block (http, stream): [{listen, servers: [{host, port}]}].
function parseNginx(text) {
  const parse = (part) => {
    const upstreams = Object.fromEntries(
      [...part.matchAll(/upstream\s+(\w+)\s*\{([^}]*)\}/g)].map((m) => [
        m[1],
        [...m[2].matchAll(/server\s+([\w.-]+):(\d+)/g)].map((s) => ({
          host: s[1],
          port: Number(s[2]),
        })),
      ]),
    );
    const listen = Number(part.match(/listen\s+(\d+)/)?.[1]);
    const target = part.match(/proxy_pass\s+(?:http:\/\/)?(\w+)/)?.[1];
    return { listen, servers: upstreams[target] ?? [] };
  };
  const [http, stream = ""] = text.split(/\nstream\s*\{/);
  return { api: parse(http), rtmp: parse(stream) };
}

// One airclass service: its settings in the real server, its ports against them.
function checkNode(name, service, image, root, server, env, t) {
  const svcEnv = { ...image.env, ...service.environment };
  for (const [k, v] of Object.entries(svcEnv)) svcEnv[k] = String(v);
  const cfgPath = image.entrypoint[image.entrypoint.indexOf("--config") + 1];
  const source = image.copies.find((c) => c.at(-1) === cfgPath)?.[0];
  const { error, config } = printConfig(server, {
    path: join(root, source ?? "missing"),
    env: svcEnv,
  });
  if (
    !t.check(
      `compose ${name}${env.AIRCLASS_TURN_SECRET ? " (turn)" : ""}: settings load in airclass`,
      !error,
      error,
    )
  )
    return null;
  const ports = (service.ports ?? []).map(published);
  const url = new URL(config.airclass.webrtcPublicUrl || "http://missing");
  for (const l of listeners(config).filter((x) => x.name !== "api" && x.name !== "rtmp")) {
    const p = ports.find((x) => x.container === l.port && x.protocol === l.protocol);
    // WHEP may be mapped (webrtcPublicUrl says where); ICE candidates carry the media port.
    const want = l.name === "whep" ? Number(url.port) : l.port;
    t.check(
      `compose ${name}: ${l.name} ${l.port}/${l.protocol} published as ${want}`,
      p?.host === want,
      JSON.stringify(p),
    );
  }
  t.check(
    `compose ${name}: advertises HOST_IP, not container addresses`,
    url.hostname === HOST_IP &&
      (config.webrtcAdditionalHosts ?? []).includes(HOST_IP) &&
      config.webrtcIPsFromInterfaces === "no",
  );
  return config;
}

function checkServices(compose, nodes, root, t) {
  const names = Object.keys(compose.services);
  for (const [name, s] of Object.entries(compose.services)) {
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    t.check(
      `compose ${name}: depends_on names services`,
      deps.every((d) => names.includes(d)),
      deps.join(" "),
    );
    for (const v of s.volumes ?? [])
      t.check(`compose ${name}: volume ${v} exists`, existsSync(join(root, v.split(":")[0])));
  }
  const used = Object.values(compose.services)
    .flatMap((s) => (s.ports ?? []).map(published))
    .map((p) => `${p.host}/${p.protocol}`);
  t.check("compose: no host port published twice", new Set(used).size === used.length);
  const ids = nodes.map((n) => n.config.airclass.nodeId);
  t.check(
    "compose: every node has its own nodeId",
    new Set(ids).size === ids.length,
    ids.join(" "),
  );
  const mains = nodes.filter((n) => n.config.airclass.mode === "main");
  t.check("compose: two or more mains", mains.length >= 2);
  t.check(
    "compose: sub nodes",
    nodes.some((n) => n.config.airclass.mode === "sub"),
  );
  return mains;
}

// The API name in front of the mains: nginx's upstreams are every main's API and RTMP port,
// its listeners are published, and the subs' mainUrl points at it.
function checkFront(compose, nodes, mains, root, t) {
  const nginx = parseNginx(readFileSync(join(root, "deploy/compose/nginx.conf"), "utf8"));
  const front = Object.entries(compose.services).find(([, s]) =>
    (s.image ?? "").startsWith("nginx"),
  );
  const fronted = (front?.[1].ports ?? []).map(published);
  for (const [what, key] of [
    ["api", "apiAddress"],
    ["rtmp", "rtmpAddress"],
  ]) {
    const portIn = (c) => portOf(key === "apiAddress" ? c.airclass.apiAddress : c.rtmpAddress);
    const want = mains.map((m) => `${m.name}:${portIn(m.config)}`).sort();
    const got = nginx[what].servers.map((s) => `${s.host}:${s.port}`).sort();
    t.check(
      `nginx ${what} upstream is every main's ${key}`,
      want.join() === got.join(),
      `${got} vs ${want}`,
    );
    t.check(
      `nginx ${what} listener ${nginx[what].listen} is published`,
      fronted.some((p) => p.container === nginx[what].listen),
    );
  }
  for (const sub of nodes.filter(
    (n) => n.config.airclass.mode === "sub" && !n.config.airclass.redisAddress,
  )) {
    const url = new URL(sub.config.airclass.mainUrl);
    t.check(
      `compose ${sub.name}: mainUrl ${url.href} is the API name`,
      url.hostname === front?.[0] && Number(url.port) === nginx.api.listen,
    );
  }
  const proxy = front?.[1].networks?.default?.ipv4_address;
  for (const m of mains) {
    t.check(
      `compose ${m.name}: trusts the API name's X-Forwarded-For`,
      (m.config.trustedProxies ?? []).includes(proxy),
      proxy,
    );
  }
}

// A cluster on Redis: every node on the redis service with its password, and each main's RTMP
// published at its own port: other nodes pull from rtmp://HOST_IP:<the main's rtmp port>.
function checkRedis(compose, nodes, mains, t) {
  const redis = compose.services.redis;
  for (const n of nodes) {
    const [host] = (n.config.airclass.redisAddress ?? "").split(":");
    t.check(
      `compose ${n.name}: redisAddress is the redis service`,
      host === "redis" && (redis?.image ?? "").startsWith("redis"),
    );
    t.check(
      `compose ${n.name}: Redis password matches redis' requirepass`,
      redis?.command[redis.command.indexOf("--requirepass") + 1] === n.env.AIRCLASS_REDIS_PASSWORD,
    );
  }
  for (const m of mains) {
    const port = portOf(m.config.rtmpAddress);
    t.check(
      `compose ${m.name}: RTMP ${port} published as ${port} for the other nodes' pulls`,
      (m.ports ?? [])
        .map(published)
        .some((p) => p.host === port && p.container === port && p.protocol === "TCP"),
    );
  }
}

export function checkCompose(root, server, t, buildDir) {
  const image = checkDockerfile(root, server, buildDir, t);
  const raw = t.guard("docker-compose.yml parses", () =>
    YAML.parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }),
  );
  if (!raw) return;
  for (const extra of [{}, TURN_ENV]) {
    const env = { ...BASE_ENV, ...extra };
    const compose = t.guard("docker-compose.yml interpolates with the documented variables", () =>
      interpolate(raw, env),
    );
    if (!compose) return;
    const nodes = [];
    for (const [name, s] of Object.entries(compose.services)) {
      if (!s.build && !(s.image ?? "").startsWith("airclass")) continue;
      const config = checkNode(name, s, image, root, server, env, t);
      if (config) nodes.push({ name, config, env: s.environment, ports: s.ports });
    }
    const mains = checkServices(compose, nodes, root, t);
    checkFront(compose, nodes, mains, root, t);
    checkRedis(compose, nodes, mains, t);
  }
}
