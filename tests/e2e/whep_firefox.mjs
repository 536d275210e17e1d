// Plays a WHEP URL in headless Debian Firefox ESR (npm puppeteer-core over WebDriver BiDi) and
// prints one JSON object: the browser, launch time, the video and audio codecs Firefox offered,
// the WHEP exchange, time to first frame, a timeline of getStats() samples and a summary
// (frames decoded, fps, resolution, codec from inbound-rtp codecId -> codec mimeType, freezes
// when Firefox reports them).
// Usage: node whep_firefox.mjs <whep-url> <seconds> [--no-audio] [--print-offer]
//                                [--bearer <token>] [--until-stdin] [--vp8-as-h264]
//        node whep_firefox.mjs local <seconds> [--no-audio] [--print-offer]
// With `local` there is no server: a second peer connection in the page sends a canvas
// (VP8, Firefox's first video codec) and Opus from an oscillator, and the player receives it
// exactly as it would from a server. It proves Firefox, the page and the statistics work here.
// --bearer sends `Authorization: Bearer <token>` with the POST (our tokens usually travel in
// the URL's ?jwt=). --until-stdin: as in whep_browser.mjs.
// --vp8-as-h264 is a transport check for a server that answers only H.264: the POSTed offer
// calls Firefox's VP8 payload type H.264 (packetization-mode=1, 42e01f) and the answer is
// mapped back before Firefox sees it. ICE, DTLS and SRTP then run for real (packets counted);
// frames do not decode (H.264 bytes in a VP8 decoder).
//
// Where it must run: in a namespace with only lo (even with another address on lo) and no
// default route, Firefox ESR gathers no ICE candidates at all (iceGatheringState stays "new");
// with a default route over lo it still neither offers 127.0.0.1 nor pairs with a
// server's 127.0.0.1 candidate (not even with media.peerconnection.ice.loopback).
// test_whep_firefox.py's firefox_netns() prepares a namespace that works: lo up, 198.51.100.2/32
// on lo and a default route over lo; Firefox then offers a host candidate on 198.51.100.2 and
// checks the server's candidate on that address (server media socket on 0.0.0.0). netbed's
// viewer namespace works as it is (veth, server at 198.51.100.1, checked).
import puppeteer from 'puppeteer-core';

const FIREFOX = process.env.AIRCLASS_FIREFOX || '/usr/lib/firefox-esr/firefox-esr';

// Prefs on top of puppeteer's own test profile (which already turns off updates, safe
// browsing, normandy's API, remote settings' server, data reporting). The machine has no
// network: every background connection Firefox would make is turned off, so none leaves the
// namespace or waits on a resolver (in a private namespace launch time is the same without).
const quietPrefs = {
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.topsites.contile.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'dom.push.connection.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.trr.mode': 5,  // no DNS over HTTPS
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.unified': false,
};

// What playback needs. No OpenH264 download (there is no network, and the point is an offer
// without H.264): Firefox then offers VP8, VP9 and AV1 only.
const mediaPrefs = {
  'media.autoplay.default': 0,  // allow audible autoplay
  'media.autoplay.blocking_policy': 0,
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-gmpopenh264.autoupdate': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-provider.enabled': false,
  // "For testing in offline environments", says Firefox; here it changes nothing (checked):
  // 127.0.0.1 is still neither gathered nor paired. Kept for hosts where it does help.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,  // real address, not mDNS
  'media.volume_scale': '0.0',  // keep the machine silent (an unmuted element renders audio)
};

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 10);
const withAudio = !rest.includes('--no-audio');
const printOffer = rest.includes('--print-offer');
const untilStdin = rest.includes('--until-stdin');
const bearerAt = rest.indexOf('--bearer');
const bearer = bearerAt >= 0 ? rest[bearerAt + 1] : process.env.AIRCLASS_WHEP_BEARER || '';
const localPeer = url === 'local';
const vp8AsH264 = rest.includes('--vp8-as-h264');

if (!url || !(seconds >= 0)) {
  process.stderr.write('usage: node whep_firefox.mjs <whep-url|local> <seconds> [options]\n');
  process.exit(2);
}

const result = await withFirefoxPage(localPeer ? '' : url, async (page) => {
  if (untilStdin) {
    const stop = () => page.evaluate(() => { window.__whepStop = true; }).catch(() => {});
    process.stdin.on('data', stop);
    process.stdin.on('end', stop);
  }
  await page.evaluate(installWhepFirefox);
  return page.evaluate(playInPage, { url, seconds, withAudio, bearer, localPeer, vp8AsH264 });
});
if (result.offer) {
  result.offerCodecs = offerCodecs(result.offer);
  if (!printOffer) delete result.offer;
}
process.stdout.write(JSON.stringify(result) + '\n');
if (untilStdin) process.stdin.destroy();  // let node exit without waiting for more input
process.exitCode = result.launchError ? 1 : 0;

