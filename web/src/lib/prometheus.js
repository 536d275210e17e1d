// Sums of the samples in Prometheus text exposition, by metric name (labels added up).
export function parseMetrics(text) {
  const sums = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) sums[m[1]] = (sums[m[1]] || 0) + v;
  }
  return sums;
}

export async function fetchMetrics() {
  const res = await fetch('/metrics', { cache: 'no-store' });
  if (!res.ok) throw new Error(`metrics: HTTP ${res.status}`);
  return parseMetrics(await res.text());
}
