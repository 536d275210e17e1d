// What the deployment checks share: a tally of checks, the real server's view of a config
// (`airclass --print-config`), and strict Kubernetes schema validation.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";

const require = createRequire(import.meta.url);

// Counts checks and keeps going after a failure, so one run lists every broken file.
export class Tally {
  passed = 0;
  failed = 0;
  check(name, ok, detail = "") {
    if (ok) {
      this.passed++;
      console.log(`ok - ${name}`);
    } else {
      this.failed++;
      console.log(`FAIL - ${name}${detail ? `: ${detail}` : ""}`);
    }
    return ok;
  }
  // Runs fn; an exception is a failed check (a file that does not parse, a missing key).
  guard(name, fn) {
    try {
      return fn();
    } catch (e) {
      this.check(name, false, e.message);
      return undefined;
    }
  }
}

// The config the server ends up with: file + AIRCLASS_* environment, cross-field checks done.
// A warning (an unknown AIRCLASS_ variable, an ignored key) counts as an error here.
export function printConfig(server, { text, path, name = "airclass.yml", env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), "airclass-deploy-"));
  try {
    const file = path ?? join(dir, name);
    if (path === undefined) writeFileSync(file, text);
    const run = spawnSync(server, ["--config", file, "--print-config"], {
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
      timeout: 10000,
    });
    const failed = run.status !== 0 || run.stderr.trim() !== "";
    const error = failed ? (run.stderr || String(run.error)).trim().replaceAll("\n", "; ") : "";
    return { error, config: error ? null : YAML.parse(run.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ":8889", "0.0.0.0:8889", "[::]:8889" -> 8889; "" -> null.
export function portOf(address) {
  if (!address) return null;
  const port = Number(String(address).split(":").pop());
  return Number.isInteger(port) && port > 0 ? port : null;
}

// The listeners a config opens, as {name, port, protocol}, named like the manifests' ports.
export function listeners(config) {
  const out = [{ name: "api", port: portOf(config.airclass.apiAddress), protocol: "TCP" }];
  if (config.rtmp === "yes" || config.rtmp === true) {
    out.push({ name: "rtmp", port: portOf(config.rtmpAddress), protocol: "TCP" });
  }
  if (config.webrtc === "yes" || config.webrtc === true) {
    out.push({ name: "whep", port: portOf(config.webrtcAddress), protocol: "TCP" });
    out.push({ name: "media-udp", port: portOf(config.webrtcLocalUDPAddress), protocol: "UDP" });
    const tcp = portOf(config.webrtcLocalTCPAddress);
    if (tcp) out.push({ name: "media-tcp", port: tcp, protocol: "TCP" });
  }
  return out;
}

// Wraps a plain object so every property the schema validator reads is recorded.
function tracked(value, path, seen) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => tracked(v, `${path}/${i}`, seen));
  const copy = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, tracked(v, `${path}/${k}`, seen)]),
  );
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") seen.add(`${path}/${key}`);
      return Reflect.get(target, key, receiver);
    },
    ownKeys(target) {
      for (const key of Reflect.ownKeys(target)) seen.add(`${path}/${String(key)}`);
      return Reflect.ownKeys(target);
    },
  });
}

function fieldPaths(value, path, out) {
  if (value === null || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value)) {
    const p = `${path}/${k}`;
    if (!Array.isArray(value)) out.push(p);
    fieldPaths(v, p, out);
  }
  return out;
}

// Validates one object against its Kubernetes schema (kubernetes-models). The schemas allow
// unknown fields, as the API server's non-strict decoding does; kubectl's strict field
// validation refuses them, so a field no validator read (a typo like readinesProbe) is an
// error too. Returns a list of problems.
export function validateObject(object) {
  const { apiVersion, kind } = object ?? {};
  if (!apiVersion || !kind) return ["no apiVersion or kind"];
  let model;
  try {
    model = require(`kubernetes-models/${apiVersion}`)[kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`no schema for ${apiVersion} ${kind}`];
  const seen = new Set();
  try {
    model.prototype.validate.call(tracked(object, "", seen));
  } catch (e) {
    return [e.message];
  }
  const unknown = fieldPaths(object, "", []).filter((p) => !seen.has(p));
  // Report the outermost unknown field only, not everything under it.
  return unknown
    .filter((p) => !unknown.some((q) => p !== q && p.startsWith(`${q}/`)))
    .map((p) => `unknown field ${p}`);
}

// Every document of a multi-document YAML file, parse errors thrown with the file name.
export function parseDocuments(text, name) {
  const docs = YAML.parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${name}: ${doc.errors[0].message}`);
  }
  return docs.map((doc) => doc.toJS({ maxAliasCount: 100 })).filter((o) => o !== null);
}
