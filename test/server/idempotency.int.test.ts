import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { installations } from '../../server/src/db/schema/installations.ts';
import { requestHash, runIdempotent } from '../../server/src/http/idempotency.ts';
import { describeEachDatabase } from '../support/database.ts';
import { manualClock } from '../support/server.ts';

describe(requestHash, () => {
  it('ignores key order and undefined fields', () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(
      requestHash({ b: { c: [1, 2] }, a: 1 }),
    );
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});

describeEachDatabase('runIdempotent', ({ database }) => {
  const clock = manualClock(Date.UTC(2026, 4, 1));

  async function anInstallation() {
    const [row] = await database()
      .db.insert(installations)
      .values({ hubspotPortalId: String(randomBytes(4).readUInt32BE()) })
      .returning();
    if (row === undefined) throw new Error('no installation');
    return row.id;
  }

  const request = { method: 'POST', path: '/api/v1/deals/1/partners', body: { partnerId: 'p1' } };

  it('runs once and replays the stored response for the same request', async () => {
    const installationId = await anInstallation();
    let runs = 0;
    const call = () =>
      runIdempotent({ db: database().db, clock, installationId, key: 'k1', request }, async () => {
        runs += 1;
        return { status: 201, body: { tagId: 't1', runs } };
      });
    expect(await call()).toEqual({ status: 201, body: { tagId: 't1', runs: 1 }, replayed: false });
    expect(await call()).toEqual({ status: 201, body: { tagId: 't1', runs: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key for another request, and while the first is running', async () => {
    const installationId = await anInstallation();
    let release: () => void = () => {};
    const first = runIdempotent(
      { db: database().db, clock, installationId, key: 'k2', request },
      () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 201, body: {} });
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(
      runIdempotent({ db: database().db, clock, installationId, key: 'k2', request }, async () => ({
        status: 201,
        body: {},
      })),
    ).rejects.toMatchObject({
      code: 'idempotency_conflict',
      message: expect.stringContaining('still running'),
    });
    release();
    await first;
    await expect(
      runIdempotent(
        { db: database().db, clock, installationId, key: 'k2', request: { ...request, body: {} } },
        async () => ({ status: 201, body: {} }),
      ),
    ).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
  });

  it('frees the key when the mutation fails, and after it expires', async () => {
    const installationId = await anInstallation();
    await expect(
      runIdempotent({ db: database().db, clock, installationId, key: 'k3', request }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const retried = await runIdempotent(
      { db: database().db, clock, installationId, key: 'k3', request, ttlMs: 1000 },
      async () => ({ status: 201, body: { attempt: 2 } }),
    );
    expect(retried.replayed).toBe(false);
    clock.advance(1001);
    const later = await runIdempotent(
      { db: database().db, clock, installationId, key: 'k3', request: { other: true } },
      async () => ({ status: 200, body: { attempt: 3 } }),
    );
    expect(later).toEqual({ status: 200, body: { attempt: 3 }, replayed: false });
  });

  it('keeps keys per installation', async () => {
    const a = await anInstallation();
    const b = await anInstallation();
    const run = (installationId: string) =>
      runIdempotent(
        { db: database().db, clock, installationId, key: 'shared', request },
        async () => ({
          status: 201,
          body: { installationId },
        }),
      );
    expect((await run(a)).body).toEqual({ installationId: a });
    expect(await run(b)).toMatchObject({ body: { installationId: b }, replayed: false });
  });
});