// Launches Firefox with a fresh profile (puppeteer makes it and removes it), opens a page of
// `url`'s origin (about:blank when there is none or it does not answer) and returns what
// use(page) returns, with the launch facts added (or { error }).
async function withFirefoxPage(url, use) {
  const facts = {};
  const t0 = Date.now();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox', protocol: 'webDriverBiDi', headless: true, executablePath: FIREFOX,
      extraPrefsFirefox: { ...quietPrefs, ...mediaPrefs }, timeout: 60000,
      dumpio: !!process.env.AIRCLASS_FIREFOX_LOG,
    });
  } catch (e) {
    return { launchError: String(e), launchMs: Date.now() - t0 };
  }
  facts.launchMs = Date.now() - t0;
  let result;
  let page;
  try {
    facts.browser = await browser.version();
    page = (await browser.pages())[0] || await browser.newPage();
    if (url) {
      // Same origin as the WHEP endpoint: no CORS preflight, as a page the server serves.
      await page.goto(new URL('/', url).href, { timeout: 10000 }).catch(async (e) => {
        facts.pageError = String(e).split('\n')[0];
        await page.goto('about:blank');
      });
    }
    result = { ...facts, ...(await use(page)) };
  } catch (e) {
    result = { ...facts, error: String(e) };
  }
  const t1 = Date.now();
  // After an http page Firefox takes more than the 5 s puppeteer waits before it kills it;
  // from about:blank it exits in 1-2 s.
  await page?.goto('about:blank').catch(() => {});
  await browser.close().catch(() => {});
  result.closeMs = Date.now() - t1;
  return result;
}

// The codec names of each m-section of an SDP, in offer order: { video: [...], audio: [...] }.
function offerCodecs(sdp) {
  const codecs = {};
  let kind = null;
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\w+) /.exec(line);
    if (m) kind = m[1];
    const r = /^a=rtpmap:\d+ ([^/]+)\//.exec(line);
    if (r && kind) (codecs[kind] ||= []).push(r[1]);
  }
  return codecs;
}

// Installed in the page: window.whepFirefox = { viewer, offer, postOffer, localAnswer, stats }.
function installWhepFirefox() {
  // A receive-only peer connection playing into an unmuted <video> (audio rendered, at volume
  // 0 through media.volume_scale).
  const viewer = (withAudio) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    if (withAudio) pc.addTransceiver('audio', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.autoplay = true;
    video.muted = false;
    document.body.appendChild(video);
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => {
      stream.addTrack(e.track);
      video.srcObject = stream;
    });
    return { pc, video };
  };
  // The offer after ICE gathering (WHEP without trickle), at most `waitMs` later.
  const offer = async (pc, waitMs) => {
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((done) => {
        const timer = setTimeout(done, waitMs);
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') { clearTimeout(timer); done(); }
        });
      });
    }
    return pc.localDescription.sdp;
  };
  // POSTs the offer; returns { status, body, location } or { error } when nothing answered.
  const postOffer = async (url, sdp, bearer) => {
    const headers = { 'Content-Type': 'application/sdp' };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    try {
      const res = await fetch(url, { method: 'POST', headers, body: sdp });
      return { status: res.status, body: await res.text(), location: res.headers.get('Location') };
    } catch (e) {
      return { error: `WHEP POST to ${url} failed: ${e.message}` };
    }
  };
  // The server's part played by a peer connection in the page: a moving canvas and a tone.
  const localAnswer = async (sdp, withAudio) => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
    const g = canvas.getContext('2d');
    let n = 0;
    setInterval(() => {
      g.fillStyle = `hsl(${(n += 7) % 360} 80% 50%)`;
      g.fillRect(0, 0, 640, 360);
      g.fillStyle = '#fff';
      g.fillText(String(n), 20 + (n % 600), 180);
    }, 33);
    const sender = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    sender.addTrack(canvas.captureStream(30).getVideoTracks()[0]);
    if (withAudio) {
      const ctx = new AudioContext();
      const tone = ctx.createOscillator();
      const dest = ctx.createMediaStreamDestination();
      tone.connect(dest);
      tone.start();
      sender.addTrack(dest.stream.getAudioTracks()[0]);
    }
    await sender.setRemoteDescription({ type: 'offer', sdp });
    await sender.setLocalDescription(await sender.createAnswer());
    await new Promise((done) => {
      const timer = setTimeout(done, 3000);
      sender.addEventListener('icegatheringstatechange', () => {
        if (sender.iceGatheringState === 'complete') { clearTimeout(timer); done(); }
      });
    });
    window.__localSender = sender;
    return { status: 201, body: sender.localDescription.sdp, location: null };
  };
  // One getStats() sample: the inbound video (and audio) fields, each codec's mimeType.
  const stats = async (pc, sample) => {
    const report = await pc.getStats();
    const codecOf = (s) => (s.codecId && report.get(s.codecId)?.mimeType) || undefined;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        Object.assign(sample, {
          codec: codecOf(s), framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded,
          width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond,
          framesReceived: s.framesReceived, framesDropped: s.framesDropped,
          packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,
          nackCount: s.nackCount, pliCount: s.pliCount, firCount: s.firCount,
          freezeCount: s.freezeCount, totalFreezesDuration: s.totalFreezesDuration,
          jitterBufferDelay: s.jitterBufferDelay,
          jitterBufferEmittedCount: s.jitterBufferEmittedCount,
        });
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        Object.assign(sample, {
          audioCodec: codecOf(s), audioPacketsReceived: s.packetsReceived,
          audioPacketsLost: s.packetsLost, audioSamples: s.totalSamplesReceived,
          audioLevel: s.audioLevel,
        });
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        sample.rtt = s.currentRoundTripTime;
      }
    });
    return sample;
  };
  // --vp8-as-h264: VP8's payload type renamed H.264 in the offer, and back in the answer.
  const vp8Type = (sdp) => /^a=rtpmap:(\d+) VP8\/90000/m.exec(sdp)?.[1];
  const asH264 = (sdp) => {
    const pt = vp8Type(sdp);
    return sdp.replace(`a=rtpmap:${pt} VP8/90000`, `a=rtpmap:${pt} H264/90000`)
      .replace(new RegExp(`^a=fmtp:${pt} .*$`, 'm'),
               `a=fmtp:${pt} level-asymmetry-allowed=1;packetization-mode=1;` +
               'profile-level-id=42e01f');
  };
  const backToVp8 = (answer, offer) => {
    const pt = vp8Type(offer);
    return answer.replace(`a=rtpmap:${pt} H264/90000`, `a=rtpmap:${pt} VP8/90000`)
      .replace(new RegExp(`^a=fmtp:${pt} .*\r?\n`, 'm'), '');
  };
  window.whepFirefox = { viewer, offer, postOffer, localAnswer, stats, asH264, backToVp8 };
}

