import { type Program, programSchema } from './program.ts';

// The strategy document's numbers (seed/000_…: "Estrategia de Partnerships"), as product.md
// tabulates them. They are the program a new installation starts with; every number is editable.
// Where the document is silent we chose, and say so: holding 30 days, clawback 90 days,
// registration expiry and customer protection 90 days, demotion grace 90 days (product.md).

const usd = (dollars: number) => ({ amountMinor: dollars * 100, currency: 'USD' });
const programStart = '2024-01-01';
const holdingDays = 30;
const clawbackDays = 90;

/** Channel tiers: commission by tier (Bronze 5 %, Silver 10 %, Gold 15 %, Platinum 20 %). */
const tierRates = [
  { tier: 'bronze', rate: '0.05' },
  { tier: 'silver', rate: '0.10' },
  { tier: 'gold', rate: '0.15' },
  { tier: 'platinum', rate: '0.20' },
];

/** Revenue share by deal motion; enterprise has no default (custom per agreement). */
const motionRates = [
  { motion: 'referral', rate: '0.10' },
  { motion: 'co_sell', rate: '0.20' },
  { motion: 'white_label', rate: '0.30' },
];

const oneTime = { kind: 'one_time' } as const;

export const defaultProgram: Program = programSchema.parse({
  id: 'default',
  name: 'Partner program (strategy document defaults)',
  version: 1,
  currency: 'USD',
  partnerTypes: [
    {
      type: 'technology',
      label: 'Technology partner',
      payoutBasis: 'motion_revenue_share',
      subtypes: [
        { id: 'crm', label: 'CRM' },
        { id: 'email_platform', label: 'Email platform' },
        { id: 'analytics', label: 'Analytics' },
        { id: 'automation', label: 'Automation' },
      ],
    },
    {
      type: 'channel',
      label: 'Channel partner',
      payoutBasis: 'tier_commission',
      subtypes: [
        { id: 'agency', label: 'Marketing agency' },
        { id: 'system_integrator', label: 'System integrator' },
        { id: 'consultant', label: 'Consultant' },
        { id: 'reseller', label: 'Reseller' },
        { id: 'referral_partner', label: 'Referral partner' },
      ],
    },
    {
      type: 'strategic',
      label: 'Strategic partner',
      payoutBasis: 'custom_agreement',
      subtypes: [
        { id: 'cloud_alliance', label: 'Cloud alliance' },
        { id: 'enterprise_alliance', label: 'Enterprise alliance' },
      ],
    },
    {
      type: 'content',
      label: 'Content partner',
      payoutBasis: 'motion_revenue_share',
      subtypes: [
        { id: 'publication', label: 'Industry publication' },
        { id: 'influencer', label: 'Influencer' },
        { id: 'conference', label: 'Conference organizer' },
        { id: 'podcast', label: 'Podcast host' },
        { id: 'thought_leader', label: 'Thought leader' },
      ],
    },
  ],
  motions: [
    { motion: 'referral', label: 'Referral', agreementOnly: false },
    { motion: 'co_sell', label: 'Co-sell', agreementOnly: false },
    { motion: 'white_label', label: 'White-label', agreementOnly: false },
    { motion: 'enterprise', label: 'Enterprise', agreementOnly: true },
  ],
  // The document's fourth Platinum requirement is the signed strategic partnership agreement, in
  // the column where the other tiers name a training level.
  tiers: [
    {
      id: 'bronze',
      name: 'Bronze',
      requirements: [
        { kind: 'certified_salespeople', min: 1 },
        { kind: 'customers', min: 5 },
        { kind: 'trailing_revenue', min: usd(10_000) },
        { kind: 'training', level: 'basic' },
      ],
      benefits: {
        support: ['Basic support'],
        businessReview: 'quarterly',
        perks: ['Partner portal access', 'Co-marketing materials'],
      },
    },
    {
      id: 'silver',
      name: 'Silver',
      requirements: [
        { kind: 'certified_salespeople', min: 2 },
        { kind: 'customers', min: 15 },
        { kind: 'trailing_revenue', min: usd(50_000) },
        { kind: 'training', level: 'advanced' },
      ],
      benefits: {
        support: ['Standard support', 'Dedicated partner manager'],
        businessReview: 'monthly',
        perks: ['Co-marketing campaigns'],
      },
    },
    {
      id: 'gold',
      name: 'Gold',
      requirements: [
        { kind: 'certified_salespeople', min: 5 },
        { kind: 'customers', min: 50 },
        { kind: 'trailing_revenue', min: usd(200_000) },
        { kind: 'training', level: 'expert' },
      ],
      benefits: {
        support: ['Premium support', 'Dedicated technical support'],
        businessReview: 'weekly',
        perks: ['Joint go-to-market'],
      },
    },
    {
      id: 'platinum',
      name: 'Platinum',
      requirements: [
        { kind: 'certified_salespeople', min: 10 },
        { kind: 'customers', min: 100 },
        { kind: 'trailing_revenue', min: usd(500_000) },
        { kind: 'strategic_agreement' },
      ],
      benefits: {
        support: ['Dedicated support team'],
        businessReview: 'daily',
        perks: ['Co-innovation opportunities', 'Strategic planning'],
      },
    },
  ],
  tierPolicy: { demotionGraceDays: 90, revenueWindowMonths: 12 },
  rules: [
    {
      id: 'channel-tier-commission',
      version: 1,
      name: 'Channel tier commission',
      effectiveFrom: programStart,
      match: { partnerType: 'channel' },
      payout: { kind: 'tier_rates', rates: tierRates },
      base: 'credited_amount',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
    {
      id: 'technology-motion-share',
      version: 1,
      name: 'Technology partner revenue share',
      effectiveFrom: programStart,
      match: { partnerType: 'technology' },
      payout: { kind: 'motion_rates', rates: motionRates },
      base: 'credited_amount',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
    {
      id: 'content-motion-share',
      version: 1,
      name: 'Content partner revenue share',
      effectiveFrom: programStart,
      match: { partnerType: 'content' },
      payout: { kind: 'motion_rates', rates: motionRates },
      base: 'credited_amount',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
    {
      id: 'crm-alliance-referral',
      version: 1,
      name: 'CRM alliance referral',
      effectiveFrom: programStart,
      match: { partnerSubtype: 'crm', motion: 'referral' },
      payout: { kind: 'percent', rate: '0.15' },
      base: 'credited_amount',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
    {
      id: 'crm-alliance-co-sell',
      version: 1,
      name: 'CRM alliance co-sell',
      effectiveFrom: programStart,
      match: { partnerSubtype: 'crm', motion: 'co_sell' },
      payout: { kind: 'percent', rate: '0.20' },
      base: 'credited_amount',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
    {
      id: 'marketing-agency-recurring',
      version: 1,
      name: 'Marketing agency recurring',
      effectiveFrom: programStart,
      match: { partnerSubtype: 'agency' },
      payout: { kind: 'percent', rate: '0.20' },
      base: 'credited_amount',
      schedule: { kind: 'recurring', months: 12 },
      holdingDays,
      clawbackDays,
    },
    {
      id: 'system-integrator-project',
      version: 1,
      name: 'System integrator project',
      effectiveFrom: programStart,
      match: { partnerSubtype: 'system_integrator' },
      payout: { kind: 'percent', rate: '0.15' },
      base: 'project_value',
      schedule: oneTime,
      holdingDays,
      clawbackDays,
    },
  ],
  attribution: { kind: 'sourced_takes_all' },
  registration: { protectionWindowDays: 90, expiryDays: 90 },
  onboarding: [
    {
      id: 'qualification',
      label: 'Qualification',
      startWeek: 1,
      endWeek: 1,
      checklist: [
        { id: 'application_review', label: 'Application review: business fit' },
        { id: 'technical_evaluation', label: 'Technical evaluation' },
        { id: 'financial_review', label: 'Financial review' },
        { id: 'reference_checks', label: 'Customer reference checks' },
        { id: 'approval', label: 'Partnership approval' },
      ],
    },
    {
      id: 'onboarding',
      label: 'Onboarding',
      startWeek: 2,
      endWeek: 4,
      checklist: [
        { id: 'contract_signed', label: 'Partnership agreement signed' },
        { id: 'training_program', label: 'Product and sales training' },
        { id: 'certification', label: 'Partner certification' },
        { id: 'portal_access', label: 'Partner portal set up' },
        { id: 'support_setup', label: 'Support team assigned' },
      ],
    },
    {
      id: 'launch',
      label: 'Launch',
      startWeek: 5,
      endWeek: 8,
      checklist: [
        { id: 'first_customer', label: 'First customer implemented' },
        { id: 'performance_review', label: 'Performance review' },
        { id: 'feedback_collection', label: 'Partner feedback collected' },
        { id: 'optimization', label: 'Process optimization' },
        { id: 'scale_planning', label: 'Growth plan' },
      ],
    },
  ],
  quarterlyTargets: [
    { quarter: 1, partnersByType: { technology: 5, channel: 10, content: 5, strategic: 2 } },
    { quarter: 2, partnerRevenue: usd(100_000), newPartners: 20 },
    { quarter: 3, partnerRevenue: usd(300_000) },
    { quarter: 4, partnerRevenue: usd(500_000), partnersByType: { strategic: 5 } },
  ],
});
