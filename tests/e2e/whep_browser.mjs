// Plays a WHEP URL in headless Debian Chromium and prints one JSON object: time to first frame,
// and a timeline of getStats() samples (video and audio inbound-rtp, candidate pair).
// Usage: node whep_browser.mjs <whep-url> <seconds> [--no-audio] [--until-stdin]
//        node whep_browser.mjs <token-api-url> <seconds> --token-api   (the seed's flow: the page
//        POSTs to /api/token, then plays the webrtc_url it got back)
// With --until-stdin it stops earlier when a line arrives on stdin (or stdin closes): the test
// ends the playback once what it watches for has happened; <seconds> is then the upper bound.
// Must run where Chromium can reach the server on loopback: inside `unshare -n` (see
// ../shared/docs/testing.md), with the flags below.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 10);
const withAudio = !rest.includes('--no-audio');
const tokenApi = rest.includes('--token-api');
const untilStdin = rest.includes('--until-stdin');
const userDataDir = mkdtempSync(join(tmpdir(), 'airclass-chromium-'));

const args = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
  '--mute-audio', '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
];
if (process.env.AIRCLASS_NO_SMOOTHING) args.push('--disable-rtc-smoothness-algorithm');

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/lib/chromium/chromium', headless: true, args,
});
let result;
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
try {
  page = context.pages()[0] || await context.newPage();
  // A page of the server's own origin: Chromium's private network rules block fetches from
  // about:blank to a loopback address.
  await page.goto(new URL('/', url).href).catch(() => {});
  if (stopRequested) await page.evaluate(() => { window.__whepStop = true; });
  result = await page.evaluate(playInPage, { url, seconds, withAudio, tokenApi });
} catch (e) {
  result = { error: String(e) };
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
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
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  if (withAudio) pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = false;  // audio must be rendered for audioLevel; --mute-audio keeps it silent
  video.autoplay = true;
  video.playsInline = true;
  document.body.appendChild(video);
  const stream = new MediaStream();
  pc.ontrack = (e) => {
    stream.addTrack(e.track);
    video.srcObject = stream;
  };
  pc.onconnectionstatechange = () =>
    out.events.push({ t: Date.now(), state: pc.connectionState });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const t0 = performance.now();
  out.postedAt = Date.now();
  const res = await fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp,
  });
  out.status = res.status;
  out.location = res.headers.get('Location');
  const body = await res.text();
  if (res.status !== 201) {
    out.error = `WHEP POST answered ${res.status}: ${body}`;
    pc.close();
    return out;
  }
  out.answer = body;
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
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
          framesDropped: s.framesDropped,
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
