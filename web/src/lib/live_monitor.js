// The player's live-edge watchdog: every 50 ms it reads getStats() (never video.buffered,
// which WebRTC leaves empty), works out the playout delay and, when delay builds past the
// limit, pulls playback back to the live edge. Every second it hands the page a summary.
const NTP_EPOCH_OFFSET_MS = 2208988800000; // 1900-01-01 to 1970-01-01
const TICK_MS = 50;
const WINDOW = 10; // ticks in the sliding window (0.5 s) for rates and per-frame delays
const LIVE_LIMIT_MS = 200;

export const METHODS = {
  sender: 'From the server receiving the frame to this screen, by the server clock: the RTCP ' +
    'sender reports map each frame to its arrival time; latency = now - estimatedPlayoutTimestamp ' +
    '(exact when the clocks agree; the phone\'s encoding and upload come on top).',
  estimate: 'Estimate from getStats(): jitter-buffer delay + decode time per frame + half the ' +
    'round trip (this browser gave no usable playout timestamp).',
};

function pick(report) {
  const out = { video: null, audio: null, pair: null };
  let selected = null;
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.video = s;
    else if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audio = s;
    else if (s.type === 'transport' && s.selectedCandidatePairId) selected = s.selectedCandidatePairId;
  });
  report.forEach((s) => {
    if (s.type !== 'candidate-pair') return;
    if (s.id === selected || (!selected && s.nominated && s.state === 'succeeded')) out.pair = s;
  });
  return out;
}

const delta = (a, b, key) => (b?.[key] ?? 0) - (a?.[key] ?? 0);

// Latency by the sender's clock, when Chromium reports a plausible playout timestamp.
function senderLatency(s) {
  const ept = s?.estimatedPlayoutTimestamp;
  if (!ept) return null;
  const ms = s.timestamp + NTP_EPOCH_OFFSET_MS - ept;
  return ms > -50 && ms < 60000 ? Math.max(ms, 0) : null;
}

export class LiveMonitor {
  // onTick(sample) every tick; onSecond(summary) once a second; onLag() asks for a hard resync.
  constructor(session, video, { onTick, onSecond, onLag }) {
    this.session = session;
    this.video = video;
    this.onTick = onTick;
    this.onSecond = onSecond;
    this.onLag = onLag;
    this.window = [];
    this.lagSince = 0;
    this.lastSecond = 0;
    this.lastFrames = 0;
    this.lastFrameAt = performance.now();
    this.jumps = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop() {
    clearInterval(this.timer);
  }

  async tick() {
    if (this.busy) return;
    this.busy = true;
    try {
      const snap = pick(await this.session.pc.getStats());
      snap.at = performance.now();
      this.window.push(snap);
      if (this.window.length > WINDOW) this.window.shift();
      const sample = this.measure(this.window[0], snap);
      this.keepLive(sample);
      this.onTick?.(sample);
      if (snap.at - this.lastSecond >= 1000) {
        this.lastSecond = snap.at;
        this.onSecond?.(sample);
      }
    } catch {
      /* the connection closed under us; the player notices on its own */
    } finally {
      this.busy = false;
    }
  }

  measure(old, now) {
    const v = now.video || {};
    const ov = old.video || {};
    const secs = Math.max((now.at - old.at) / 1000, 0.001);
    const emitted = delta(ov, v, 'jitterBufferEmittedCount');
    const decoded = delta(ov, v, 'framesDecoded');
    const jb = emitted > 0 ? (delta(ov, v, 'jitterBufferDelay') / emitted) * 1000 : null;
    const decodeMs = decoded > 0 ? (delta(ov, v, 'totalDecodeTime') / decoded) * 1000 : 0;
    const rttMs = now.pair?.currentRoundTripTime != null ? now.pair.currentRoundTripTime * 1000 : null;
    const lost = delta(ov, v, 'packetsLost');
    const got = delta(ov, v, 'packetsReceived');
    const bytes = delta(ov, v, 'bytesReceived') + delta(old.audio, now.audio, 'bytesReceived');
    const packets = (v.packetsReceived || 0) + ((now.audio && now.audio.packetsReceived) || 0);
    if (packets > (this.lastPackets || 0) || this.lastPacketAt === undefined) {
      this.lastPackets = packets;
      this.lastPacketAt = now.at;
    }
    if ((v.framesDecoded || 0) > this.lastFrames) {
      this.lastFrames = v.framesDecoded;
      this.lastFrameAt = now.at;
    }
    const sender = senderLatency(v);
    const estimate = jb != null ? jb + decodeMs + (rttMs || 0) / 2 : null;
    const method = sender != null ? 'sender' : 'estimate';
    return {
      latency: sender ?? estimate, method, sender, estimate, jitterBufferMs: jb, decodeMs, rttMs,
      kbps: (bytes * 8) / secs / 1000,
      fps: v.framesPerSecond ?? (decoded / secs),
      width: v.frameWidth || 0, height: v.frameHeight || 0,
      framesDecoded: v.framesDecoded || 0, framesDropped: v.framesDropped || 0,
      freezes: v.freezeCount || 0, freezeSeconds: v.totalFreezesDuration || 0,
      packetsLost: v.packetsLost || 0, packetsReceived: v.packetsReceived || 0,
      lossPct: got + lost > 0 ? (Math.max(lost, 0) / (got + lost)) * 100 : 0,
      jitterMs: v.jitter != null ? v.jitter * 1000 : null,
      audio: !!now.audio && (now.audio.packetsReceived || 0) > 0,
      stalledMs: now.at - this.lastFrameAt,
      silentMs: now.at - this.lastPacketAt, // no RTP at all (video or audio) for this long
      jumps: this.jumps,
    };
  }

  // Delay past the limit: first re-assert the zero playout target and resume a paused element
  // (the jitter buffer then drains by playing slightly faster); if that has not helped within
  // 3 s, ask the player for a hard resync (a fresh session starts at the newest keyframe).
  keepLive(s) {
    if (s.latency == null || s.latency <= LIVE_LIMIT_MS) {
      this.lagSince = 0;
      return;
    }
    const now = performance.now();
    if (!this.lagSince) {
      this.lagSince = now;
      this.jumps++;
      this.session.lowLatency(0);
      if (this.video.paused) this.video.play().catch(() => {});
    } else if (now - this.lagSince > 3000 && s.latency > 2 * LIVE_LIMIT_MS) {
      this.lagSince = now;
      this.onLag?.(s);
    }
  }
}
