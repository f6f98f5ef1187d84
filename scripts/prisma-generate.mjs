// Runs `prisma generate` so that `npm install` works offline as well as online.
// Prisma 7's CLI wants a native schema engine that it downloads on first use; `generate`
// never runs it but checks that the file exists. When no engine is installed (machines
// without internet), point PRISMA_SCHEMA_ENGINE_BINARY at an existing file. This is the
// one place that workaround lives (see DEVELOPERS.md, "Prisma offline").
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };

function installedEngine() {
  const dir = join(root, 'node_modules', '@prisma', 'engines');
  if (!existsSync(dir)) return undefined;
  const engine = readdirSync(dir).find((f) => f.startsWith('schema-engine'));
  return engine ? join(dir, engine) : undefined;
}

if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !installedEngine()) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(import.meta.url);
}

const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
