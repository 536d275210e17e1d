// window.__airclass: each player's live state as plain figures, for people reading the console
// and for the end-to-end tests (which read it instead of guessing from pixels).
export function debugSlot(id) {
  const root = (window.__airclass ||= { players: {} });
  const slot = {
    id, state: 'connecting', message: '', latency: null, method: null, framesDecoded: 0,
    firstFrameMs: null, sessionFirstFrameMs: null, sessions: 0, reconnects: 0, jumps: 0,
    muted: null, needsUnmute: false, width: 0, height: 0, fps: 0, kbps: 0, latencies: [],
  };
  root.players[id] = slot;
  return slot;
}

export function dropDebugSlot(id, slot) {
  const root = window.__airclass;
  if (root && root.players[id] === slot) delete root.players[id];
}
