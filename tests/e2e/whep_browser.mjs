// Plays a WHEP URL in headless Debian Chromium and prints one JSON object: time to first frame,
// and a timeline of getStats() samples (video and audio inbound-rtp, candidate pair).
// Usage: node whep_browser.mjs <whep-url> <seconds> [--no-audio] [--until-stdin]
//        node whep_browser.mjs <token-api-url> <seconds> --token-api   (the seed's flow: the page
//        POSTs to /api/token, then plays the webrtc_url it got back)
// With --until-stdin it stops earlier when a line arrives on stdin (or stdin closes): the test
// ends the playback once what it watches for has happened; <seconds> is then the upper bound.
// With --events it also writes a JSON line to stderr as the WHEP answer is applied
// ({"event": "answer", "answer": <SDP>}), so a test can act on the session while it plays.
// Runs inside `unshare -n` (see chromium_page.mjs).
import { withServerPage } from './chromium_page.mjs';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 10);
const withAudio = !rest.includes('--no-audio');
const tokenApi = rest.includes('--token-api');
const untilStdin = rest.includes('--until-stdin');
const events = rest.includes('--events');

let page = null;
let stopRequested = false;
if (untilStdin) {
  const stop = () => {
    stopRequested = true;
    page?.evaluate(() => { window.__whepStop = true; }).catch(() => {});
  };
  process.stdin.on('data', stop);
  process.stdin.on('end', stop);
}
const result = await withServerPage(url, { noSmoothing: !!process.env.AIRCLASS_NO_SMOOTHING },
                                    async (p) => {
  page = p;
  if (events) {
    await page.exposeFunction('whepEvent', (e) => process.stderr.write(JSON.stringify(e) + '\n'));
  }
  if (stopRequested) await page.evaluate(() => { window.__whepStop = true; });
  return page.evaluate(playInPage, { url, seconds, withAudio, tokenApi });
});
process.stdout.write(JSON.stringify(result) + '\n');
if (untilStdin) process.stdin.destroy();  // let node exit without waiting for more input

async function playInPage({ url, seconds, withAudio, tokenApi }) {
  const out = { timeline: [], events: [] };
  if (tokenApi) {
    const t = await fetch(url, { method: 'POST' });
    out.tokenStatus = t.status;
    const answer = await t.json();
    if (t.status !== 200) {
      out.error = `token API answered ${t.status}: ${JSON.stringify(answer)}`;
      return out;
    }
    out.tokenAnswer = { ...answer, token: undefined };
    url = answer.webrtc_url;
    out.webrtcUrl = url.replace(/jwt=.*/, 'jwt=...');
  }
  const { pc, video } = window.whepViewer(withAudio);  // audio rendered, for audioLevel
  pc.onconnectionstatechange = () =>
    out.events.push({ t: Date.now(), state: pc.connectionState });
  out.postedAt = Date.now();
  const whep = await window.whepPlay(pc, url, out);
  if (!whep) return out;
  const t0 = whep.postedAt;
  out.location = whep.location;
  out.answer = whep.answer;
  window.whepEvent?.({ event: 'answer', answer: whep.answer });
  video.requestVideoFrameCallback((now, meta) => {
    out.firstFrameMs = now - t0;
    out.firstFrameSize = [meta.width, meta.height];
  });
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && !window.__whepStop) {
    await new Promise((r) => setTimeout(r, 250));
    const sample = { t: Date.now() };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        Object.assign(sample, {
          framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded,
          width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond,
          packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,
          nackCount: s.nackCount, pliCount: s.pliCount, firCount: s.firCount,
          freezeCount: s.freezeCount, totalFreezesDuration: s.totalFreezesDuration,
          pauseCount: s.pauseCount, totalPausesDuration: s.totalPausesDuration,
          framesDropped: s.framesDropped, framesReceived: s.framesReceived,
          retransmittedPacketsReceived: s.retransmittedPacketsReceived,
          retransmittedBytesReceived: s.retransmittedBytesReceived,
          ssrc: s.ssrc, rtxSsrc: s.rtxSsrc,
          jitterBufferDelay: s.jitterBufferDelay, jitterBufferEmittedCount: s.jitterBufferEmittedCount,
        });
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        Object.assign(sample, {
          audioSamples: s.totalSamplesReceived, audioLevel: s.audioLevel,
          audioPacketsReceived: s.packetsReceived, audioPacketsLost: s.packetsLost,
        });
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        sample.rtt = s.currentRoundTripTime;
      }
    });
    out.timeline.push(sample);
  }
  if (out.location) {
    const del = await fetch(new URL(out.location, url), { method: 'DELETE' });
    out.deleteStatus = del.status;
  }
  pc.close();
  return out;
}
