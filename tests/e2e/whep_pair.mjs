// Plays a WHEP URL (video only) in headless Debian Chromium until the test says stop, and prints
// one JSON object: a getStats() sample every 250 ms with the frames decoded and the selected
// candidate pair as the transport names it, both ends with their protocol (udp/tcp), TCP type,
// candidate type, address and port. whep_browser.mjs reports no candidate protocol; the ICE-TCP
// test (test_ice_tcp.py) needs it to tell which transport Chromium chose.
// Usage: node whep_pair.mjs <whep-url> <max-seconds>
// It stops once a line arrives on stdin or stdin closes (or after <max-seconds>). Runs in the
// netbed's viewer namespace (see chromium_page.mjs and netbed.py).
import { withServerPage } from './chromium_page.mjs';

const [url, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg || 60);

let page = null;
let stopRequested = false;
const stop = () => {
  stopRequested = true;
  page?.evaluate(() => { window.__whepStop = true; }).catch(() => {});
};
process.stdin.on('data', stop);
process.stdin.on('end', stop);

const result = await withServerPage(url, {}, async (p) => {
  page = p;
  if (stopRequested) await page.evaluate(() => { window.__whepStop = true; });
  return page.evaluate(playWithPair, { url, seconds });
});
process.stdout.write(JSON.stringify(result) + '\n');
process.stdin.destroy();  // let node exit without waiting for more input

// Runs in the page: only what is defined inside it exists there.
async function playWithPair({ url, seconds }) {
  function candidate(c) {
    return { type: c.candidateType, protocol: c.protocol, tcpType: c.tcpType,
             address: c.address, port: c.port };
  }
  async function sample(pc) {
    const stats = await pc.getStats();
    const s = { t: Date.now(), state: pc.connectionState };
    let pairId = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        s.framesDecoded = r.framesDecoded;
        s.packetsReceived = r.packetsReceived;
        s.fps = r.framesPerSecond;
        s.freezeCount = r.freezeCount;
      } else if (r.type === 'transport' && r.selectedCandidatePairId) {
        pairId = r.selectedCandidatePairId;
      }
    });
    const pair = pairId && stats.get(pairId);
    if (pair) {
      s.pair = {
        state: pair.state, bytesReceived: pair.bytesReceived,
        local: candidate(stats.get(pair.localCandidateId) || {}),
        remote: candidate(stats.get(pair.remoteCandidateId) || {}),
      };
    }
    return s;
  }

  const out = { timeline: [], events: [] };
  const { pc } = window.whepViewer(false);
  pc.onconnectionstatechange = () => out.events.push({ t: Date.now(), state: pc.connectionState });
  const whep = await window.whepPlay(pc, url, out);
  if (!whep) return out;
  out.location = whep.location;
  out.answer = whep.answer;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && !window.__whepStop) {
    await new Promise((r) => setTimeout(r, 250));
    out.timeline.push(await sample(pc));
  }
  if (out.location) {
    const del = await fetch(new URL(out.location, url), { method: 'DELETE' });
    out.deleteStatus = del.status;
  }
  pc.close();
  return out;
}
