// deploy/kubernetes: every object against its schema, kustomization.yaml against the files,
// and our own invariants: each airclass container's config loads in the real server with the
// environment the pod gives it, its ports and probes match that config, Services and the
// subs' mainUrl reach those ports, and the pods run locked down.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { listeners, parseDocuments, portOf, printConfig, validateObject } from "./lib.mjs";

// What the downward API gives a pod, as stand-ins.
const NODE_IP = "203.0.113.7";
const FIELDS = {
  "status.hostIP": NODE_IP,
  "metadata.name": "airclass-pod-0",
  "spec.nodeName": "node-1",
};
const WORKLOADS = new Set(["Deployment", "DaemonSet", "StatefulSet"]);

function load(dir, t) {
  const objects = [];
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
  for (const file of files.sort()) {
    const docs = t.guard(`${file} parses`, () =>
      parseDocuments(readFileSync(join(dir, file), "utf8"), file),
    );
    for (const object of docs ?? []) {
      const problems = validateObject(object);
      t.check(
        `${file}: ${object.kind} ${object.metadata?.name} matches its schema`,
        !problems.length,
        problems.join("; "),
      );
      objects.push({ file, object });
    }
  }
  return { files, objects };
}

function checkKustomization(dir, files, objects, t) {
  const k = YAML.parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  const resources = k.resources ?? [];
  t.check(
    "kustomization.yaml lists only existing files",
    resources.every((r) => files.includes(r)),
    resources.join(", "),
  );
  // A file left out must say why in its first line (the optional Ingress example).
  for (const file of files.filter((f) => !resources.includes(f))) {
    const first = readFileSync(join(dir, file), "utf8").split("\n")[0];
    t.check(
      `${file} is in kustomization.yaml or marked OPTIONAL`,
      first.includes("OPTIONAL"),
      first,
    );
  }
  const images = new Set((k.images ?? []).map((i) => i.name));
  for (const { object } of objects.filter((o) => WORKLOADS.has(o.object.kind))) {
    for (const c of object.spec.template.spec.containers) {
      const name = c.image.split(":")[0];
      if (name === "airclass")
        t.check(`kustomization.yaml rewrites image ${name}`, images.has(name));
    }
  }
}

function secretValue(secrets, ref) {
  const s = secrets.get(ref.name);
  if (!s) throw new Error(`Secret ${ref.name} does not exist`);
  const v =
    s.stringData?.[ref.key] ??
    (s.data?.[ref.key] && Buffer.from(s.data[ref.key], "base64").toString());
  if (v === undefined) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
  return v;
}

// The environment the kubelet would give the container, $(VAR) references expanded.
function containerEnv(container, secrets, configMaps) {
  const env = {};
  for (const e of container.env ?? []) {
    let v = e.value;
    const from = e.valueFrom;
    if (from?.fieldRef) v = FIELDS[from.fieldRef.fieldPath];
    if (from?.resourceFieldRef) v = "2";
    if (from?.secretKeyRef) v = secretValue(secrets, from.secretKeyRef);
    if (from?.configMapKeyRef)
      v = configMaps.get(from.configMapKeyRef.name)?.data?.[from.configMapKeyRef.key];
    if (v === undefined) throw new Error(`env ${e.name}: nothing to read it from`);
    env[e.name] = String(v).replace(/\$\((\w+)\)/g, (m, name) => env[name] ?? m);
  }
  return env;
}

// The ConfigMap entry behind `--config <path>`, through the container's volume mounts.
function configText(pod, container, configMaps) {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  const path = args[args.indexOf("--config") + 1];
  if (!args.includes("--config") || !path) throw new Error("no --config argument");
  const mount = (container.volumeMounts ?? []).find((m) => path.startsWith(`${m.mountPath}/`));
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  if (!volume?.configMap) throw new Error(`${path} is not on a ConfigMap volume`);
  const key = path.slice(mount.mountPath.length + 1);
  const text = configMaps.get(volume.configMap.name)?.data?.[key];
  if (text === undefined) throw new Error(`ConfigMap ${volume.configMap.name} has no ${key}`);
  return { text, name: key };
}

function resolvePort(container, port) {
  const p = (container.ports ?? []).find((cp) => cp.name === port || cp.containerPort === port);
  return p?.containerPort;
}

