import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  defaultMappingDocument,
  normalizeValue,
  objectMappingOf,
} from '@partnerbridge/shared/sync';
import { expect } from 'vitest';
import type { SyncOptions } from '../../../server/src/sync/sync-context.ts';
import type { HubspotExchange } from '../../sandboxes/hubspot/index.ts';
import type { SyncHarness } from './sync-harness.ts';

// Worker processes for the process tests, and what the tests read back from the sandboxes: the
// writes each record received on each side, and whether both sides agree field by field.

const entry = fileURLToPath(new URL('./sync-worker-process.ts', import.meta.url));

export type WorkerProcess = {
  readonly pid: number;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** What the process printed (its pino lines), for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals>;
};

/** Starts `sync-worker-process.ts` with `process.execPath`; resolves once its workers run. */
export async function startWorkerProcess(
  env: Record<string, string>,
  sync: SyncOptions,
  pollEveryMs: number,
): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      ...env,
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
      PB_TEST_SYNC_OPTIONS: JSON.stringify(sync),
      PB_TEST_POLL_EVERY_MS: String(pollEveryMs),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    pid: child.pid ?? 0,
    exited,
    output: () => output,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Stops workers gracefully (SIGTERM), killing any that do not stop within `graceMs`. */
export async function stopWorkerProcesses(
  workers: readonly WorkerProcess[],
  graceMs = 10_000,
): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const timer = setTimeout(() => void worker.kill('SIGKILL'), graceMs);
      await worker.kill('SIGTERM');
      clearTimeout(timer);
    }),
  );
}

export type HubspotWrite = {
  readonly id: string;
  readonly operation: 'create' | 'update';
  /** The properties we sent, as JSON with sorted keys (what "the same content" compares). */
  readonly content: string;
};

const BATCH_WRITE = /^\/crm\/v3\/objects\/(?:deals|0-3|deal)\/batch\/(create|update)$/;

function sortedJson(value: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))),
  );
}

/** Records every deal our sync wrote in HubSpot, from the sandbox's exchange tap. */
export function hubspotDealWrites(): {
  onExchange: (exchange: HubspotExchange) => void;
  writes(): readonly HubspotWrite[];
} {
  const writes: HubspotWrite[] = [];
  return {
    writes: () => writes,
    onExchange(exchange) {
      const operation = BATCH_WRITE.exec(exchange.path)?.[1] as 'create' | 'update' | undefined;
      if (exchange.method !== 'POST' || operation === undefined) return;
      if (![200, 201, 207].includes(exchange.status)) return;
      const inputs =
        (
          exchange.requestBody as {
            inputs?: { id?: string; properties?: Record<string, string> }[];
          }
        ).inputs ?? [];
      const results =
        (exchange.responseBody as { results?: { id: string }[] } | undefined)?.results ?? [];
      if (operation === 'update') {
        const written = new Set(results.map((r) => r.id));
        for (const input of inputs) {
          if (input.id === undefined || !written.has(input.id)) continue;
          writes.push({ id: input.id, operation, content: sortedJson(input.properties ?? {}) });
        }
        return;
      }
      // The sandbox answers creates in input order (HubSpot documents no order: the tally only
      // needs the ids, and a create's content cannot repeat on the same record).
      results.forEach((result, index) => {
        writes.push({
          id: result.id,
          operation,
          content: sortedJson(inputs[index]?.properties ?? {}),
        });
      });
    },
  };
}

/** How many writes each record received. */
export function countById(entries: readonly { id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.id, (counts.get(entry.id) ?? 0) + 1);
  return counts;
}

/** Our writes to opportunities, from the Salesforce sandbox's write log. */
export function salesforceOpportunityWrites(h: SyncHarness) {
  return h.salesforce.control
    .writeLog(h.orgId)
    .filter((entry) => entry.sobject === 'Opportunity' && entry.client === 'partnerbridge');
}

/** Records written twice with the same properties (a write that changed nothing). */
export function repeatedHubspotWrites(writes: readonly HubspotWrite[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const write of writes) {
    const key = `${write.id}|${write.content}`;
    if (seen.has(key)) repeated.push(key);
    seen.add(key);
  }
  return repeated;
}

export type DealPair = {
  readonly deal: { id: string; properties: Record<string, string | null> };
  readonly opportunity: Record<string, unknown>;
};

/**
 * Every deal and every opportunity linked one to one through both stamps (no record without a
 * twin, no record twice), and every mapped field equal on both sides once normalised.
 */
export function convergedDealPairs(h: SyncHarness, expectedCount: number): DealPair[] {
  const deals = h.hubspot.control.listRecords(h.portalId, 'deal');
  const opportunities = h.salesforce.control.listRecords(h.orgId, 'Opportunity') as Record<
    string,
    unknown
  >[];
  expect(deals).toHaveLength(expectedCount);
  expect(opportunities).toHaveLength(expectedCount);
  const byId = new Map(opportunities.map((o) => [String(o.Id), o]));
  const stampedDeals = new Set(opportunities.map((o) => o.PB_HubSpot_Deal_Id__c));
  expect(stampedDeals.size, 'opportunities naming the same deal').toBe(expectedCount);
  const mapping = objectMappingOf(defaultMappingDocument(), 'deal');
  if (mapping === undefined) throw new Error('no default deal mapping');
  const fields = mapping.fields.filter((field) => field.transform.kind !== 'reference');
  return deals.map((deal) => {
    const properties = deal.properties as Record<string, string | null>;
    const opportunity = byId.get(String(properties.pb_salesforce_opportunity_id));
    expect(opportunity, `opportunity of deal ${deal.id}`).toBeDefined();
    const twin = opportunity as Record<string, unknown>;
    expect(twin.PB_HubSpot_Deal_Id__c, `deal stamped on ${String(twin.Id)}`).toBe(deal.id);
    for (const field of fields) {
      const hubspot = normalizeValue(field.transform, 'hubspot', properties[field.hubspot]);
      const salesforce = normalizeValue(field.transform, 'salesforce', twin[field.salesforce]);
      expect(salesforce, `${deal.id} ${field.hubspot} ↔ ${field.salesforce}`).toEqual(hubspot);
    }
    return { deal: { id: deal.id, properties }, opportunity: twin };
  });
}
