// Drives the classroom web app in headless Debian Chromium for the Python tests: reads one JSON
// command a line on stdin, answers one JSON line on stdout. Several named pages (tabs) may be
// open at once. Commands ({id, op, ...}):
//   open {page, url, width?, height?, context?}   eval {page, expr}   wait {page, expr, timeout}
//   click {page, selector}   fill {page, selector, value}   select {page, selector, value}
//   shot {page, path}   viewport {page, width, height}   reload {page}   close {page}   quit
//   whep_posts {page}: the URLs of the WHEP offers the page POSTed so far, oldest first
// The browser keeps Chromium's default autoplay policy (sound needs a user gesture), so pages
// really start muted; note that Playwright runs `eval`/`wait` as a user gesture.
// Must run inside `unshare -n` (see ../shared/docs/testing.md).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const args = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
  '--mute-audio', '--allow-loopback-in-peer-connection',
  // Sound needs a gesture in every tab: no engagement-based exceptions from earlier tabs.
  '--disable-features=WebRtcHideLocalIpsWithMdns,MediaEngagementBypassAutoplayPolicies,' +
    'PreloadMediaEngagementData',
  // Tabs the test is not looking at must keep playing at full rate.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
const browser = await chromium.launch({
  executablePath: '/usr/lib/chromium/chromium', headless: true, args,
});
// Named contexts: tabs in one context share storage (a remembered name); a new context is a
// visitor who has never touched the site (no user gesture anywhere, so no sound at first).
const contexts = new Map();
async function contextNamed(name) {
  if (!contexts.has(name)) {
    contexts.set(name, await browser.newContext({ viewport: { width: 1280, height: 800 } }));
  }
  return contexts.get(name);
}
const pages = new Map();
const logs = new Map();
const whepPosts = new Map();

function page(name) {
  const p = pages.get(name);
  if (!p) throw new Error(`no page named ${name}`);
  return p;
}

const ops = {
  async open({ page: name, url, width, height, context = 'main' }) {
    const p = await (await contextNamed(context)).newPage();
    if (width) await p.setViewportSize({ width, height });
    const lines = [];
    logs.set(name, lines);
    p.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`.slice(0, 500)));
    p.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`.slice(0, 500)));
    const posts = [];
    whepPosts.set(name, posts);
    // What the page really asked the server for, whatever the page itself reports.
    p.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/whep')) posts.push(r.url());
    });
    pages.set(name, p);
    await p.goto(url, { waitUntil: 'load' });
    return true;
  },
  eval: ({ page: name, expr }) => page(name).evaluate(expr),
  // Seeds a context's storage for the site before its pages load (a returning visitor).
  async seed({ context = 'main', origin, local }) {
    const ctx = await contextNamed(context);
    await ctx.addInitScript(({ origin, local }) => {
      if (location.origin !== origin) return;
      for (const [k, v] of Object.entries(local)) {
        if (localStorage.getItem(k) === null) localStorage.setItem(k, v);
      }
    }, { origin, local });
    return true;
  },
  async wait({ page: name, expr, wait_ms: timeout = 10000 }) {
    const h = await page(name).waitForFunction(expr, null, { timeout, polling: 100 });
    return h.jsonValue();
  },
  click: ({ page: name, selector }) =>
    page(name).click(selector, { timeout: 5000 }).then(() => true),
  fill: ({ page: name, selector, value }) =>
    page(name).fill(selector, value, { timeout: 5000 }).then(() => true),
  select: ({ page: name, selector, value }) =>
    page(name).selectOption(selector, value, { timeout: 5000 }).then(() => true),
  reload: ({ page: name }) => page(name).reload({ waitUntil: 'load' }).then(() => true),
  whep_posts: ({ page: name }) => whepPosts.get(name) || [],
  viewport: ({ page: name, width, height }) =>
    page(name).setViewportSize({ width, height }).then(() => true),
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
await browser.close();
// Nothing else may keep node alive (stdin stays open while the test runs on).
process.exit(0);