function checkLockedDown(name, pod, c, t) {
  t.check(
    `${name}: runs as non-root`,
    (c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true,
  );
  const sc = c.securityContext ?? {};
  t.check(
    `${name}: no privilege escalation, read-only root, no capabilities`,
    sc.allowPrivilegeEscalation === false &&
      sc.readOnlyRootFilesystem === true &&
      sc.capabilities?.drop?.includes("ALL"),
  );
  const r = c.resources ?? {};
  t.check(
    `${name}: CPU and memory requests and limits`,
    Boolean(r.requests?.cpu && r.requests?.memory && r.limits?.cpu && r.limits?.memory),
  );
}

// One airclass container: its config in the real server, then ports and probes against it.
function checkNode(name, pod, c, ctx, t) {
  const env = t.guard(`${name}: environment resolves`, () =>
    containerEnv(c, ctx.secrets, ctx.configMaps),
  );
  const file = t.guard(`${name}: --config is a ConfigMap entry`, () =>
    configText(pod, c, ctx.configMaps),
  );
  if (!env || !file) return null;
  const { error, config } = printConfig(ctx.server, { ...file, env });
  if (!t.check(`${name}: its config loads in airclass (--print-config)`, !error, error))
    return null;
  for (const l of listeners(config)) {
    const cp = (c.ports ?? []).find((p) => p.name === l.name);
    t.check(
      `${name}: port ${l.name} is ${l.port}/${l.protocol} as configured`,
      cp?.containerPort === l.port && (cp.protocol ?? "TCP") === l.protocol,
      JSON.stringify(cp),
    );
    if (cp?.hostPort)
      t.check(
        `${name}: host port ${l.name} equals the container port (ICE carries it)`,
        cp.hostPort === cp.containerPort,
      );
  }
  for (const probe of ["readinessProbe", "livenessProbe"]) {
    const get = c[probe]?.httpGet;
    t.check(
      `${name}: ${probe} is GET /health on the API port`,
      get?.path === "/health" && resolvePort(c, get.port) === portOf(config.airclass.apiAddress),
      JSON.stringify(get),
    );
  }
  const media = c.ports?.find((p) => p.name === "media-udp");
  t.check(
    `${name}: media reachable on the node (host network or host port)`,
    pod.hostNetwork === true || Boolean(media?.hostPort),
  );
  t.check(
    `${name}: advertises its node's address`,
    (config.webrtcAdditionalHosts ?? []).includes(NODE_IP) &&
      config.webrtcIPsFromInterfaces !== "yes",
  );
  const url = new URL(config.airclass.webrtcPublicUrl || "http://missing");
  const whep = c.ports?.find((p) => p.name === "whep");
  t.check(
    `${name}: webrtcPublicUrl is the node's address and WHEP port`,
    url.hostname === NODE_IP &&
      Number(url.port) === (pod.hostNetwork ? whep?.containerPort : whep?.hostPort),
    url.href,
  );
  return config;
}

// host:port (or a URL) must name a Service port that leads to `listener` of a pod in `mode`.
function checkReaches(what, target, listener, mode, ctx, t) {
  const url = new URL(target.includes("://") ? target : `tcp://${target}`);
  const svc = ctx.services.get(url.hostname);
  const sp = svc?.spec.ports.find((p) => p.port === Number(url.port));
  const pods = ctx.nodes.filter(
    (n) =>
      n.mode === mode &&
      Object.entries(svc?.spec.selector ?? {}).every(([k, v]) => n.labels[k] === v),
  );
  const ok =
    sp &&
    pods.length > 0 &&
    pods.every((n) => resolvePort(n.container, sp.targetPort ?? sp.port) === n.ports[listener]);
  t.check(`${what} ${target} reaches the ${mode} nodes' ${listener} port`, Boolean(ok));
}

function checkServices(ctx, t) {
  for (const [name, svc] of ctx.services) {
    const pods = ctx.pods.filter((p) =>
      Object.entries(svc.spec.selector ?? {}).every(([k, v]) => p.labels[k] === v),
    );
    t.check(`Service ${name} selects some pods`, pods.length > 0);
    for (const sp of svc.spec.ports) {
      const ok = pods.every((p) =>
        p.containers.some((c) => {
          const cp = c.ports?.find(
            (x) =>
              x.name === (sp.targetPort ?? sp.port) ||
              x.containerPort === (sp.targetPort ?? sp.port),
          );
          return cp && (cp.protocol ?? "TCP") === (sp.protocol ?? "TCP");
        }),
      );
      t.check(`Service ${name} port ${sp.port} leads to a container port`, ok);
    }
  }
}

// A cluster on Redis: every node reaches Redis through a Service, and other nodes pull a
// stream from rtmp://<the main's node address>:<its rtmp port>, so that port is on the node.
function checkRedisCluster(ctx, t) {
  const onRedis = ctx.nodes.filter((n) => n.config.airclass.redisAddress);
  if (!onRedis.length) return;
  t.check(
    "every node of the cluster uses the same Redis",
    onRedis.length === ctx.nodes.length &&
      new Set(onRedis.map((n) => n.config.airclass.redisAddress)).size === 1,
  );
  for (const n of onRedis) {
    const redis = n.config.airclass.redisAddress;
    const svc = ctx.services.get(redis.split(":")[0]);
    t.check(
      `${n.mode} redisAddress ${redis} is a Service port`,
      Boolean(svc?.spec.ports.some((p) => p.port === portOf(redis))),
    );
    t.check(
      `${n.mode} has the Redis password`,
      n.env.AIRCLASS_REDIS_PASSWORD === ctx.redisPassword,
    );
    if (n.mode !== "main") continue;
    const rtmp = n.container.ports?.find((p) => p.name === "rtmp");
    t.check(
      "main RTMP is on the node's address (subs pull from there)",
      n.hostNetwork || rtmp?.hostPort === n.ports.rtmp,
    );
  }
}

export function checkKubernetes(root, server, t) {
  const dir = join(root, "deploy/kubernetes");
  const { files, objects } = load(dir, t);
  checkKustomization(dir, files, objects, t);
  const byKind = (kind) =>
    new Map(
      objects.filter((o) => o.object.kind === kind).map((o) => [o.object.metadata.name, o.object]),
    );
  const ctx = {
    server,
    secrets: byKind("Secret"),
    configMaps: byKind("ConfigMap"),
    services: byKind("Service"),
    nodes: [],
    pods: [],
  };
  for (const { object } of objects.filter((o) => WORKLOADS.has(o.object.kind))) {
    const pod = object.spec.template.spec;
    const labels = object.spec.template.metadata?.labels ?? {};
    ctx.pods.push({ labels, containers: pod.containers });
    for (const c of pod.containers) {
      const name = `${object.kind} ${object.metadata.name}/${c.name}`;
      checkLockedDown(name, pod, c, t);
      if (c.image.split(":")[0] !== "airclass") continue;
      const config = checkNode(name, pod, c, ctx, t);
      if (!config) continue;
      const ports = Object.fromEntries(listeners(config).map((l) => [l.name, l.port]));
      const env = containerEnv(c, ctx.secrets, ctx.configMaps);
      ctx.nodes.push({
        mode: config.airclass.mode,
        config,
        labels,
        container: c,
        ports,
        env,
        hostNetwork: pod.hostNetwork,
      });
    }
  }
  const redis = objects
    .map((o) => o.object)
    .filter((o) => WORKLOADS.has(o.kind))
    .flatMap((o) => o.spec.template.spec.containers)
    .find((c) => c.image.startsWith("redis"));
  if (redis) {
    const env = containerEnv(redis, ctx.secrets, ctx.configMaps);
    const args = (redis.args ?? []).map((a) => a.replace(/\$\((\w+)\)/g, (m, v) => env[v] ?? m));
    ctx.redisPassword = args[args.indexOf("--requirepass") + 1];
  }
  checkServices(ctx, t);
  t.check(
    "a main and a sub node are defined",
    ["main", "sub"].every((m) => ctx.nodes.some((n) => n.mode === m)),
  );
  for (const n of ctx.nodes.filter((x) => x.mode === "sub" && !x.config.airclass.redisAddress)) {
    checkReaches("sub mainUrl", n.config.airclass.mainUrl, "api", "main", ctx, t);
    if (n.config.airclass.mainRtmpUrl)
      checkReaches("sub mainRtmpUrl", n.config.airclass.mainRtmpUrl, "rtmp", "main", ctx, t);
  }
  checkRedisCluster(ctx, t);
  for (const ing of byKind("Ingress").values()) {
    for (const path of ing.spec.rules.flatMap((r) => r.http.paths)) {
      const b = path.backend.service;
      const svc = ctx.services.get(b.name);
      t.check(
        `Ingress ${ing.metadata.name} backend ${b.name} exists with its port`,
        Boolean(svc?.spec.ports.some((p) => p.name === b.port.name || p.port === b.port.number)),
      );
    }
  }
}
