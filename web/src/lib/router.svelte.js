// A tiny History API router: the current path as reactive state, and navigation that pushes a
// history entry instead of reloading (the server answers every page path with index.html).
export const route = $state({ path: location.pathname, search: location.search });

function sync() {
  route.path = location.pathname;
  route.search = location.search;
}

window.addEventListener('popstate', sync);

export function navigate(href) {
  if (href === location.pathname + location.search) return;
  history.pushState({}, '', href);
  sync();
}

// Use on <a> elements: plain clicks navigate in place, modified clicks open as usual.
export function link(node) {
  const onclick = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(node.getAttribute('href'));
  };
  node.addEventListener('click', onclick);
  return { destroy: () => node.removeEventListener('click', onclick) };
}

export function queryParam(name) {
  return new URLSearchParams(route.search).get(name);
}