// In the page: offer, exchange (WHEP POST or the local peer), play for `seconds`, report.
async function playInPage({ url, seconds, withAudio, bearer, localPeer, vp8AsH264 }) {
  const w = window.whepFirefox;
  const out = { timeline: [], events: [] };
  const { pc, video } = w.viewer(withAudio);
  pc.addEventListener('connectionstatechange', () =>
    out.events.push({ t: Date.now(), state: pc.connectionState }));
  const t0 = performance.now();
  out.offer = await w.offer(pc, 3000);
  out.gatherMs = Math.round(performance.now() - t0);
  out.candidates = out.offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  const postedAt = performance.now();
  const res = localPeer ? await w.localAnswer(out.offer, withAudio)
                        : await w.postOffer(url, vp8AsH264 ? w.asH264(out.offer) : out.offer,
                                           bearer);
  out.answeredMs = Math.round(performance.now() - postedAt);
  if (res.error || res.status !== 201) {
    out.status = res.status;
    out.error = res.error || `WHEP POST answered ${res.status}: ${res.body}`;
    pc.close();
    return out;
  }
  out.status = res.status;
  out.location = res.location;
  out.answer = res.body;
  await pc.setRemoteDescription(
    { type: 'answer', sdp: vp8AsH264 ? w.backToVp8(res.body, out.offer) : res.body });
  if (video.requestVideoFrameCallback) {
    video.requestVideoFrameCallback((now, meta) => {
      out.firstFrameMs = Math.round(now - postedAt);
      out.firstFrameSize = [meta.width, meta.height];
    });
  }
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && !window.__whepStop) {
    await new Promise((r) => setTimeout(r, 500));
    out.timeline.push(await w.stats(pc, { t: Math.round(performance.now() - postedAt) }));
  }
  out.summary = summarize(out.timeline, video);
  if (out.location) {
    const del = await fetch(new URL(out.location, url), { method: 'DELETE' }).catch(() => null);
    out.deleteStatus = del?.status;
  }
  pc.close();
  window.__localSender?.close();
  return out;

  // The last sample's figures, fps also measured over the last 2 s of framesDecoded.
  function summarize(timeline, video) {
    const last = timeline[timeline.length - 1] || {};
    const back = timeline[Math.max(0, timeline.length - 5)] || last;
    const dt = (last.t - back.t) / 1000;
    return {
      codec: last.codec, audioCodec: last.audioCodec, framesDecoded: last.framesDecoded || 0,
      fps: last.fps, measuredFps: dt > 0 ? (last.framesDecoded - back.framesDecoded) / dt : null,
      width: last.width ?? video.videoWidth, height: last.height ?? video.videoHeight,
      freezeCount: last.freezeCount, totalFreezesDuration: last.totalFreezesDuration,
      packetsLost: last.packetsLost, audioPacketsReceived: last.audioPacketsReceived,
      connectionState: pc.connectionState,
    };
  }
}
