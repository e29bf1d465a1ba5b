import { normalizeDomainText } from './sync-mapping.ts';

// Which record on the other side is the same company, pure, for both directions (a HubSpot
// company looking for its Salesforce account, a Salesforce account for its HubSpot company):
// a candidate already stamped with the record's id (a create whose bookkeeping was lost) first,
// then the domain, then the exact name. One match links; several wait for a person's review;
// none lets the engine create the record. Candidates already linked elsewhere, or stamped with
// another twin's id, are someone else's.

export type IdentitySource = {
  /** The record's own id (a candidate stamped with it is its twin already). */
  readonly id: string | undefined;
  readonly name: string | null | undefined;
  /** A domain or a website (`https://www.acme.com/` is `acme.com`). */
  readonly domain: string | null | undefined;
};

export type IdentityCandidate = {
  readonly id: string;
  readonly name: string | null | undefined;
  readonly domain: string | null | undefined;
  /** The twin id the candidate carries (our stamp), if any. */
  readonly stampedTwin: string | null | undefined;
};

/** Why a candidate is the twin: our stamp on it, the same domain, the same name. */
export type IdentityBasis = 'stamp' | 'domain' | 'name';

export type IdentityMatch =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly id: string; readonly matchedOn: IdentityBasis }
  | {
      readonly kind: 'several';
      readonly ids: readonly string[];
      readonly matchedOn: 'domain' | 'name';
    };

const domainOf = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value.trim() === '' ? null : normalizeDomainText(value);

const nameOf = (value: string | null | undefined): string | null => {
  const text = value?.trim().toLowerCase() ?? '';
  return text === '' ? null : text;
};

/** The candidates that are the same company as `source`, by domain, then by exact name. */
export function matchCompany(
  source: IdentitySource,
  candidates: readonly IdentityCandidate[],
  taken: ReadonlySet<string>,
): IdentityMatch {
  const eligible = candidates.filter(
    (c) =>
      !taken.has(c.id) &&
      (c.stampedTwin === null ||
        c.stampedTwin === undefined ||
        c.stampedTwin === '' ||
        c.stampedTwin === source.id),
  );
  const stamped = eligible.filter((c) => source.id !== undefined && c.stampedTwin === source.id);
  const [twin] = stamped;
  if (stamped.length === 1 && twin !== undefined)
    return { kind: 'one', id: twin.id, matchedOn: 'stamp' };
  const domain = domainOf(source.domain);
  const name = nameOf(source.name);
  const found = (ids: string[], matchedOn: 'domain' | 'name'): IdentityMatch | undefined => {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return undefined;
    const [only] = unique;
    return unique.length === 1 && only !== undefined
      ? { kind: 'one', id: only, matchedOn }
      : { kind: 'several', ids: unique.sort(), matchedOn };
  };
  const byDomain =
    domain === null
      ? undefined
      : found(
          eligible.filter((c) => domainOf(c.domain) === domain).map((c) => c.id),
          'domain',
        );
  if (byDomain !== undefined) return byDomain;
  // A name match whose domain contradicts ours is another company of the same name.
  const byName =
    name === null
      ? undefined
      : found(
          eligible
            .filter((c) => nameOf(c.name) === name)
            .filter((c) => domain === null || domainOf(c.domain) === null)
            .map((c) => c.id),
          'name',
        );
  return byName ?? { kind: 'none' };
}
