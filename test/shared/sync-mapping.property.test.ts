import {
  conflictPolicies,
  decideRecord,
  defaultMappingDocument,
  type ObjectMapping,
  objectMappingOf,
  type RecordDecision,
  type Shadows,
  type SideState,
  syncDirections,
} from '@partnerbridge/shared/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Properties of the per-field decision over random states of both sides, shadows and times.

const values = fc.constantFrom<string | null>(null, 'a', 'b', 'c');
const time = fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined });

const fieldMapping = fc.record({
  policy: fc.constantFrom(...conflictPolicies),
  direction: fc.constantFrom(...syncDirections),
});

const scenario = fc.record({
  mapping: fieldMapping,
  tieBreaker: fc.constantFrom('hubspot' as const, 'salesforce' as const),
  hub: values,
  force: values,
  hubShadow: fc.option(values, { nil: undefined }),
  forceShadow: fc.option(values, { nil: undefined }),
  hubTime: time,
  forceTime: time,
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function mappingOf(s: Scenario): ObjectMapping {
  return {
    kind: 'deal',
    enabled: true,
    create: { inHubspot: true, inSalesforce: true },
    deletes: 'unlink',
    include: { hubspot: [], salesforce: [] },
    tieBreaker: s.tieBreaker,
    fields: [
      {
        hubspot: 'dealname',
        salesforce: 'Name',
        transform: { kind: 'text' },
        direction: s.mapping.direction,
        policy: s.mapping.policy,
      },
    ],
  };
}

function statesOf(s: Scenario): { hubspot: SideState; salesforce: SideState; shadows: Shadows } {
  return {
    hubspot: {
      values: { dealname: s.hub },
      ...(s.hubTime === undefined ? {} : { fieldChangedAt: { dealname: s.hubTime } }),
    },
    salesforce: { values: { Name: s.force }, modifiedAt: s.forceTime ?? null },
    shadows: {
      hubspot: s.hubShadow === undefined ? {} : { dealname: s.hubShadow },
      salesforce: s.forceShadow === undefined ? {} : { Name: s.forceShadow },
    },
  };
}

/** The sides after the writes landed (HubSpot writes '' for blank). */
function apply(s: Scenario, decision: RecordDecision): Scenario {
  const hubWrite = decision.writes.hubspot.dealname;
  const forceWrite = decision.writes.salesforce.Name;
  return {
    ...s,
    hub: hubWrite === undefined ? s.hub : hubWrite === '' ? null : String(hubWrite),
    force: forceWrite === undefined ? s.force : forceWrite === null ? null : String(forceWrite),
    hubShadow: decision.shadows.hubspot.dealname ?? null,
    forceShadow: decision.shadows.salesforce.Name ?? null,
  };
}

const decide = (s: Scenario) => decideRecord({ mapping: mappingOf(s), ...statesOf(s) });

describe('decideRecord properties', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(decide(s)).toEqual(decide(s));
      }),
    );
  });

  it('is idempotent: applying the decision and deciding again writes nothing', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const next = apply(s, decide(s));
        expect(decide(next).writes).toEqual({ hubspot: {}, salesforce: {} });
      }),
    );
  });

  it('never writes a value a side already holds, and only writes allowed directions', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { writes } = decide(s);
        const hub = writes.hubspot.dealname;
        const force = writes.salesforce.Name;
        if (hub !== undefined) {
          expect(hub === '' ? null : hub).not.toBe(s.hub);
          expect(s.mapping.direction).not.toBe('hubspot_to_salesforce');
        }
        if (force !== undefined) {
          expect(force).not.toBe(s.force);
          expect(s.mapping.direction).not.toBe('salesforce_to_hubspot');
        }
        expect(hub !== undefined && force !== undefined).toBe(false);
      }),
    );
  });

  it('most_recent: an older change never overwrites a newer one', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        fc.pre(s.mapping.policy === 'most_recent' && s.mapping.direction === 'both');
        fc.pre(s.hubTime !== undefined && s.forceTime !== undefined && s.hubTime !== s.forceTime);
        // Both sides changed since the last sync (or there is none): times decide.
        fc.pre(s.hubShadow !== s.hub && s.forceShadow !== s.force && s.hub !== s.force);
        const { writes } = decide(s);
        const newer = (s.hubTime ?? 0) > (s.forceTime ?? 0) ? 'hubspot' : 'salesforce';
        if (newer === 'hubspot') expect(writes.salesforce.Name).toBe(s.hub);
        else expect(writes.hubspot.dealname).toBe(s.force ?? '');
      }),
    );
  });

  it('prefer-unless-blank: the preferred side wins unless it is blank', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        fc.pre(s.mapping.direction === 'both' && s.hub !== s.force);
        fc.pre(s.mapping.policy.startsWith('prefer_'));
        const preferHub = s.mapping.policy === 'prefer_hubspot_unless_blank';
        const preferred = preferHub ? s.hub : s.force;
        const result = apply(s, decide(s));
        const expected = preferred !== null ? preferred : preferHub ? s.force : s.hub;
        expect(result.hub).toBe(expected);
        expect(result.force).toBe(expected);
      }),
    );
  });

  it('with both directions allowed, the sides converge', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        fc.pre(s.mapping.direction === 'both');
        // Sides left apart on purpose earlier (shadows equal to both) stay apart.
        fc.pre(
          !(
            s.mapping.policy === 'most_recent' &&
            s.hubShadow === s.hub &&
            s.forceShadow === s.force
          ),
        );
        const result = apply(s, decide(s));
        expect(result.hub).toBe(result.force);
      }),
    );
  });

  it('the default deal mapping converges on random records', () => {
    const deal = objectMappingOf(defaultMappingDocument(), 'deal');
    if (deal === undefined) throw new Error('no deal mapping');
    const stage = fc.constantFrom(
      'appointmentscheduled',
      'qualifiedtobuy',
      'closedwon',
      'closedlost',
    );
    const sfStage = fc.constantFrom(
      'Prospecting',
      'Needs Analysis',
      'Closed Won',
      'Negotiation/Review',
    );
    const amount = fc.option(
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => (n / 100).toFixed(2)),
      {
        nil: null,
      },
    );
    fc.assert(
      fc.property(
        stage,
        sfStage,
        amount,
        amount,
        (hubStage, forceStage, hubAmount, forceAmount) => {
          const first = decideRecord({
            mapping: deal,
            hubspot: { values: { dealstage: hubStage, amount: hubAmount }, modifiedAt: 1 },
            salesforce: {
              values: {
                StageName: forceStage,
                Amount: forceAmount === null ? null : Number(forceAmount),
              },
              modifiedAt: 2,
            },
            shadows: { hubspot: {}, salesforce: {} },
          });
          const again = decideRecord({
            mapping: deal,
            hubspot: {
              values: {
                dealstage: first.writes.hubspot.dealstage ?? hubStage,
                amount: first.writes.hubspot.amount ?? hubAmount,
              },
            },
            salesforce: {
              values: {
                StageName: first.writes.salesforce.StageName ?? forceStage,
                Amount:
                  first.writes.salesforce.Amount ??
                  (forceAmount === null ? null : Number(forceAmount)),
              },
            },
            shadows: first.shadows,
          });
          expect(again.writes).toEqual({ hubspot: {}, salesforce: {} });
        },
      ),
    );
  });
});
