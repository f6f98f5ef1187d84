// How a dead worker's jobs reach a live one: BullMQ's lock and stalled-job check, and the bound they give.
//
// A worker holds a lock on each active job (`lockDuration`) and renews it at least every half of it. Every
// `stalledInterval` one worker of the deployment (a `stalled-check` key with that lifetime keeps the others out)
// runs moveStalledJobsToWait: it moves back to `wait` the active jobs it had marked at the previous check, if no
// renewal unmarked them since and their lock is gone, then marks every active job again. A killed worker's job
// therefore needs a mark after the worker's last renewal and a check after its lock lapsed (≤ lock after the
// kill). When the dead worker ran the last check, its key holds the survivors off for up to one more interval,
// so the first check after the kill comes within two intervals and the job moves at most
// max(lock + interval, 3 × interval) after the kill: lock + interval as long as the interval is at most half the
// lock (config.ts enforces it). Then a live worker, blocked on the queue's marker, takes it at once.
//
// The interval used to equal the lock (30 s each): jobs came back 60 to 90 s after a kill, not the 30 s the
// README promised (issue 20).
import type { WorkerOptions } from 'bullmq';
import type { Config } from '../config';

type RecoverySettings = Pick<Config, 'WORKER_LOCK_MS' | 'WORKER_STALLED_CHECK_MS'>;

/**
 * Lock and stalled-check options for a queue's workers. `lockMs` defaults to WORKER_LOCK_MS (training takes a
 * longer one). `maxStalledCount`: for jobs whose effects are idempotent (marked once applied), a second stall
 * is two dead workers in a row or an event loop stuck past half the lock, not the job's fault; BullMQ's default
 * of 1 would fail such a job for good, its events unapplied until a rebuild.
 */
export function recoveryOptions(config: RecoverySettings, opts: { lockMs?: number; idempotent?: boolean } = {}): Partial<WorkerOptions> {
  return {
    lockDuration: opts.lockMs ?? config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_CHECK_MS,
    ...(opts.idempotent ? { maxStalledCount: 10 } : {}),
  };
}
