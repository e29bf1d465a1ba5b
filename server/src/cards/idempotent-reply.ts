import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { runIdempotent } from '../http/idempotency.ts';
import { Reply } from '../http/reply.ts';

/**
 * Runs a card mutation at most once per idempotency key and answers with its stored response;
 * a replay carries `Idempotent-Replayed: true`.
 */
export async function idempotentReply(
  options: {
    readonly db: Executor;
    readonly clock: Clock;
    readonly installationId: string;
    /** Without a key (optional on settings saves) the mutation simply runs. */
    readonly key: string | undefined;
    /** What identifies the request: route name, params and body. */
    readonly request: unknown;
  },
  run: () => Promise<{ status: number; body: unknown }>,
): Promise<Reply> {
  if (options.key === undefined) {
    const result = await run();
    return Reply.json(result.body, result.status);
  }
  const result = await runIdempotent({ ...options, key: options.key }, run);
  const reply = Reply.json(result.body, result.status);
  return result.replayed ? reply.withHeaders({ 'Idempotent-Replayed': 'true' }) : reply;
}
