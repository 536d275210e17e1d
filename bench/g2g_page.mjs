// Glass-to-glass reader: plays a WHEP URL in headless Debian Chromium and, on every
// requestVideoFrameCallback, reads back the wall-clock stamp the publisher burnt into the top
// left corner (see ../shared/docs/testing.md, "Glass-to-glass latency without a camera").
// Prints one JSON object: per-frame readings and a 1 s timeline of getStats() counters.
// Usage: node g2g_page.mjs <whep-url> <seconds> [--no-smoothing] [--no-audio] [--bits 44]
// Runs inside `unshare -n`; Chromium is launched by tests/e2e/chromium_page.mjs.
import { withServerPage } from '../tests/e2e/chromium_page.mjs';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 35);
const withAudio = !rest.includes('--no-audio');
const noSmoothing = rest.includes('--no-smoothing') || !!process.env.AIRCLASS_NO_SMOOTHING;
const bitsAt = rest.indexOf('--bits');
const bits = bitsAt >= 0 ? Number(rest[bitsAt + 1]) : 44;

const result = await withServerPage(
    url, { noSmoothing }, (page) => page.evaluate(measureInPage, { url, seconds, withAudio, bits }));
Object.assign(result, { noSmoothing, withAudio });
process.stdout.write(JSON.stringify(result) + '\n');

async function measureInPage({ url, seconds, withAudio, bits }) {
  const out = { frames: [], timeline: [], rejected: 0, callbacks: 0 };
  const { pc, video } = window.whepViewer(withAudio);  // audio played, so lip-synced
  const whep = await window.whepPlay(pc, url, out);
  if (!whep) return out;
  const { location, postedAt: t0 } = whep;

  // 16x16 blocks: bit i (LSB first) on the top row, its inverse right below.
  const w = bits * 16;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = 32;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const blockMean = (px, bx, by) => {
    let sum = 0;
    for (let y = by + 4; y < by + 12; ++y) {
      for (let x = bx + 4; x < bx + 12; ++x) sum += px[(y * w + x) * 4];
    }
    return sum / 64;
  };
  const readStamp = () => {
    ctx.drawImage(video, 0, 0, w, 32, 0, 0, w, 32);
    const px = ctx.getImageData(0, 0, w, 32).data;
    let stamp = 0;
    let weakest = 255;
    for (let i = 0; i < bits; ++i) {
      const a = blockMean(px, i * 16, 0);
      const b = blockMean(px, i * 16, 16);
      weakest = Math.min(weakest, Math.abs(a - b));
      if (a > b) stamp += 2 ** i;
    }
    return weakest > 64 ? stamp : null;
  };
  // performance.timeOrigin + a DOMHighResTimeStamp is epoch milliseconds on the same clock
  // ffmpeg's RTCTIME reads (one machine); the drift check below keeps that honest.
  const epoch = (t) => performance.timeOrigin + t;
  out.clockSkewStartMs = Date.now() - epoch(performance.now());
  const onFrame = (now, meta) => {
    if (out.firstFrameMs === undefined) out.firstFrameMs = now - t0;
    ++out.callbacks;
    const stamp = readStamp();
    if (stamp === null) {
      ++out.rejected;
    } else {
      out.frames.push({
        t: now - t0,  // page time since the POST, to drop the warm-up
        now: epoch(now) - stamp,
        display: epoch(meta.expectedDisplayTime) - stamp,
        receive: meta.receiveTime !== undefined ? epoch(meta.receiveTime) - stamp : null,
        processing: meta.processingDuration !== undefined ? meta.processingDuration * 1000 : null,
        presented: meta.presentedFrames,
      });
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  const fields = ['framesDecoded', 'framesReceived', 'framesDropped', 'framesPerSecond',
    'jitterBufferDelay', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay',
    'jitterBufferEmittedCount', 'totalDecodeTime', 'totalProcessingDelay', 'totalAssemblyTime',
    'framesAssembledFromMultiplePackets', 'totalInterFrameDelay', 'freezeCount',
    'totalFreezesDuration', 'packetsReceived', 'packetsLost', 'nackCount', 'pliCount',
    'keyFramesDecoded', 'retransmittedPacketsReceived'];
  await window.whepTimeline(pc, t0, seconds, fields, window.netEqFields, out.timeline);
  out.clockSkewEndMs = Date.now() - epoch(performance.now());
  if (location) await fetch(new URL(location, url), { method: 'DELETE' }).catch(() => {});
  pc.close();
  return out;
}
