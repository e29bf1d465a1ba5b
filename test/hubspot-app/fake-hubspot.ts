import { hubspot } from '@hubspot/ui-extensions';
import {
  isRenderedTextNode,
  type RenderedChildNode,
  type RenderedElementNode,
  type RenderedTextNode,
} from '@hubspot/ui-extensions/testing';
import { vi } from 'vitest';

// `hubspot.fetch` is not mocked by the SDK's renderer: these helpers spy on it and answer by
// method and path, the way the Partnerbridge server would, recording every request sent.

export const TEST_ORIGIN = 'https://api.partnerbridge.test';

export type FetchOptions = NonNullable<Parameters<typeof hubspot.fetch>[1]>;

export type SentRequest = {
  readonly url: string;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly options: FetchOptions;
};

export type Handler = (request: SentRequest) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** A promise the test settles by hand (a request still running, a slow stale answer). */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * Routes `hubspot.fetch` by `"METHOD /path"`. A list of handlers answers successive calls in
 * order, the last one repeating. Unrouted requests answer 501 and are listed in `unexpected`.
 */
export function fakeHubspotFetch(routes: Record<string, Handler | Handler[]>) {
  const sent: SentRequest[] = [];
  const unexpected: string[] = [];
  const calls = new Map<string, number>();
  const spy = vi.spyOn(hubspot, 'fetch').mockImplementation(async (input, options = {}) => {
    const url = new URL(String(input));
    const method = options.method ?? 'GET';
    const request: SentRequest = {
      url: String(input),
      method,
      path: url.pathname,
      query: url.searchParams,
      body: options.body,
      options,
    };
    sent.push(request);
    const key = `${method} ${url.pathname}`;
    const route = routes[key];
    if (route === undefined || url.origin !== TEST_ORIGIN) {
      unexpected.push(`${method} ${String(input)}`);
      return json({ error: { code: 'unexpected_request', message: `no route for ${key}` } }, 501);
    }
    const handlers = Array.isArray(route) ? route : [route];
    const index = calls.get(key) ?? 0;
    calls.set(key, index + 1);
    const handler = handlers[Math.min(index, handlers.length - 1)] as Handler;
    return handler(request);
  });
  return {
    spy,
    sent,
    unexpected,
    /** Requests sent to `"METHOD /path"`. */
    to: (key: string) => sent.filter((request) => `${request.method} ${request.path}` === key),
  };
}

/** The JSON body a request was sent with (fails the test when there was no such request). */
export function bodyOf<T>(request: SentRequest | undefined): T {
  if (request === undefined) throw new Error('no such request was sent');
  return request.body as T;
}

/** `trigger` with an argument: the SDK types the argument as the handler itself. */
export function fire(
  node: Pick<RenderedElementNode, 'trigger'>,
  eventProp: string,
  arg?: unknown,
): void {
  (node.trigger as (name: string, value?: unknown) => void)(eventProp, arg);
}

/** All text under a node (the SDK's `.text` holds only a node's own text children). */
export function textOf(node: { childNodes: readonly unknown[]; text?: string | null }): string {
  const parts: string[] = [];
  const visit = (current: unknown) => {
    if (isRenderedTextNode(current as RenderedChildNode)) {
      parts.push((current as RenderedTextNode).text);
      return;
    }
    for (const child of (current as { childNodes?: unknown[] }).childNodes ?? []) visit(child);
  };
  visit(node);
  return parts.join(' ');
}
