// Several WHEP viewers in one headless Chromium page (bench/abr_schedule.py --shared: viewers
// behind one link), one peer connection per URL, each sampling getStats() every 250 ms (the
// fields whep_browser.mjs takes, plus bytesReceived for the received bitrate) until a line
// arrives on stdin (or it closes) or <seconds> pass. Prints one JSON object:
// { viewers: [{ url, status, error?, firstFrameMs?, timeline: [{ t: epoch ms, ... }] }] }.
// Usage: node whep_many.mjs <seconds> <whep-url> [<whep-url> ...]   (video only)
// Runs where Chromium reaches the server (netbed's viewer namespace; see chromium_page.mjs).
import { withServerPage } from './chromium_page.mjs';

const [secondsArg, ...urls] = process.argv.slice(2);
const seconds = Number(secondsArg || 30);

let page = null;
let stopRequested = false;
const stop = () => {
  stopRequested = true;
  page?.evaluate(() => { window.__whepStop = true; }).catch(() => {});
};
process.stdin.on('data', stop);
process.stdin.on('end', stop);

const result = await withServerPage(urls[0], {}, async (p) => {
  page = p;
  if (stopRequested) await page.evaluate(() => { window.__whepStop = true; });
  return page.evaluate(playAll, { urls, seconds });
});
process.stdout.write(JSON.stringify(result) + '\n');
process.stdin.destroy();  // let node exit without waiting for more input

async function playAll({ urls, seconds }) {
  const fields = ['framesDecoded', 'keyFramesDecoded', 'frameWidth', 'frameHeight',
    'framesPerSecond', 'packetsReceived', 'packetsLost', 'bytesReceived', 'nackCount',
    'pliCount', 'freezeCount', 'totalFreezesDuration', 'framesDropped',
    'retransmittedPacketsReceived'];
  const rename = { frameWidth: 'width', frameHeight: 'height', framesPerSecond: 'fps' };
  // One viewer: join, then sample until told to stop; the viewers run side by side.
  const play = async (url) => {
    const out = { url: url.replace(/jwt=[^&]*/, 'jwt=...'), timeline: [] };
    const { pc, video } = window.whepViewer(false);
    const whep = await window.whepPlay(pc, url, out);
    if (!whep) return out;
    video.requestVideoFrameCallback((now) => { out.firstFrameMs = now - whep.postedAt; });
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end && !window.__whepStop) {
      await new Promise((r) => setTimeout(r, 250));
      const sample = { t: Date.now() };
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          for (const f of fields) sample[rename[f] || f] = s[f];
        }
      });
      out.timeline.push(sample);
    }
    if (whep.location) {
      out.deleteStatus = (await fetch(new URL(whep.location, url), { method: 'DELETE' })).status;
    }
    pc.close();
    return out;
  };
  return { viewers: await Promise.all(urls.map(play)) };
}
