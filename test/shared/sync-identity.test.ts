import { type IdentityCandidate, matchCompany } from '@partnerbridge/shared/sync-identity';
import { describe, expect, it } from 'vitest';

const candidate = (
  id: string,
  name: string | null,
  domain: string | null,
  stampedTwin: string | null = null,
): IdentityCandidate => ({ id, name, domain, stampedTwin });

const acme = { id: '001A', name: 'Acme Corp', domain: 'https://www.acme.com/' };

describe(matchCompany, () => {
  it('links the one candidate with the same domain', () => {
    expect(matchCompany(acme, [candidate('1', 'Other name', 'acme.com')], new Set())).toEqual({
      kind: 'one',
      id: '1',
      matchedOn: 'domain',
    });
  });

  it('prefers a domain match over a name match', () => {
    const found = matchCompany(
      acme,
      [candidate('1', 'Acme Corp', null), candidate('2', 'ACME', 'ACME.com')],
      new Set(),
    );
    expect(found).toEqual({ kind: 'one', id: '2', matchedOn: 'domain' });
  });

  it('falls back to the exact name (case and spaces aside) when no domain matches', () => {
    expect(matchCompany(acme, [candidate('1', '  acme corp ', null)], new Set())).toEqual({
      kind: 'one',
      id: '1',
      matchedOn: 'name',
    });
  });

  it('never matches by name a candidate whose domain says it is another company', () => {
    expect(matchCompany(acme, [candidate('1', 'Acme Corp', 'acme.de')], new Set())).toEqual({
      kind: 'none',
    });
  });

  it('reports several matches for review, sorted', () => {
    expect(
      matchCompany(
        acme,
        [candidate('2', 'x', 'acme.com'), candidate('1', 'y', 'acme.com')],
        new Set(),
      ),
    ).toEqual({ kind: 'several', ids: ['1', '2'], matchedOn: 'domain' });
  });

  it('takes the candidate stamped with our id over other matches', () => {
    const candidates = [candidate('1', 'Acme Corp', 'acme.com'), candidate('2', 'x', null, '001A')];
    expect(matchCompany(acme, candidates, new Set())).toEqual({
      kind: 'one',
      id: '2',
      matchedOn: 'stamp',
    });
  });

  it('skips candidates linked elsewhere or stamped with another twin, keeps our own stamp', () => {
    const candidates = [
      candidate('1', 'Acme Corp', 'acme.com'),
      candidate('2', 'Acme Corp', 'acme.com', '001OTHER'),
      candidate('3', 'Acme Corp', 'acme.com', '001A'),
    ];
    expect(matchCompany(acme, candidates, new Set(['1']))).toEqual({
      kind: 'one',
      id: '3',
      matchedOn: 'stamp',
    });
  });

  it('matches nothing without a name or a domain', () => {
    expect(
      matchCompany({ id: undefined, name: ' ', domain: null }, [candidate('1', '', '')], new Set()),
    ).toEqual({ kind: 'none' });
  });
});
