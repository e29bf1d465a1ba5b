import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@hubspot/api-client';
import { type ExchangeViolation, OpenApiValidator } from './openapi-validator.ts';
import { type HubspotSandbox, type HubspotSandboxOptions, startHubspotSandbox } from './server.ts';
import type { WebhookEvent } from './webhooks.ts';

// Helpers for the HubSpot sandbox's contract tests: a sandbox whose every exchange is checked
// against HubSpot's OpenAPI documents, a manual clock, SDK clients, a webhook receiver.

let sharedValidator: OpenApiValidator | undefined;
function validator(): OpenApiValidator {
  sharedValidator ??= new OpenApiValidator();
  return sharedValidator;
}

export type ApiFailure = {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
};

/** Awaits a call that must fail with an SDK ApiException and returns its code, body, headers. */
export async function apiFailure(promise: Promise<unknown>): Promise<ApiFailure> {
  try {
    await promise;
  } catch (error) {
    const { code, body, headers } = error as Partial<ApiFailure>;
    if (typeof code === 'number') return { code, body: body ?? {}, headers: headers ?? {} };
    throw error;
  }
  throw new Error('expected the call to fail');
}

export type ManualClock = {
  readonly fn: () => number;
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
};

/** A clock tests move by hand (token expiry, rate windows, index delay). */
export function manualClock(start = Date.parse('2026-11-02T09:00:00.000Z')): ManualClock {
  let now = start;
  return {
    fn: () => now,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}

export type ContractSandbox = HubspotSandbox & {
  /** Exchanges that broke HubSpot's OpenAPI schemas since the last `takeViolations`. */
  takeViolations(): ExchangeViolation[];
  /** `METHOD path` of exchanges no spec operation describes. */
  unmatched: Set<string>;
  /** How many exchanges were checked against a schema. */
  checked(): number;
};

export async function startContractSandbox(
  options: HubspotSandboxOptions = {},
): Promise<ContractSandbox> {
  let violations: ExchangeViolation[] = [];
  const unmatched = new Set<string>();
  let checked = 0;
  const sandbox = await startHubspotSandbox({
    ...options,
    onExchange: (exchange) => {
      options.onExchange?.(exchange);
      const result = validator().check(exchange);
      if (result === 'unmatched') unmatched.add(`${exchange.method} ${exchange.path}`);
      else {
        checked += 1;
        violations.push(...result);
      }
    },
  });
  return {
    ...sandbox,
    unmatched,
    checked: () => checked,
    takeViolations() {
      const taken = violations;
      violations = [];
      return taken;
    },
  };
}

/**
 * An SDK client for one token. The SDK keeps its retry decorator in a process-wide singleton that
 * each API object captures when first touched, so the APIs are touched here, right away.
 */
export function sdkClient(url: string, accessToken: string, numberOfApiCallRetries = 1): Client {
  const client = new Client({ accessToken, basePath: url, numberOfApiCallRetries });
  void client.crm.deals.basicApi;
  void client.crm.companies.basicApi;
  void client.crm.properties.coreApi;
  void client.crm.associations.v4.basicApi;
  void client.crm.associations.v4.schema.definitionsApi;
  void client.crm.objects.basicApi;
  void client.oauth.tokensApi;
  return client;
}

export type ReceivedWebhook = {
  method: string;
  /** Full URL as the receiver saw it: http://127.0.0.1:port/path?query. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  events: WebhookEvent[];
  receivedAt: number;
};

export type WebhookResponse = { status?: number; delayMs?: number; drop?: boolean };

export type WebhookReceiver = {
  url: string;
  requests: ReceivedWebhook[];
  /** Every event of every request, in arrival order. */
  events(): WebhookEvent[];
  respondWith(responder: (request: ReceivedWebhook, index: number) => WebhookResponse): void;
  /** Requests being handled right now, and the most seen at once. */
  concurrency(): { current: number; max: number };
  close(): Promise<void>;
};

/** A subscriber endpoint that records what HubSpot (the sandbox) sends. */
export async function startWebhookReceiver(path = '/hubspot/webhooks'): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  let responder: (request: ReceivedWebhook, index: number) => WebhookResponse = () => ({
    status: 200,
  });
  let current = 0;
  let max = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    current += 1;
    max = Math.max(max, current);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const { port } = server.address() as AddressInfo;
      const received: ReceivedWebhook = {
        method: req.method ?? '',
        url: `http://127.0.0.1:${port}${req.url ?? ''}`,
        headers: req.headers,
        rawBody,
        events: JSON.parse(rawBody) as WebhookEvent[],
        receivedAt: Date.now(),
      };
      requests.push(received);
      const reply = responder(received, requests.length - 1);
      const finish = () => {
        current -= 1;
        if (reply.drop === true) {
          req.socket.destroy();
          return;
        }
        res.statusCode = reply.status ?? 200;
        res.end();
      };
      if ((reply.delayMs ?? 0) > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          finish();
        }, reply.delayMs);
        timers.add(timer);
      } else finish();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    events: () => requests.flatMap((request) => request.events),
    respondWith(next) {
      responder = next;
    },
    concurrency: () => ({ current, max }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
