// Glass-to-glass reader: plays a WHEP URL in headless Debian Chromium and, on every
// requestVideoFrameCallback, reads back the wall-clock stamp the publisher burnt into the top
// left corner (see ../shared/docs/testing.md, "Glass-to-glass latency without a camera").
// Prints one JSON object: per-frame readings and a 1 s timeline of getStats() counters.
// Usage: node g2g_page.mjs <whep-url> <seconds> [--no-smoothing] [--no-audio] [--bits 44]
//        [--block 16] [--source-width 1280] [--relay-ice-servers JSON]
// --block: the stamp's block size in the publisher's pixels; --source-width: the publisher's
// width, so that a rendition scaled down by the server (854x480 of 1280x720) is read at the
// scaled positions. With fewer than 44 bits the stamp is the epoch milliseconds modulo 2^bits,
// completed from the page's own clock (latency far below 2^bits ms).
// --relay-ice-servers: RTCConfiguration.iceServers (the token answer's ice_servers) with
// iceTransportPolicy 'relay', so the only path is the TURN relay (bench/ice_transport.py).
// The report's `pair` is the selected candidate pair at the end (which transport played).
// Runs inside `unshare -n`; Chromium is launched by tests/e2e/chromium_page.mjs.
import { withServerPage } from '../tests/e2e/chromium_page.mjs';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 35);
const withAudio = !rest.includes('--no-audio');
const noSmoothing = rest.includes('--no-smoothing') || !!process.env.AIRCLASS_NO_SMOOTHING;
const bitsAt = rest.indexOf('--bits');
const bits = bitsAt >= 0 ? Number(rest[bitsAt + 1]) : 44;
const blockAt = rest.indexOf('--block');
const block = blockAt >= 0 ? Number(rest[blockAt + 1]) : 16;
const sourceWidthAt = rest.indexOf('--source-width');
const sourceWidth = sourceWidthAt >= 0 ? Number(rest[sourceWidthAt + 1]) : 0;
const relayAt = rest.indexOf('--relay-ice-servers');
const relayIceServers = relayAt >= 0 ? JSON.parse(rest[relayAt + 1]) : null;

const result = await withServerPage(url, { noSmoothing }, (page) => page.evaluate(
    measureInPage, { url, seconds, withAudio, bits, block, sourceWidth, relayIceServers }));
Object.assign(result, { noSmoothing, withAudio });
process.stdout.write(JSON.stringify(result) + '\n');

async function measureInPage({ url, seconds, withAudio, bits, block, sourceWidth,
                               relayIceServers }) {
  // The selected candidate pair (through the transport, as the spec means "selected"): both ends'
  // candidate type and protocol, so a caller can tell UDP, ICE-TCP and a TURN relay apart.
  async function selectedPair(pc) {
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) {
        pair = stats.get(r.selectedCandidatePairId);
      }
    });
    if (!pair) return null;
    const end = (c = {}) => ({ type: c.candidateType, protocol: c.protocol, tcpType: c.tcpType,
                               relayProtocol: c.relayProtocol, address: c.address, port: c.port });
    return { local: end(stats.get(pair.localCandidateId)),
             remote: end(stats.get(pair.remoteCandidateId)), rtt: pair.currentRoundTripTime };
  }

  const out = { frames: [], timeline: [], rejected: 0, callbacks: 0, contrast: [] };
  const { pc, video } = window.whepViewer(withAudio);  // audio played, so lip-synced
  if (relayIceServers) {
    // Before the offer, so that gathering starts with it; the policies must stay as they were.
    pc.setConfiguration({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require',
                          iceServers: relayIceServers, iceTransportPolicy: 'relay' });
  }
  const whep = await window.whepPlay(pc, url, out);
  if (!whep) return out;
  const { location, postedAt: t0 } = whep;

  // block x block squares: bit i (LSB first) on the top row, its inverse right below. The
  // canvas holds them at their publisher size; a scaled rendition is scaled back up into it.
  const w = bits * block;
  const h = 2 * block;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const lo = block / 4;  // the middle half of a block: away from edges blurred by coding
  const hi = (3 * block) / 4;
  const blockMean = (px, bx, by) => {
    let sum = 0;
    for (let y = by + lo; y < by + hi; ++y) {
      for (let x = bx + lo; x < bx + hi; ++x) sum += px[(y * w + x) * 4];
    }
    return sum / ((hi - lo) * (hi - lo));
  };
  const readStamp = () => {
    const scale = sourceWidth && video.videoWidth ? video.videoWidth / sourceWidth : 1;
    ctx.drawImage(video, 0, 0, w * scale, h * scale, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    let stamp = 0;
    let weakest = 255;
    for (let i = 0; i < bits; ++i) {
      const a = blockMean(px, i * block, 0);
      const b = blockMean(px, i * block, block);
      weakest = Math.min(weakest, Math.abs(a - b));
      if (a > b) stamp += 2 ** i;
    }
    out.contrast.push(Math.round(weakest));  // the stamp's weakest block: 255 is perfect
    return weakest > 64 ? stamp : null;
  };
  // A stamp of fewer than 44 bits is completed to the nearest epoch millisecond at `ref`.
  const modulus = 2 ** bits;
  const complete = (stamp, ref) => {
    if (bits >= 44) return stamp;
    let behind = (((ref - stamp) % modulus) + modulus) % modulus;
    if (behind > modulus / 2) behind -= modulus;
    return ref - behind;
  };
  // performance.timeOrigin + a DOMHighResTimeStamp is epoch milliseconds on the same clock
  // ffmpeg's RTCTIME reads (one machine); the drift check below keeps that honest.
  const epoch = (t) => performance.timeOrigin + t;
  out.clockSkewStartMs = Date.now() - epoch(performance.now());
  const onFrame = (now, meta) => {
    if (out.firstFrameMs === undefined) {
      out.firstFrameMs = now - t0;
      out.frameSize = [meta.width, meta.height];
    }
    ++out.callbacks;
    const read = readStamp();
    const stamp = read === null ? null : complete(read, epoch(now));
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
  out.pair = await selectedPair(pc);
  if (location) await fetch(new URL(location, url), { method: 'DELETE' }).catch(() => {});
  pc.close();
  return out;
}
