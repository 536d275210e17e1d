// One headless Debian Chromium for the WHEP players (whep_browser.mjs, bench/g2g_page.mjs,
// bench/av_offset_page.mjs): a throw-away profile, the flags WebRTC on loopback needs, and a
// page of the server's own origin. Must run where Chromium reaches the server on loopback:
// inside `unshare -n` (see ../shared/docs/testing.md).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const baseArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
  '--mute-audio', '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
];

// Installed in the page: window.whepViewer(withAudio) (below) and
// window.whepPlay(pc, url, out): offers the transceivers `pc` has,
// POSTs the offer (WHEP), applies the answer. Returns { location, answer, postedAt }
// (performance.now() at the POST), or null with out.error set (and `pc` closed) when the server
// refused.
function installWhepPlay() {
  window.whepPlay = async (pc, url, out) => {
    await pc.setLocalDescription(await pc.createOffer());
    const postedAt = performance.now();
    const res = await fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp,
    });
    out.status = res.status;
    const body = await res.text();
    if (res.status !== 201) {
      out.error = `WHEP POST answered ${res.status}: ${body}`;
      pc.close();
      return null;
    }
    out.answeredMs = performance.now() - postedAt;  // where the time to first frame goes
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    out.remoteSetMs = performance.now() - postedAt;
    return { location: res.headers.get('Location'), answer: body, postedAt };
  };
  // A receive-only peer connection (video, and audio when asked) playing into an unmuted <video>
  // added to the page, as a student's page plays it: Chromium then renders (and lip-syncs) audio.
  window.whepViewer = (withAudio) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    if (withAudio) pc.addTransceiver('audio', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = false;  // --mute-audio keeps the machine silent
    video.autoplay = true;
    video.playsInline = true;
    document.body.appendChild(video);
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => {
      stream.addTrack(e.track);
      video.srcObject = stream;
    });
    return { pc, video };
  };
  // NetEq's view of the audio: target (with A/V sync) against minimum (network only), and what
  // it did to hold it (time stretching, concealment).
  window.netEqFields = ['jitterBufferDelay', 'jitterBufferEmittedCount',
    'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitter', 'packetsReceived',
    'concealedSamples', 'totalSamplesReceived', 'insertedSamplesForDeceleration',
    'removedSamplesForAcceleration', 'totalInterruptionDuration'];
  // One getStats() sample into `sample`: the named inbound video fields as they are, the audio
  // ones prefixed 'audio', the media-playout delay and the selected pair's round-trip time.
  window.whepStats = async (pc, videoFields, audioFields, sample) => {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        for (const f of videoFields) sample[f] = s[f];
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        for (const f of audioFields) sample['audio' + f[0].toUpperCase() + f.slice(1)] = s[f];
      } else if (s.type === 'media-playout') {
        sample.playoutTotalDelay = s.totalPlayoutDelay;
        sample.playoutSamplesCount = s.totalSamplesCount;
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        sample.rtt = s.currentRoundTripTime;
      }
    });
    return sample;
  };
  // A getStats() sample a second for `seconds`, each timed from t0, then each().
  window.whepTimeline = async (pc, t0, seconds, videoFields, audioFields, timeline, each) => {
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      timeline.push(await window.whepStats(pc, videoFields, audioFields,
                                           { t: performance.now() - t0 }));
      each?.();
    }
  };
}

// Runs `use(page)` on a page of `url`'s origin and returns what it returns (or { error }).
// `noSmoothing` turns off Chromium's frame-smoothing renderer (glass-to-glass measurements).
// AIRCLASS_CHROMIUM_LOG=1 turns on Chromium's own log on its stderr (WebRTC included: NACK
// give-ups, keyframe requests, receive stats every 10 s); DEBUG=pw:browser makes playwright
// pass it on. AIRCLASS_CHROMIUM_VMODULE adds verbose modules, e.g. --vmodule=*/webrtc/*=1.
// AIRCLASS_CHROMIUM_ARGS adds flags of the test's own.
export async function withServerPage(url, { noSmoothing = false } = {}, use) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'airclass-chromium-'));
  const args = noSmoothing ? [...baseArgs, '--disable-rtc-smoothness-algorithm'] : [...baseArgs];
  // Extra flags from the test, space-separated (test_tls.py: the test CA's certificates to trust).
  if (process.env.AIRCLASS_CHROMIUM_ARGS) args.push(...process.env.AIRCLASS_CHROMIUM_ARGS.split(' '));
  if (process.env.AIRCLASS_CHROMIUM_LOG) {
    args.push('--enable-logging=stderr', process.env.AIRCLASS_CHROMIUM_VMODULE || '--v=0');
  }
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/lib/chromium/chromium', headless: true, args,
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    // Chromium's private network rules block fetches from about:blank to a loopback address;
    // 127.0.0.1 is also a secure context (AudioWorklet).
    await page.goto(new URL('/', url).href).catch(() => {});
    await page.evaluate(installWhepPlay);
    return await use(page);
  } catch (e) {
    return { error: String(e) };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
