// Drives the classroom web app in headless Debian Chromium for the Python tests: reads one JSON
// command a line on stdin, answers one JSON line on stdout. Several named pages (tabs) may be
// open at once. Commands ({id, op, ...}):
//   open {page, url, width?, height?}   eval {page, expr}   wait {page, expr, timeout}
//   click {page, selector}   fill {page, selector, value}   shot {page, path}
//   viewport {page, width, height}   close {page}   quit
// The browser keeps Chromium's default autoplay policy (sound needs a user gesture), so pages
// really start muted. Must run inside `unshare -n` (see ../shared/docs/testing.md).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const args = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
  '--mute-audio', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // Tabs the test is not looking at must keep playing at full rate.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
const userDataDir = mkdtempSync(join(tmpdir(), 'airclass-web-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/lib/chromium/chromium', headless: true, args,
  viewport: { width: 1280, height: 800 },
});
const pages = new Map();
const logs = new Map();

function page(name) {
  const p = pages.get(name);
  if (!p) throw new Error(`no page named ${name}`);
  return p;
}

const ops = {
  async open({ page: name, url, width, height }) {
    const p = await context.newPage();
    if (width) await p.setViewportSize({ width, height });
    const lines = [];
    logs.set(name, lines);
    p.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`.slice(0, 500)));
    p.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`.slice(0, 500)));
    pages.set(name, p);
    await p.goto(url, { waitUntil: 'load' });
    return true;
  },
  eval: ({ page: name, expr }) => page(name).evaluate(expr),
  async wait({ page: name, expr, wait_ms: timeout = 10000 }) {
    const h = await page(name).waitForFunction(expr, null, { timeout, polling: 100 });
    return h.jsonValue();
  },
  click: ({ page: name, selector }) => page(name).click(selector, { timeout: 5000 }).then(() => true),
  fill: ({ page: name, selector, value }) => page(name).fill(selector, value, { timeout: 5000 }).then(() => true),
  viewport: ({ page: name, width, height }) => page(name).setViewportSize({ width, height }).then(() => true),
  shot: ({ page: name, path }) => page(name).screenshot({ path }).then(() => true),
  logs: ({ page: name }) => logs.get(name) || [],
  async close({ page: name }) {
    await page(name).close();
    pages.delete(name);
    return true;
  },
};

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  if (cmd.op === 'quit') break;
  let reply;
  try {
    const fn = ops[cmd.op];
    if (!fn) throw new Error(`unknown op ${cmd.op}`);
    reply = { id: cmd.id, ok: true, value: (await fn(cmd)) ?? null };
  } catch (e) {
    reply = { id: cmd.id, ok: false, error: String(e.message || e).slice(0, 2000) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
await context.close();
rmSync(userDataDir, { recursive: true, force: true });
