import {
  type demoCurrencies,
  hubspotDefaultPipeline,
  type motionValues,
  type partnerRoleValues,
  type partnerTypeValues,
  salesforceOpportunityStages,
  type tierValues,
  type trainingLevelValues,
} from '@partnerbridge/shared/crm-fields';
import { createRng, type Rng } from '../common/rng.ts';

// A deterministic demo partner program, independent of either CRM: the HubSpot and Salesforce
// sandboxes each render it into their own records. Same (seed, deals, asOf) → same data.

type PartnerType = (typeof partnerTypeValues)[number];
type Tier = (typeof tierValues)[number];
type TrainingLevel = (typeof trainingLevelValues)[number];
type Motion = (typeof motionValues)[number];
type Role = (typeof partnerRoleValues)[number];
type Currency = (typeof demoCurrencies)[number];

/** `linked`: present in Salesforce carrying the HubSpot id; `unlinked`: present with the same
 * name and domain but no id (identity matching must find it); `absent`: HubSpot only. */
export type SalesforcePresence = 'linked' | 'unlinked' | 'absent';

export type DemoPartner = {
  key: string;
  name: string;
  domain: string;
  industry: string;
  country: string;
  type: PartnerType;
  subtype: string;
  /** The tier the generated data is built to reach under the default program. */
  targetTier: Tier;
  certifiedSalespeople: number;
  trainingLevel: TrainingLevel;
  agreementSigned: boolean;
  partnerSince: string;
  salesforce: Exclude<SalesforcePresence, 'absent'>;
};

export type DemoCustomer = {
  key: string;
  name: string;
  domain: string;
  industry: string;
  country: string;
  salesforce: SalesforcePresence;
};

export type DemoPartnerTag = {
  partnerKey: string;
  role: Role;
  motion: Motion;
  touchedAt: string;
};

export type DemoDeal = {
  key: string;
  name: string;
  customerKey: string;
  amountMinor: number;
  currency: Currency;
  category: 'open' | 'won' | 'lost';
  hubspotStage: string;
  salesforceStage: string;
  closeDate: string;
  createdAt: string;
  dealType: 'newbusiness' | 'existingbusiness';
  tags: DemoPartnerTag[];
  /** Which CRMs hold the deal: `both` deals are linked by the HubSpot id on the opportunity. */
  presence: 'both' | 'hubspot' | 'salesforce';
};

export type DemoProgram = {
  seed: number;
  asOf: string;
  partners: DemoPartner[];
  customers: DemoCustomer[];
  deals: DemoDeal[];
};

export type GenerateDemoProgramOptions = {
  /** Number of deals; partners and customers scale with it. Default 3,000. */
  deals?: number;
  seed?: number;
  /** Reference instant (ISO 8601); dates are placed around it. */
  asOf: string;
};

const subtypes: Record<PartnerType, readonly string[]> = {
  technology: ['CRM', 'email platform', 'analytics', 'automation'],
  channel: ['agency', 'system integrator', 'consultant', 'reseller', 'referral partner'],
  strategic: ['cloud alliance', 'enterprise alliance'],
  content: ['publication', 'influencer', 'conference', 'podcast', 'thought leader'],
};

// Per target tier: what the partner's facts are and how much won business the data plants for it.
const tierPlans: Record<
  Tier,
  {
    certified: number;
    training: TrainingLevel;
    agreement: boolean;
    customers: number;
    revenueUsd: number;
  }
> = {
  registered: { certified: 0, training: 'none', agreement: false, customers: 0, revenueUsd: 0 },
  bronze: { certified: 1, training: 'basic', agreement: false, customers: 6, revenueUsd: 12_000 },
  silver: {
    certified: 3,
    training: 'advanced',
    agreement: false,
    customers: 17,
    revenueUsd: 60_000,
  },
  gold: { certified: 6, training: 'expert', agreement: false, customers: 55, revenueUsd: 230_000 },
  platinum: {
    certified: 12,
    training: 'expert',
    agreement: true,
    customers: 105,
    revenueUsd: 560_000,
  },
};

