// Calls `fn` now and every `everyMs` until the returned stop function is called; a slow call
// never overlaps the next.
export function poll(fn, everyMs) {
  let stopped = false;
  let timer = null;
  const loop = async () => {
    try {
      await fn();
    } catch {
      /* fn shows its own errors */
    }
    if (!stopped) timer = setTimeout(loop, everyMs);
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
