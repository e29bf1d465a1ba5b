import {
  addDays,
  computePartnerActivity,
  createFxTable,
  type Deal,
  dealSchema,
  defaultProgram,
  evaluateTier,
  type FxRate,
  fxRatesSchema,
  type Partner,
  type PartnerTag,
  partnerSchema,
  partnerTagSchema,
  reconcileLedger,
} from '@partnerbridge/shared';
import { createRng, type Rng } from '../sandboxes/common/rng.ts';
import { type Benchmark, liveHeapMb, printTable, runInChild, timed } from './benchmark.ts';

// Synthetic but realistic books: partners of every type, subtype and tier; deals in USD, EUR and
// GBP over two years, won, lost and open, some recurring, some with project value, some refunded;
// one to three partner tags each. Everything comes from one seed, so every run sees the same data.

const seed = 20_250_301;
const asOf = '2026-01-01';
const days = Array.from({ length: 730 }, (_, offset) => addDays('2024-01-01', offset));
const subtypes = {
  technology: ['crm', 'email_platform', 'analytics', 'automation'],
  channel: ['agency', 'system_integrator', 'consultant', 'reseller', 'referral_partner'],
  strategic: ['cloud_alliance', 'enterprise_alliance'],
  content: ['publication', 'influencer', 'conference', 'podcast', 'thought_leader'],
} as const;

function syntheticPartners(count: number, rng: Rng): Partner[] {
  return Array.from({ length: count }, (_, index) => {
    const type = rng.weighted([
      ['channel', 50],
      ['technology', 25],
      ['content', 15],
      ['strategic', 10],
    ] as const);
    const tier = rng.weighted([
      ['registered', 20],
      ['bronze', 35],
      ['silver', 25],
      ['gold', 15],
      ['platinum', 5],
    ] as const);
    return {
      id: `partner-${index}`,
      name: `Partner ${index}`,
      type,
      subtype: rng.pick(subtypes[type]),
      joinedOn: '2023-01-01',
      certifiedSalespeople: rng.int(0, 12),
      trainingLevel: rng.pick(['none', 'basic', 'advanced', 'expert'] as const),
      strategicAgreementSigned: rng.chance(0.1),
      onboardingCompleted: [],
      tierHistory: tier === 'registered' ? [] : [{ tier, since: '2023-06-01' }],
      belowTierSince: null,
    } as unknown as Partner;
  });
}

function syntheticDeals(
  count: number,
  partners: readonly Partner[],
  rng: Rng,
  maxTags = 3,
): { deals: Deal[]; tags: PartnerTag[] } {
  const deals: Deal[] = [];
  const tags: PartnerTag[] = [];
  for (let index = 0; index < count; index++) {
    const id = `deal-${index}`;
    const closeDay = rng.int(30, days.length - 1);
    const closeDate = days[closeDay] as string;
    const stage = rng.weighted([
      ['won', 70],
      ['lost', 15],
      ['open', 15],
    ] as const);
    const currency = rng.weighted([
      ['USD', 85],
      ['EUR', 10],
      ['GBP', 5],
    ] as const);
    const refunded = stage === 'won' && rng.chance(0.05);
    deals.push({
      id,
      name: `Deal ${index}`,
      customerId: `customer-${rng.int(0, Math.max(1, Math.floor(count / 3)))}`,
      amount: { amountMinor: rng.int(1_000, 200_000) * 100 + rng.int(0, 99), currency },
      ...(rng.chance(0.3)
        ? { projectValue: { amountMinor: rng.int(5_000, 50_000) * 100, currency } }
        : {}),
      stage,
      rawStage: stage === 'open' ? 'contractsent' : `closed${stage}`,
      probability:
        stage === 'open' ? rng.pick(['0.2', '0.4', '0.6', '0.8']) : stage === 'won' ? '1' : '0',
      createdOn: days[closeDay - 30] as string,
      closeDate,
      dealType: rng.pick(['new_business', 'existing_business', 'renewal'] as const),
      ...(rng.chance(0.2) ? { contractMonths: 12 } : {}),
      ...(refunded
        ? { reversal: { reason: 'refunded', on: addDays(closeDate, rng.int(1, 180)) } }
        : {}),
    } as unknown as Deal);
    const tagCount = rng.int(1, maxTags);
    const chosen = new Set<number>();
    while (chosen.size < tagCount) chosen.add(rng.int(0, partners.length - 1));
    let first = true;
    for (const partnerIndex of chosen) {
      tags.push({
        dealId: id,
        partnerId: (partners[partnerIndex] as Partner).id,
        role: first || rng.chance(0.1) ? 'sourced' : 'influenced',
        motion: rng.weighted([
          ['referral', 45],
          ['co_sell', 30],
          ['white_label', 15],
          ['enterprise', 10],
        ] as const),
        touchedAt: `${days[closeDay - rng.int(1, 29)]}T${String(rng.int(0, 23)).padStart(2, '0')}:00:00Z`,
      } as unknown as PartnerTag);
      first = false;
    }
  }
  return { deals, tags };
}

