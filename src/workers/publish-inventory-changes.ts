// Processor of job `publish-inventory-changes` (jobs/publish-inventory-changes.ts): announces committed inventory
// alerts to live subscribers, and stock-outs and restocks to every live recommendation list. The alerts themselves
// are already stored in Postgres.
import type { Job } from 'bullmq';
import { checkJob } from '../jobs/job';
import { publishInventoryChangesJob, type InventoryChanges } from '../jobs/publish-inventory-changes';
import { topics } from '../store/keys';
import type { PublishedJobs } from '../store/published-jobs';
import type { PubSub } from '../store/pubsub';

export interface PublishInventoryDeps {
  published: PublishedJobs;
  pubsub: PubSub;
}

export async function publishInventoryChanges(deps: PublishInventoryDeps, jobId: string, payload: InventoryChanges): Promise<boolean> {
  // A redelivered job (its worker died after publishing) is skipped, so subscribers see each alert once.
  // Only a crash between publishing and setting the marker can repeat it; clients can dedupe by alert id.
  if (await deps.published.published(jobId)) return false;
  await deps.pubsub.publishMany([
    ...payload.alerts.map((a): [string, string] => [topics.inventoryAlerts(), JSON.stringify(a)]),
    ...payload.availability.map((a): [string, string] => [topics.allUsers(), JSON.stringify(a)]),
  ]);
  await deps.published.markPublished(jobId);
  return true;
}

/** The BullMQ processor. */
export function publishInventoryChangesProcessor(deps: PublishInventoryDeps): (job: Job) => Promise<void> {
  return async (job) => {
    await publishInventoryChanges(deps, job.id!, checkJob(publishInventoryChangesJob, job));
  };
}
