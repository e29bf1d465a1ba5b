import { z } from 'zod';
import type { Services } from '../services.ts';

// How Partnerbridge's own changes reach the outbox consumer promptly: whoever commits
// `local_changes` rows calls `notifyLocalChanges` after the commit (the cards API, the ledger and
// tier jobs, the sync's own projection). One job per installation runs at a time, and a call while
// it runs queues exactly one more; a scheduled sweep picks up anything a call missed.

export const OUTBOX_JOB = 'sync-outbox';
export const syncOutboxDataSchema = z.strictObject({ installationId: z.uuid() });
export type SyncOutboxData = z.infer<typeof syncOutboxDataSchema>;

/** Short enough to feel immediate, long enough for a burst of rows to share one run. */
export const OUTBOX_DEBOUNCE_MS = 250;

export function outboxJobOptions(installationId: string, delayMs = OUTBOX_DEBOUNCE_MS) {
  return {
    delay: delayMs,
    deduplication: { id: `outbox.${installationId}`, keepLastIfActive: true },
  } as const;
}

/**
 * Call after committing `local_changes` rows of an installation: their values are written to both
 * CRMs shortly. Never throws for a process that does not run the sync (the sweep catches up).
 */
export async function notifyLocalChanges(
  services: Pick<Services, 'queues' | 'log'>,
  installationId: string,
  delayMs = OUTBOX_DEBOUNCE_MS,
): Promise<void> {
  const data = syncOutboxDataSchema.parse({ installationId });
  let queue: ReturnType<Services['queues']['queue']>;
  try {
    queue = services.queues.queue(OUTBOX_JOB);
  } catch {
    return;
  }
  try {
    await queue.add(OUTBOX_JOB, data, outboxJobOptions(installationId, delayMs));
  } catch (error) {
    services.log.warn({ err: error, installationId }, 'could not queue the outbox; the sweep will');
  }
}
