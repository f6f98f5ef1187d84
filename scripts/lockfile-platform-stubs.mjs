// Run after changing dependencies (npm install …): adds lock entries for platform binaries that the registry
// mirror of our build machines lacks, so that `npm ci` accepts the lock file.
// Why: msgpackr-extract (via bullmq → msgpackr) lists optional binaries for every platform; the mirror here
// serves only the Linux ones, so `npm install` leaves the others out of package-lock.json and `npm ci` then
// refuses the lock as out of sync. The stubs carry os/cpu, so npm never fetches them on Linux; elsewhere npm
// fetches them from the public registry as usual.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.endsWith('node_modules/msgpackr-extract')) continue;
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    if (lock.packages[target]) continue;
    const [os, cpu] = dep.split('msgpackr-extract-')[1].split('-');
    lock.packages[target] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
    added++;
  }
}
const [root, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => a.localeCompare(b))]);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `added ${added} platform stub(s) to package-lock.json` : 'package-lock.json needs no stubs');
