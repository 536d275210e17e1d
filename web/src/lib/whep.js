// One WHEP playback session (draft-ietf-wish-whep): recvonly offer, POST, answer, DELETE.

// The node's name for the picture the viewer leaves to it; asked for by sending no ?quality=,
// which older nodes (no rendition ladder) understand too.
export const AUTO_QUALITY = 'auto';

// A token answer's webrtc_url (it already carries ?jwt=) asking for one rendition: "source" or a
// rung name such as "480p".
export function withQuality(url, quality) {
  if (!quality || quality === AUTO_QUALITY) return url;
  return `${url}${url.includes('?') ? '&' : '?'}quality=${encodeURIComponent(quality)}`;
}

// What a token answer offers, best first; an older node sends no list and offers only Auto.
export function offeredQualities(answer) {
  const given = Array.isArray(answer?.qualities) ? answer.qualities : [];
  const list = given.filter((q) => typeof q === 'string' && q);
  return list.includes(AUTO_QUALITY) ? list : [AUTO_QUALITY, ...list];
}

export class WhepError extends Error {
  constructor(status, message, retryAfter = 0) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export class WhepSession {
  constructor(url, iceServers) {
    this.url = url;
    this.resource = null;
    this.rendition = ''; // the rendition the node chose, when its answer names it
    this.pc = new RTCPeerConnection({
      iceServers: iceServers || [],
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceCandidatePoolSize: 0,
    });
    this.video = this.pc.addTransceiver('video', { direction: 'recvonly' });
    this.audio = this.pc.addTransceiver('audio', { direction: 'recvonly' });
  }

  // Ask the browser to play out as early as it can (Chromium: jitterBufferTarget in ms; the
  // older playoutDelayHint in seconds).
  lowLatency(targetMs = 0) {
    for (const t of [this.video, this.audio]) {
      const r = t.receiver;
      try {
        if ('jitterBufferTarget' in r) r.jitterBufferTarget = targetMs;
        else if ('playoutDelayHint' in r) r.playoutDelayHint = targetMs / 1000;
      } catch {
        /* not supported here: nothing to tune */
      }
    }
  }

  async start() {
    this.lowLatency(0);
    await this.pc.setLocalDescription(await this.pc.createOffer());
    let res;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp' },
        body: this.pc.localDescription.sdp,
      });
    } catch {
      throw new WhepError(0, 'media server unreachable');
    }
    const body = await res.text();
    if (res.status !== 201) {
      let msg = body;
      try {
        msg = JSON.parse(body).error || body;
      } catch {
        /* plain text error */
      }
      throw new WhepError(res.status, msg || `HTTP ${res.status}`, Number(res.headers.get('Retry-After')) || 0);
    }
    const loc = res.headers.get('Location');
    if (loc) this.resource = new URL(loc, this.url).href;
    this.rendition = res.headers.get('X-AIRClass-Rendition') || '';
    await this.pc.setRemoteDescription({ type: 'answer', sdp: body });
  }

  // keepalive lets the DELETE leave even while the tab is closing.
  stop() {
    if (this.resource) {
      fetch(this.resource, { method: 'DELETE', keepalive: true }).catch(() => {});
      this.resource = null;
    }
    this.pc.close();
  }
}
