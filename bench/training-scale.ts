// npm run bench:training-scale [-- --families ease,als] [-- --cases 100k/10k,1M/100k] [-- --max-users 50000] [-- --eval-users 5000]
// Training time and peak memory of each model family on synthetic stores of 100k, 1M and 5M events with 10k to
// 100k products (power-law popularity), through the production training path (bench/ml/scale-case.ts, one child
// process per case so that each peak RSS is its own). Cases run one after another: the machine has 2 cores.
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { AlgorithmName } from '../src/recommender/types';
import type { ScaleCase, ScaleResult } from './ml/scale-case';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const families = (arg('--families')?.split(',') ?? ['ease', 'als', 'bpr', 'itemknn', 'sar']) as AlgorithmName[];
const maxUsers = Number(arg('--max-users') ?? 50_000);
const evalUsers = Number(arg('--eval-users') ?? 5000);
const TIMEOUT_MS = Number(arg('--timeout-s') ?? 1200) * 1000;

const parseCount = (s: string) => Number(s.replace(/k$/i, '000').replace(/M$/, '000000'));
const CASES = (arg('--cases') ?? '100k/10k,1M/10k,1M/100k,5M/100k').split(',').map((c) => {
  const [events, products] = c.split('/');
  return { label: c, events: parseCount(events!), products: parseCount(products!) };
});

function runCase(spec: ScaleCase): Promise<ScaleResult | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ml', 'scale-case.ts'), JSON.stringify(spec)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ScaleResult);
      else if (signal === 'SIGKILL') resolve(`killed after ${TIMEOUT_MS / 1000} s`);
      else resolve(`failed (${code ?? signal}): ${err.trim().split('\n').find((l) => /Error|error/.test(l)) ?? err.slice(-200)}`);
    });
  });
}

const s = (ms: number) => (ms / 1000).toFixed(1);
const int = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`bench:training-scale — production training path on synthetic stores, TRAIN_MAX_USERS=${maxUsers || 'off'}, TRAIN_EVAL_USERS=${evalUsers}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
  console.log('| events | products | family | users trained | pairs | items modelled (pairs covered) | fit s | evaluate s | refit s | job s | data RSS MB | peak RSS MB | snapshot MB | score ms | hold-out NDCG@10 |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    for (const algorithm of families) {
      const r = await runCase({ algorithm, events: c.events, products: c.products, maxUsers, evalUsers });
      if (typeof r === 'string') {
        console.log(`| ${int(c.events)} | ${int(c.products)} | ${algorithm} | ${r} |`);
        continue;
      }
      console.log(`| ${int(c.events)} | ${int(c.products)} | ${algorithm} | ${int(r.sampledUsers)} of ${int(r.users)} | ${int(r.pairs)} | ${int(r.items)} (${(100 * r.pairsCovered).toFixed(0)} %) | ` +
        `${s(r.timings.fit)} | ${s(r.timings.evaluate)} | ${s(r.timings.refit)} | ${s(r.trainMs)} | ${r.dataRssMb.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ` +
        `${r.artifactMb.toFixed(1)} | ${r.scoreMs.toFixed(2)} | ${r.ndcg.toFixed(3)} (${int(r.evaluatedUsers)} users) |`);
    }
  }
  console.log('\nfit: the candidate on the hold-out\'s training part; evaluate: scoring the hold-out users; refit: on all pairs, for serving;');
  console.log('job: trainOnThread end to end (thread start, data transfer, the three steps, serialisation). score: one scoreUser call');
  console.log('(20-item history, 50 results) on the loaded snapshot, median of up to 200. Peak RSS includes the training data itself.');
}

await main();
