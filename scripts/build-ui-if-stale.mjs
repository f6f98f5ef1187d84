// Builds the admin UI (admin-ui/dist, served at /admin) when it is missing or older than its sources.
// Runs before `npm start` and the browser tests, so that a fresh clone serves the UI and a pulled change is
// never served stale; when nothing changed it costs a directory walk. Offline: Vite needs no network.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const UI = join(ROOT, 'admin-ui');
const BUILT = join(UI, 'dist', 'index.html');
const SOURCES = [join(UI, 'src'), join(UI, 'index.html'), join(UI, 'vite.config.ts'), join(ROOT, 'package-lock.json')];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

const builtAt = existsSync(BUILT) ? statSync(BUILT).mtimeMs : 0;
const changedAt = Math.max(...SOURCES.map(newestMtime));
if (builtAt >= changedAt) {
  console.log('admin UI is up to date (admin-ui/dist)');
} else {
  console.log(builtAt ? 'admin UI sources changed: rebuilding admin-ui/dist' : 'building the admin UI into admin-ui/dist');
  let build;
  try {
    ({ build } = await import('vite'));
  } catch {
    // Vite and the UI's packages are development dependencies: without them (npm ci --omit=dev) the API still
    // starts; /admin is simply not served.
    console.warn('vite is not installed (development dependencies left out?): the admin UI is not built and /admin will not be served (npm install, then npm run build:ui)');
    process.exit(0);
  }
  await build({ configFile: join(UI, 'vite.config.ts'), logLevel: 'warn' });
  console.log('admin UI built');
}