function syntheticFx(): FxRate[] {
  const quotes: { base: string; quote: string; on: string; rate: string }[] = [];
  for (let month = 0; month < 26; month++) {
    const on = addDays('2023-12-01', month * 30);
    quotes.push({ base: 'EUR', quote: 'USD', on, rate: (1.05 + month / 1000).toFixed(4) });
    quotes.push({ base: 'GBP', quote: 'USD', on, rate: (1.25 + month / 2000).toFixed(4) });
  }
  return fxRatesSchema.parse(quotes);
}

/** The generator builds objects without zod for speed; a sample goes through the schemas. */
function checkSample(
  partners: readonly Partner[],
  deals: readonly Deal[],
  tags: readonly PartnerTag[],
): void {
  for (const partner of partners.slice(0, 200)) partnerSchema.parse(partner);
  for (const deal of deals.slice(0, 2_000)) dealSchema.parse(deal);
  for (const tag of tags.slice(0, 2_000)) partnerTagSchema.parse(tag);
}

type LedgerFigures = {
  deals: number;
  tags: number;
  runs: number;
  lines: number;
  reconcileMs: number;
  reconcileCpuMs: number;
  recomputeMs: number;
  recomputeLines: number;
  /** Live heap holding the partners, the book and its ledger. */
  heapWithLedgerMb: number;
};

function ledgerRun(size: number): LedgerFigures {
  const rng = createRng(seed);
  const partners = syntheticPartners(1_000, rng);
  const fx = createFxTable(syntheticFx());
  const book = syntheticDeals(size, partners, rng);
  checkSample(partners, book.deals, book.tags);
  // Bring the JIT to steady state on another, smaller book first, so that no size is charged for
  // compilation (the per-deal ratio then measures the algorithm) and peak memory stays the size's.
  const warmup = syntheticDeals(5_000, partners, createRng(seed + 1));
  const input = { program: defaultProgram, partners, fx, asOf };
  for (let round = 0; round < 8; round++) {
    const { lines } = reconcileLedger({ ...input, ...warmup, existing: [] });
    reconcileLedger({ ...input, ...warmup, existing: lines });
  }

  // Small sizes run several times (about 300k deals' worth) and report the median run; only the
  // timings are kept, so repetitions do not add to the peak memory of the size.
  const runs = Math.max(1, Math.round(300_000 / size));
  const reconcile = () => reconcileLedger({ ...input, ...book, existing: [] });
  const first = repeated(runs, reconcile);
  const heapWithLedgerMb = liveHeapMb();
  const recompute = () => reconcileLedger({ ...input, ...book, existing: first.result.lines });
  const again = repeated(runs, recompute);
  return {
    deals: book.deals.length,
    tags: book.tags.length,
    runs,
    lines: first.result.lines.length,
    reconcileMs: first.ms,
    reconcileCpuMs: first.cpuMs,
    recomputeMs: again.ms,
    recomputeLines: again.result.lines.length,
    heapWithLedgerMb,
  };
}

type TierFigures = {
  partners: number;
  deals: number;
  activityMs: number;
  evaluateMs: number;
  changes: number;
};

