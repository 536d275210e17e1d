// The airclass API (same origin as the page): tokens, health, streams, cluster nodes.
export class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function call(method, url, token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  let res;
  try {
    res = await fetch(url, { method, headers, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'server unreachable');
  }
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!res.ok) {
    const msg = (body && body.error) || `HTTP ${res.status}`;
    throw new ApiError(res.status, msg, Number(res.headers.get('Retry-After')) || 0);
  }
  return body;
}

// POST /api/token; `extra` may carry path, passcode, code.
export function requestToken(userType, userId, extra = {}) {
  const q = new URLSearchParams({ user_type: userType, user_id: userId });
  for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
  return call('POST', `/api/token?${q}`);
}

export const health = (path) => call('GET', path ? `/health?path=${encodeURIComponent(path)}` : '/health');
export const streams = (token) => call('GET', '/api/streams', token);
export const stream = (token, path) => call('GET', `/api/streams/${path}`, token);
export const clusterNodes = (token) => call('GET', '/api/cluster/nodes', token);

// A token's webrtc_url names one path; monitors holding a `path=*` token aim it at another.
export function whepUrlFor(webrtcUrl, path) {
  const u = new URL(webrtcUrl, location.href);
  u.pathname = `/${path}/whep`;
  return u.href;
}
