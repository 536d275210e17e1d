// The deployment files, checked statically (containers cannot run on the machines this project
// is developed and tested on): deploy/kubernetes, docker-compose.yml with the Dockerfile, and
// `make install` with the systemd unit. Every node config goes through the real server.
//   node tests/deploy/check_deploy.mjs --server build/src/app/airclass --build-dir build
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkCompose } from "./compose_check.mjs";
import { checkInstall } from "./install_check.mjs";
import { checkKubernetes } from "./kubernetes_check.mjs";
import { Tally } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    server: { type: "string" },
    "build-dir": { type: "string" },
    only: { type: "string" }, // kubernetes, compose or install
  },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const server = resolve(values.server ?? "");
if (!values.server || !existsSync(server)) {
  console.error("check_deploy: --server <airclass binary> is required");
  process.exit(2);
}
const buildDir = resolve(values["build-dir"] ?? dirname(dirname(dirname(server))));

const t = new Tally();
const sections = { kubernetes: checkKubernetes, compose: checkCompose, install: checkInstall };
for (const [name, check] of Object.entries(sections)) {
  if (values.only && values.only !== name) continue;
  console.log(`# ${name}`);
  check(root, server, t, buildDir);
}
console.log(`${t.passed} passed, ${t.failed} failed`);
process.exit(t.failed || !t.passed ? 1 : 0);
