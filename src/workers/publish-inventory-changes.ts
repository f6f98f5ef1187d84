// Processor of job `publish-inventory-changes` (jobs/publish-inventory-changes.ts): announces committed inventory alerts to live subscribers, and stock-outs
// and restocks to every live recommendation list. The alerts themselves are already stored in Postgres.
import type { InventoryChanges } from '../jobs/publish-inventory-changes';
import { topics } from '../store/keys';
import type { PublishedJobs } from '../store/published-jobs';

export async function publishInventoryChanges(
  deps: { published: PublishedJobs; publish: (messages: Array<[string, string]>) => Promise<void> },
  jobId: string,
  payload: InventoryChanges,
): Promise<boolean> {
  // A redelivered job (its worker died after publishing) is skipped, so subscribers see each alert once.
  // Only a crash between publishing and setting the marker can repeat it; clients can dedupe by alert id.
  if (await deps.published.published(jobId)) return false;
  await deps.publish([
    ...payload.alerts.map((a): [string, string] => [topics.inventoryAlerts(), JSON.stringify(a)]),
    ...payload.availability.map((a): [string, string] => [topics.allUsers(), JSON.stringify(a)]),
  ]);
  await deps.published.markPublished(jobId);
  return true;
}
