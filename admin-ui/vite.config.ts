// The admin UI: built into admin-ui/dist and served by the platform at /admin (npm run build:ui);
// npm run dev:ui serves it with hot reload and forwards /graphql (HTTP and WebSocket) to the platform.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the dev server forwards /graphql. @default http://127.0.0.1:4000 */
const platform = process.env.FLYWHEEL_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // recharts alone is ~500 kB minified; one bundle for an internal tool is fine, so only warn above that.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: platform, ws: true, changeOrigin: true },
    },
  },
});