function tierRun(partnerCount: number): TierFigures {
  const rng = createRng(seed);
  const partners = syntheticPartners(partnerCount, rng);
  const book = syntheticDeals(partnerCount * 5, partners, rng, 1);
  const fx = createFxTable(syntheticFx());
  const activity = timed(() =>
    computePartnerActivity({
      deals: book.deals,
      tags: book.tags,
      program: defaultProgram,
      fx,
      asOf,
    }),
  );
  const empty = { won: [], pipeline: [] };
  const evaluation = timed(() =>
    partners.map((partner) =>
      evaluateTier({
        program: defaultProgram,
        partner,
        activity: activity.result.activity.get(partner.id) ?? empty,
        asOf,
      }),
    ),
  );
  return {
    partners: partners.length,
    deals: book.deals.length,
    activityMs: activity.ms,
    evaluateMs: evaluation.ms,
    changes: evaluation.result.filter((result) => result.change.kind !== 'unchanged').length,
  };
}

/** Runs `work` `runs` times; the median wall and CPU times, and the last result. */
function repeated<T>(runs: number, work: () => T): { result: T; ms: number; cpuMs: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let last: T | undefined;
  for (let run = 0; run < runs; run++) {
    const sample = timed(work);
    walls.push(sample.ms);
    cpus.push(sample.cpuMs);
    last = sample.result;
  }
  if (last === undefined) throw new Error('no runs');
  const median = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { result: last, ms: median(walls), cpuMs: median(cpus) };
}

const sizes = [10_000, 100_000, 1_000_000];
const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

export const coreBenchmark: Benchmark = {
  name: 'core',
  description:
    'attribution + commission ledger over synthetic deals (1,000 partners), tier evaluation',
  async child(args) {
    const [kind, size] = args;
    if (kind === 'ledger') return ledgerRun(Number(size));
    if (kind === 'tiers') return tierRun(Number(size));
    throw new Error(`unknown core benchmark part ${kind}`);
  },
  async run() {
    const ledger: (LedgerFigures & { maxRssMb: number })[] = [];
    for (const size of sizes) {
      ledger.push(
        await runInChild<LedgerFigures>('core', ['ledger', String(size)], {
          maxOldSpaceMb: 12_288,
        }),
      );
    }
    printTable(
      ledger.map((run) => ({
        deals: run.deals,
        tags: run.tags,
        'ledger lines': run.lines,
        runs: run.runs,
        'reconcile s': (run.reconcileMs / 1000).toFixed(3),
        'deals/s': perSecond(run.deals, run.reconcileMs),
        'µs/deal': ((run.reconcileMs * 1000) / run.deals).toFixed(2),
        'CPU µs/deal': ((run.reconcileCpuMs * 1000) / run.deals).toFixed(2),
        'recompute deals/s': perSecond(run.deals, run.recomputeMs),
        'recompute lines': run.recomputeLines,
        'live heap MB': run.heapWithLedgerMb,
        'peak RSS MB': run.maxRssMb,
      })),
    );
    const smallest = ledger[0];
    const largest = ledger.at(-1);
    if (smallest !== undefined && largest !== undefined) {
      const perDeal = (ms: number, run: LedgerFigures) => ms / run.deals;
      const wall = perDeal(largest.reconcileMs, largest) / perDeal(smallest.reconcileMs, smallest);
      const cpu =
        perDeal(largest.reconcileCpuMs, largest) / perDeal(smallest.reconcileCpuMs, smallest);
      console.log(
        `\ntime per deal, ${largest.deals.toLocaleString('en-US')} vs ${smallest.deals.toLocaleString('en-US')} deals (1.00 = linear): wall ${wall.toFixed(2)}, CPU ${cpu.toFixed(2)}`,
      );
    }
    const tiers = await runInChild<TierFigures>('core', ['tiers', '100000'], {
      maxOldSpaceMb: 8_192,
    });
    console.log('');
    printTable([
      {
        partners: tiers.partners,
        deals: tiers.deals,
        'activity s': (tiers.activityMs / 1000).toFixed(2),
        'evaluate s': (tiers.evaluateMs / 1000).toFixed(2),
        'tiers/s': perSecond(tiers.partners, tiers.evaluateMs),
        'tier changes': tiers.changes,
        'peak RSS MB': tiers.maxRssMb,
      },
    ]);
  },
};