const nameParts = {
  first: [
    'Acme',
    'Northwind',
    'Globex',
    'Initech',
    'Umbrella',
    'Stark',
    'Wayne',
    'Tyrell',
    'Cyberdyne',
    'Soylent',
    'Hooli',
    'Vandelay',
    'Wonka',
    'Aperture',
    'Black Mesa',
    'Oscorp',
    'Massive',
    'Dunder',
    'Sterling',
    'Pied Piper',
    'Bluth',
    'Gringotts',
    'Monarch',
    'Nakatomi',
    'Zorg',
    'Ollivander',
    'Prestige',
    'Vortex',
    'Harbor',
    'Summit',
  ],
  second: [
    'Labs',
    'Systems',
    'Digital',
    'Group',
    'Works',
    'Partners',
    'Analytics',
    'Media',
    'Cloud',
    'Ventures',
    'Solutions',
    'Studio',
    'Logistics',
    'Health',
    'Foods',
    'Energy',
    'Retail',
    'Capital',
    'Robotics',
    'Networks',
  ],
};
const industries = [
  'COMPUTER_SOFTWARE',
  'MARKETING_AND_ADVERTISING',
  'FINANCIAL_SERVICES',
  'HOSPITAL_HEALTH_CARE',
  'RETAIL',
  'LOGISTICS_AND_SUPPLY_CHAIN',
  'EDUCATION_MANAGEMENT',
  'CONSUMER_GOODS',
];
const countries = [
  'United States',
  'Germany',
  'United Kingdom',
  'Canada',
  'Japan',
  'Spain',
  'France',
  'Mexico',
];
const currencyWeights: readonly (readonly [Currency, number])[] = [
  ['USD', 60],
  ['EUR', 18],
  ['GBP', 10],
  ['CAD', 7],
  ['JPY', 5],
];
const minorUnitsPerMajor: Record<Currency, number> = {
  USD: 100,
  EUR: 100,
  GBP: 100,
  CAD: 100,
  JPY: 1,
};
// Rough size of one unit in USD, only to keep generated amounts plausible per currency.
const usdPerUnit: Record<Currency, number> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  CAD: 0.73,
  JPY: 0.0067,
};

const DAY_MS = 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function uniqueNames(rng: Rng, count: number, suffix: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; names.length < count; attempt++) {
    const base = `${rng.pick(nameParts.first)} ${rng.pick(nameParts.second)}`;
    const name = attempt < count * 4 ? base : `${base} ${attempt}`;
    const full = suffix === '' ? name : `${name} ${suffix}`;
    if (seen.has(full)) continue;
    seen.add(full);
    names.push(full);
  }
  return names;
}

function motionFor(rng: Rng, partner: DemoPartner): Motion {
  switch (partner.type) {
    case 'technology':
      return rng.weighted<Motion>([
        ['referral', 5],
        ['co_sell', 3.5],
        ['white_label', 1.5],
      ]);
    case 'channel':
      return partner.subtype === 'agency'
        ? rng.weighted<Motion>([
            ['white_label', 6],
            ['co_sell', 4],
          ])
        : rng.weighted<Motion>([
            ['co_sell', 6],
            ['referral', 4],
          ]);
    case 'strategic':
      return 'enterprise';
    case 'content':
      return 'referral';
  }
}

function tierTargets(partnerCount: number): Tier[] {
  // Every tier appears, with a pyramid shape; small programs still get one of each.
  const platinum = Math.max(1, Math.round(partnerCount * 0.02));
  const gold = Math.max(1, Math.round(partnerCount * 0.06));
  const silver = Math.max(1, Math.round(partnerCount * 0.15));
  const bronze = Math.max(1, Math.round(partnerCount * 0.3));
  const registered = Math.max(1, partnerCount - platinum - gold - silver - bronze);
  return [
    ...Array<Tier>(platinum).fill('platinum'),
    ...Array<Tier>(gold).fill('gold'),
    ...Array<Tier>(silver).fill('silver'),
    ...Array<Tier>(bronze).fill('bronze'),
    ...Array<Tier>(registered).fill('registered'),
  ];
}

