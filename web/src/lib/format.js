// How figures read on screen.
export function ms(v) {
  return v == null || Number.isNaN(v) ? '–' : `${Math.round(v)} ms`;
}

export function kbps(v) {
  if (v == null) return '–';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} Mbit/s` : `${Math.round(v)} kbit/s`;
}

export function duration(msValue) {
  const s = Math.floor((msValue || 0) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function latencyLevel(v) {
  if (v == null) return 'none';
  return v < 300 ? 'good' : v < 1000 ? 'fair' : 'poor';
}

// How long ago a Unix-epoch millisecond time was.
export function since(epochMs) {
  return epochMs ? duration(Math.max(Date.now() - epochMs, 0)) : '–';
}
