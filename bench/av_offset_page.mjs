// A/V offset reader: plays a WHEP URL in headless Debian Chromium (tests/e2e/chromium_page.mjs)
// and times, in the browser, each white flash of the picture and each 1 kHz beep onset of the
// sound that the flash+beep publisher (tests/e2e/test_whep_av_sync.py) starts together.
// Picture: mean luma of a downscaled copy of every frame requestVideoFrameCallback reports;
// a flash is the first bright frame after a dark one. Sound, two taps on the remote audio track
// (the <video> element plays it): a MediaStreamTrackProcessor sees each chunk as the element
// pulls it from NetEq (`tap`, the figure: + the element's media-playout delay), and an
// AudioWorklet (`beeps`, a cross-check) whose context time maps to performance.now() through
// AudioContext.getOutputTimestamp(). Both find the first loud sample after >= 300 ms of quiet.
// Prints one JSON object: flashes, both taps' onsets, output-timestamp samples and a 1 s
// getStats timeline (with media-playout and estimatedPlayoutTimestamp).
// Usage: node av_offset_page.mjs <whep-url> <seconds> [--no-smoothing]   (inside `unshare -n`)
import { withServerPage } from '../tests/e2e/chromium_page.mjs';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 25);
const noSmoothing = rest.includes('--no-smoothing') || !!process.env.AIRCLASS_NO_SMOOTHING;

const result = await withServerPage(url, { noSmoothing },
                                     (page) => page.evaluate(measureInPage, { url, seconds }));
result.noSmoothing = noSmoothing;
process.stdout.write(JSON.stringify(result) + '\n');

