// The Svelte compiler's settings (defaults; here so the Vite plugin need not look further).
export default {};
