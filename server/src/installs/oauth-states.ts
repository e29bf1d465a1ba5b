import { createHash, randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { oauthStates } from '../db/schema/installations.ts';
import type { OauthStatePurpose } from '../db/vocabulary.ts';
import { AppError } from '../errors.ts';

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** The cookie that ties an OAuth flow to the browser that started it. */
export const BROWSER_BINDING_COOKIE = 'pb_oauth_binding';

export type CreatedState = {
  /** Goes into the authorize URL (or a link ticket). */
  readonly state: string;
  /** Goes into the browser's cookie; undefined for unbound link tickets. */
  readonly browserBinding: string | undefined;
};

export type ConsumedState = {
  readonly installationId: string | undefined;
  readonly data: Readonly<Record<string, string>>;
};

export type OauthStates = {
  create(input: {
    purpose: OauthStatePurpose;
    installationId?: string;
    data?: Record<string, string>;
    /** Link tickets are handed to an already-verified caller, not to a browser. */
    bindToBrowser: boolean;
  }): Promise<CreatedState>;
  /**
   * Uses a state exactly once: it is deleted whatever the outcome, so a replayed or guessed
   * value never works twice. Throws a 400 when unknown, expired, of another purpose or started
   * in another browser.
   */
  consume(
    state: string,
    purpose: OauthStatePurpose,
    browserBinding: string | undefined,
  ): Promise<ConsumedState>;
  purgeExpired(): Promise<number>;
};

const hash = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');
const randomToken = () => randomBytes(32).toString('base64url');
const UNBOUND = '';

export function createOauthStates(db: Executor, clock: Clock): OauthStates {
  return {
    async create(input) {
      const state = randomToken();
      const browserBinding = input.bindToBrowser ? randomToken() : undefined;
      await db.insert(oauthStates).values({
        stateHash: hash(state),
        purpose: input.purpose,
        installationId: input.installationId ?? null,
        browserBindingHash: browserBinding === undefined ? UNBOUND : hash(browserBinding),
        data: input.data ?? {},
        createdAt: new Date(clock.now()),
        expiresAt: new Date(clock.now() + OAUTH_STATE_TTL_MS),
      });
      return { state, browserBinding };
    },

    async consume(state, purpose, browserBinding) {
      const invalid = (why: string) =>
        new AppError('bad_request', `invalid OAuth state: ${why}; start the connection again`);
      if (state === '' || state.length > 200) throw invalid('missing');
      const [row] = await db
        .delete(oauthStates)
        .where(eq(oauthStates.stateHash, hash(state)))
        .returning();
      if (row === undefined) throw invalid('unknown or already used');
      if (row.expiresAt.getTime() <= clock.now()) throw invalid('expired');
      if (row.purpose !== purpose) throw invalid('issued for another flow');
      if (row.browserBindingHash !== UNBOUND) {
        if (browserBinding === undefined || hash(browserBinding) !== row.browserBindingHash) {
          throw invalid('started in another browser');
        }
      }
      return { installationId: row.installationId ?? undefined, data: row.data };
    },

    async purgeExpired() {
      const rows = await db
        .delete(oauthStates)
        .where(lt(oauthStates.expiresAt, new Date(clock.now())))
        .returning({ stateHash: oauthStates.stateHash });
      return rows.length;
    },
  };
}
