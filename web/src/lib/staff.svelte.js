// The teacher passcode, kept for this browser tab so Teacher, Monitor and Admin ask only once,
// and the staff tokens it buys (renewed a minute before they expire).
import { requestToken } from './api.js';

const KEY = 'airclass.passcode';
export const staff = $state({ passcode: sessionStorage.getItem(KEY) || '' });
const cache = new Map();

export async function login(passcode) {
  await requestToken('monitor', 'login-check', { passcode, path: '*' });
  sessionStorage.setItem(KEY, passcode);
  staff.passcode = passcode;
}

export function logout() {
  sessionStorage.removeItem(KEY);
  staff.passcode = '';
  cache.clear();
}

// A cached token answer for API calls; `fresh` always asks the server (players reconnecting).
export async function staffToken(userType, userId, path, fresh = false) {
  const key = `${userType}|${userId}|${path}`;
  const hit = cache.get(key);
  if (!fresh && hit && hit.until > Date.now()) return hit.answer;
  const answer = await requestToken(userType, userId, { passcode: staff.passcode, path });
  cache.set(key, { answer, until: Date.now() + Math.max((answer.expires_in || 60) - 60, 10) * 1000 });
  return answer;
}