/** Builds the demo program: partners of every type and tier, customers, deals in every stage and currency. */
export function generateDemoProgram(options: GenerateDemoProgramOptions): DemoProgram {
  const seed = options.seed ?? 2026;
  const dealCount = options.deals ?? 3000;
  const asOfMs = Date.parse(options.asOf);
  if (Number.isNaN(asOfMs)) throw new Error(`asOf is not an ISO instant: ${options.asOf}`);
  const rng = createRng(seed);

  const targets = tierTargets(Math.max(10, Math.round(dealCount / 30)));
  const partnerNames = uniqueNames(rng, targets.length, 'Partners');
  const types: PartnerType[] = ['channel', 'technology', 'content', 'strategic'];
  const partners: DemoPartner[] = targets.map((targetTier, index) => {
    const type = types[index % types.length] ?? 'channel';
    const plan = tierPlans[targetTier];
    const name = partnerNames[index] ?? `Partner ${index}`;
    return {
      key: `partner-${String(index + 1).padStart(4, '0')}`,
      name,
      domain: `${slug(name)}.example`,
      industry: rng.pick(industries),
      country: rng.pick(countries),
      type,
      subtype: rng.pick(subtypes[type]),
      targetTier,
      certifiedSalespeople: plan.certified,
      trainingLevel: plan.training,
      agreementSigned: plan.agreement,
      partnerSince: isoDate(asOfMs - rng.int(60, 900) * DAY_MS),
      salesforce: rng.chance(0.9) ? 'linked' : 'unlinked',
    };
  });

  const neededCustomers = Math.max(...partners.map((p) => tierPlans[p.targetTier].customers));
  const customerCount = Math.max(neededCustomers + 20, Math.round(dealCount / 5));
  const customerNames = uniqueNames(rng, customerCount, '');
  const customers: DemoCustomer[] = customerNames.map((name, index) => ({
    key: `customer-${String(index + 1).padStart(5, '0')}`,
    name,
    domain: `${slug(name)}.example`,
    industry: rng.pick(industries),
    country: rng.pick(countries),
    salesforce: rng.weighted<SalesforcePresence>([
      ['linked', 85],
      ['unlinked', 5],
      ['absent', 10],
    ]),
  }));

  const deals: DemoDeal[] = [];
  const wonStage = hubspotDefaultPipeline.stages.find((s) => s.category === 'won');
  const lostStage = hubspotDefaultPipeline.stages.find((s) => s.category === 'lost');
  const openStages = hubspotDefaultPipeline.stages.filter((s) => s.category === 'open');
  const sfWon = salesforceOpportunityStages.find((s) => s.isWon);
  const sfLost = salesforceOpportunityStages.find((s) => s.isClosed && !s.isWon);
  const sfOpen = salesforceOpportunityStages.filter((s) => !s.isClosed);
  if (!wonStage || !lostStage || !sfWon || !sfLost) throw new Error('stage catalog is incomplete');

  const addDeal = (input: {
    customer: DemoCustomer;
    amountMinor: number;
    currency: Currency;
    category: DemoDeal['category'];
    closeMs: number;
    tags: DemoPartnerTag[];
  }) => {
    const index = deals.length + 1;
    const openIndex = rng.int(0, openStages.length - 1);
    const hubspotStage =
      input.category === 'won'
        ? wonStage.id
        : input.category === 'lost'
          ? lostStage.id
          : (openStages[openIndex]?.id ?? 'appointmentscheduled');
    const salesforceStage =
      input.category === 'won'
        ? sfWon.name
        : input.category === 'lost'
          ? sfLost.name
          : (sfOpen[
              Math.min(
                sfOpen.length - 1,
                Math.round((openIndex / Math.max(1, openStages.length - 1)) * (sfOpen.length - 1)),
              )
            ]?.name ?? 'Prospecting');
    const createdMs = Math.min(asOfMs - DAY_MS, input.closeMs - rng.int(10, 120) * DAY_MS);
    const presence: DemoDeal['presence'] =
      input.customer.salesforce === 'absent'
        ? 'hubspot'
        : rng.weighted<DemoDeal['presence']>([
            ['both', 55],
            ['hubspot', 35],
            ['salesforce', 10],
          ]);
    deals.push({
      key: `deal-${String(index).padStart(6, '0')}`,
      name: `${input.customer.name} — ${rng.pick(['Annual subscription', 'Platform expansion', 'Onboarding project', 'Renewal', 'Enterprise rollout', 'Pilot'])}`,
      customerKey: input.customer.key,
      amountMinor: input.amountMinor,
      currency: input.currency,
      category: input.category,
      hubspotStage,
      salesforceStage,
      closeDate: isoDate(input.closeMs),
      createdAt: isoInstant(createdMs),
      dealType: rng.chance(0.7) ? 'newbusiness' : 'existingbusiness',
      tags: input.tags,
      presence,
    });
  };

  const influencerFor = (sourced: DemoPartner, touchedMs: number): DemoPartnerTag[] => {
    if (!rng.chance(0.2)) return [];
    const other = rng.pick(partners);
    if (other.key === sourced.key) return [];
    return [
      {
        partnerKey: other.key,
        role: 'influenced',
        motion: motionFor(rng, other),
        touchedAt: isoInstant(touchedMs + rng.int(1, 20) * DAY_MS),
      },
    ];
  };

  // 1. Planted won business so each partner reaches its target tier (distinct customers, USD,
  //    closed inside the trailing twelve months with a margin).
  for (const partner of partners) {
    const plan = tierPlans[partner.targetTier];
    if (plan.customers === 0 || deals.length >= dealCount) continue;
    const perDealMinor = Math.ceil((plan.revenueUsd * 100) / plan.customers);
    const offset = rng.int(0, customers.length - 1);
    for (let i = 0; i < plan.customers && deals.length < dealCount; i++) {
      const customer = customers[(offset + i) % customers.length];
      if (customer === undefined) continue;
      const closeMs = asOfMs - rng.int(5, 300) * DAY_MS;
      const touchedMs = closeMs - rng.int(20, 90) * DAY_MS;
      addDeal({
        customer,
        amountMinor: perDealMinor + rng.int(0, Math.round(perDealMinor * 0.1)),
        currency: 'USD',
        category: 'won',
        closeMs,
        tags: [
          {
            partnerKey: partner.key,
            role: 'sourced',
            motion: motionFor(rng, partner),
            touchedAt: isoInstant(touchedMs),
          },
          ...influencerFor(partner, touchedMs),
        ],
      });
    }
  }

  // 2. The rest of the pipeline: every stage and currency, most with a partner, some direct.
  //    Random business goes to registered/bronze partners so it cannot lift planted tiers.
  const smallPartners = partners.filter(
    (p) => p.targetTier === 'registered' || p.targetTier === 'bronze',
  );
  while (deals.length < dealCount) {
    const customer = rng.pick(customers);
    const currency = rng.weighted(currencyWeights);
    const usd = rng.weighted<[number, number]>([
      [[2_000, 15_000], 50],
      [[15_000, 60_000], 35],
      [[60_000, 250_000], 15],
    ]);
    const units = Math.round(rng.int(usd[0], usd[1]) / usdPerUnit[currency]);
    const category = rng.weighted<DemoDeal['category']>([
      ['open', 35],
      ['won', 40],
      ['lost', 25],
    ]);
    const closeMs =
      category === 'open' ? asOfMs + rng.int(5, 180) * DAY_MS : asOfMs - rng.int(1, 540) * DAY_MS;
    const partner = rng.chance(0.65)
      ? rng.pick(category === 'open' ? partners : smallPartners)
      : undefined;
    const touchedMs = closeMs - rng.int(20, 90) * DAY_MS;
    const tags: DemoPartnerTag[] =
      partner === undefined
        ? []
        : [
            {
              partnerKey: partner.key,
              role: rng.chance(0.85) ? 'sourced' : 'influenced',
              motion: motionFor(rng, partner),
              touchedAt: isoInstant(Math.min(touchedMs, asOfMs)),
            },
          ];
    addDeal({
      customer,
      amountMinor: units * minorUnitsPerMajor[currency],
      currency,
      category,
      closeMs,
      tags,
    });
  }

  return { seed, asOf: isoInstant(asOfMs), partners, customers, deals };
}