async function measureInPage({ url, seconds }) {
  // Beep onset: the first sample above 0.1 after >= 300 ms below 0.02. The codec rounds the
  // beep's start (and AAC may pre-echo up to a frame before it), so the loud sample may come up
  // to 30 ms after the quiet run ends. Runs in the page and, as text, in the AudioWorklet.
  function makeDetector(rate) {
    const d = { peak: 0, longestQuiet: 0 };
    let quiet = 0;
    let lastQuiet = 0;
    let sinceQuiet = 1e9;
    let armed = false;
    d.push = (ch, onOnset) => {
      for (let i = 0; i < ch.length; ++i) {
        const a = Math.abs(ch[i]);
        d.peak = Math.max(d.peak, a);
        if (a < 0.02) {
          ++quiet;
          d.longestQuiet = Math.max(d.longestQuiet, quiet * 1000 / rate);
          continue;
        }
        if (quiet > 0) {
          [lastQuiet, sinceQuiet, armed, quiet] = [quiet, 0, true, 0];
        }
        ++sinceQuiet;
        if (armed && a > 0.1) {
          armed = false;
          if (lastQuiet >= 0.3 * rate && sinceQuiet <= 0.03 * rate) {
            onOnset(i, lastQuiet * 1000 / rate, sinceQuiet * 1000 / rate);
          }
        }
      }
    };
    return d;
  }
  // Runs on the audio rendering thread, one 128-frame quantum at a time: currentFrame is the
  // context frame of the quantum's first sample. A level report once a second shows whether
  // sound reaches the context at all.
  const worklet = `const makeDetector = ${makeDetector.toString()};
class BeepOnset extends AudioWorkletProcessor {
  constructor() {
    super();
    this.d = makeDetector(sampleRate);
    this.frames = 0;
  }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    this.d.push(ch, (i, quietMs, rampMs) => this.port.postMessage(
      { onset: (currentFrame + i) / sampleRate, quietMs, rampMs }));
    this.frames += ch.length;
    if (this.frames >= sampleRate) {
      this.port.postMessage({ level: this.d.peak, quietMs: this.d.longestQuiet });
      this.d.peak = 0;
      this.d.longestQuiet = 0;
      this.frames = 0;
    }
    return true;
  }
}
registerProcessor('beep-onset', BeepOnset);
`;
  const out = { flashes: [], beeps: [], levels: [], clock: [], timeline: [], callbacks: 0 };
  // The element plays the audio, so Chromium lip-syncs as for a student.
  const { pc, video } = window.whepViewer(true);
  let audioTrack = null;
  pc.addEventListener('track', (e) => {
    if (e.track.kind === 'audio') audioTrack = e.track;
  });
  const audioCtx = new AudioContext({ latencyHint: 'interactive' });
  const blobUrl = URL.createObjectURL(new Blob([worklet], { type: 'text/javascript' }));
  await audioCtx.audioWorklet.addModule(blobUrl);

  const whep = await window.whepPlay(pc, url, out);
  if (!whep) return out;
  const { location, postedAt: t0 } = whep;
  if (!audioTrack) {
    out.error = 'no remote audio track';
    pc.close();
    return out;
  }

  // The context time <-> performance.now() map. Per the Web Audio spec (and Chromium's
  // AudioDestination: position = frames rendered - hardware delay, at the callback's time)
  // contextTime is the sample leaving the output device at performanceTime, so the map
  // already includes the output latency; the page records outputLatency apart.
  const clockSample = () => {
    const ts = audioCtx.getOutputTimestamp();
    const s = {
      t: performance.now() - t0, contextTime: ts.contextTime, performanceTime: ts.performanceTime,
      currentTime: audioCtx.currentTime, outputLatency: audioCtx.outputLatency,
      baseLatency: audioCtx.baseLatency, state: audioCtx.state,
    };
    out.clock.push(s);
    return s;
  };
  const source = audioCtx.createMediaStreamSource(new MediaStream([audioTrack]));
  const node = new AudioWorkletNode(audioCtx, 'beep-onset', { numberOfOutputs: 0 });
  node.port.onmessage = (e) => {
    const now = performance.now();
    const c = clockSample();
    if (e.data.level !== undefined) {
      out.levels.push({ t: now - t0, peak: e.data.level, quietMs: e.data.quietMs });
      return;
    }
    out.beeps.push({
      t: now - t0,  // page time since the POST, to drop the warm-up
      contextTime: e.data.onset,
      quietMs: e.data.quietMs,
      rampMs: e.data.rampMs,
      // The sound leaves the output device at this performance.now() time.
      speaker: c.performanceTime + (e.data.onset - c.contextTime) * 1000,
      // The same onset as the worklet saw it (rendering time, before the output delay).
      rendered: now - (c.currentTime - e.data.onset) * 1000,
      outputLatency: c.outputLatency * 1000,
      baseLatency: c.baseLatency * 1000,
    });
  };
  source.connect(node);
  await audioCtx.resume();
  out.audioContext = { sampleRate: audioCtx.sampleRate, state: audioCtx.state };
  out.tap = tapAudio(audioTrack);

  // The second sound tap, without Web Audio's buffering: MediaStreamTrackProcessor hands over
  // each chunk as the media element's renderer pulls it from NetEq, stamped (AudioData
  // timestamp, us; Chromium 156 gives it in the performance.now() timebase) with that pull;
  // the element's output device plays it media-playout totalPlayoutDelay later. calibMs, the
  // smallest (receipt - stamp), corrects a foreign timebase: a chunk arrives after its pull
  // (measured here: ~0, receipt trails the stamp by 0.1-2 ms).
  function tapAudio(track) {
    const tap = { beeps: [], calibMs: Infinity, chunks: 0, format: null };
    if (typeof MediaStreamTrackProcessor !== 'function') {
      tap.error = 'no MediaStreamTrackProcessor';
      return tap;
    }
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    let det = null;
    let buf = new Float32Array(0);
    tap.stop = () => reader.cancel().catch(() => {});
    (async () => {
      for (;;) {
        const { value: data, done } = await reader.read();
        if (done) return;
        const recv = performance.now();
        const stamp = data.timestamp / 1000;
        const rate = data.sampleRate;
        tap.calibMs = Math.min(tap.calibMs, recv - stamp);
        tap.format = `${data.format} ${rate} Hz ${data.numberOfChannels} ch ${data.numberOfFrames}`;
        ++tap.chunks;
        det = det || makeDetector(rate);
        if (buf.length < data.numberOfFrames) buf = new Float32Array(data.numberOfFrames);
        const ch = buf.subarray(0, data.numberOfFrames);
        data.copyTo(ch, { planeIndex: 0, format: 'f32-planar' });
        data.close();
        det.push(ch, (i, quietMs, rampMs) => tap.beeps.push(
          { t: recv - t0, stamp: stamp + i * 1000 / rate, quietMs, rampMs }));
      }
    })().catch((e) => { tap.error = String(e); });
    return tap;
  }

  // 32x18 copy of the frame: enough to tell a white frame (luma 235) from a black one (16).
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 18;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const meanLuma = () => {
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
    }
    return sum / (px.length / 4);
  };
  let last = null;
  const onFrame = (now, meta) => {
    ++out.callbacks;
    const luma = meanLuma();
    if (last && last.luma < 60 && luma > 150) {
      out.flashes.push({
        t: now - t0, now, display: meta.expectedDisplayTime, receive: meta.receiveTime,
        rtpTimestamp: meta.rtpTimestamp, luma,
        // More than one presented frame since the last callback: the first white frame may
        // have been shown without a callback, and this onset would be a frame late.
        skipped: meta.presentedFrames - last.presented - 1,
      });
    }
    last = { luma, presented: meta.presentedFrames };
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  const fields = ['framesDecoded', 'framesReceived', 'framesDropped', 'jitterBufferDelay',
    'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount',
    'totalDecodeTime', 'totalProcessingDelay', 'freezeCount', 'packetsLost', 'nackCount',
    'pliCount', 'estimatedPlayoutTimestamp'];
  await window.whepTimeline(pc, t0, seconds, fields, [...window.netEqFields, 'estimatedPlayoutTimestamp'], out.timeline, clockSample);
  out.audioContext.finalState = audioCtx.state;
  out.tap.stop?.();
  delete out.tap.stop;
  if (location) await fetch(new URL(location, url), { method: 'DELETE' }).catch(() => {});
  await audioCtx.close();
  pc.close();
  return out;
}
