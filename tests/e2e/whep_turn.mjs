// Plays the classroom stream in headless Debian Chromium through a TURN relay only, as a student
// behind a firewall that lets nothing but the relay through: the page POSTs to the token API,
// takes the answer's `ice_servers` as RTCConfiguration.iceServers with iceTransportPolicy
// 'relay' (so the only path is the relay), plays the webrtc_url and prints one JSON object:
// the token answer's TURN entries (credentials left out), ICE candidate errors (a TURN server
// refusing the credentials shows up as errorCode 401), and a getStats() timeline (frames
// decoded, the selected pair's local and remote candidates).
// Usage: node whep_turn.mjs <token-api-url> <seconds> [--ice-servers JSON]
//   --ice-servers replaces the answer's ice_servers (a test hands in bad credentials).
// It stops early once the connection has failed. Runs in the netbed's viewer namespace
// (see chromium_page.mjs and netbed.py).
import { withServerPage } from './chromium_page.mjs';

const [url, secondsArg, ...rest] = process.argv.slice(2);
const seconds = Number(secondsArg || 10);
const overrideAt = rest.indexOf('--ice-servers');
const iceOverride = overrideAt >= 0 ? JSON.parse(rest[overrideAt + 1]) : null;

const result = await withServerPage(url, {}, (page) =>
  page.evaluate(playThroughRelay, { url, seconds, iceOverride }));
process.stdout.write(JSON.stringify(result) + '\n');

// Runs in the page: only what is defined inside it exists there.
async function playThroughRelay({ url, seconds, iceOverride }) {
  // Frames decoded and the selected candidate pair (through the transport, as the spec means
  // "selected"), with both ends' candidate types and addresses.
  async function sample(pc) {
    const stats = await pc.getStats();
    const s = { t: Date.now(), state: pc.connectionState };
    let pairId = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        s.framesDecoded = r.framesDecoded;
        s.packetsReceived = r.packetsReceived;
      } else if (r.type === 'transport' && r.selectedCandidatePairId) {
        pairId = r.selectedCandidatePairId;
      }
    });
    const pair = pairId && stats.get(pairId);
    if (pair) {
      const local = stats.get(pair.localCandidateId) || {};
      const remote = stats.get(pair.remoteCandidateId) || {};
      s.pair = {
        state: pair.state, bytesReceived: pair.bytesReceived,
        local: { type: local.candidateType, address: local.address, port: local.port,
                 relayProtocol: local.relayProtocol, url: local.url },
        remote: { type: remote.candidateType, address: remote.address, port: remote.port },
      };
    }
    return s;
  }

  const out = { timeline: [], events: [], candidateErrors: [], gathered: [] };
  const t = await fetch(url, { method: 'POST' });
  out.tokenStatus = t.status;
  const answer = await t.json();
  if (t.status !== 200) {
    out.error = `token API answered ${t.status}: ${JSON.stringify(answer)}`;
    return out;
  }
  const iceServers = iceOverride || answer.ice_servers || [];
  // What the test may print: URLs and usernames, never a credential.
  out.iceServers = iceServers.map((s) => ({ urls: s.urls, username: s.username }));
  const pc = new RTCPeerConnection({
    iceServers, iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require',
  });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.appendChild(video);
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  pc.onconnectionstatechange = () => out.events.push({ t: Date.now(), state: pc.connectionState });
  pc.onicecandidate = (e) => {
    if (e.candidate) out.gathered.push({ type: e.candidate.type, address: e.candidate.address });
  };
  pc.onicecandidateerror = (e) =>
    out.candidateErrors.push({ url: e.url, errorCode: e.errorCode, errorText: e.errorText });
  const whep = await window.whepPlay(pc, answer.webrtc_url, out);
  if (!whep) return out;
  out.location = whep.location;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && pc.connectionState !== 'failed') {
    await new Promise((r) => setTimeout(r, 250));
    out.timeline.push(await sample(pc));
  }
  if (out.location) {
    const del = await fetch(new URL(out.location, answer.webrtc_url), { method: 'DELETE' });
    out.deleteStatus = del.status;
  }
  pc.close();
  return out;
}
