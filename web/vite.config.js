import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// In development (`npm run dev`) the API lives on the airclass binary; point AIRCLASS_API at it.
const api = process.env.AIRCLASS_API || 'http://127.0.0.1:8000';
const proxy = Object.fromEntries(['/api', '/health', '/metrics'].map((p) => [p, api]));

export default defineConfig({
  plugins: [svelte()],
  server: { proxy },
  preview: { proxy },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 300 },
});
