import { defaultProgram, onboardingPlanSchema, onboardingStatus } from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aPartner } from './builders.ts';

const plan = defaultProgram.onboarding;
const qualification = [
  'application_review',
  'technical_evaluation',
  'financial_review',
  'reference_checks',
  'approval',
];
const onboarding = [
  'contract_signed',
  'training_program',
  'certification',
  'portal_access',
  'support_setup',
];

describe('onboardingStatus', () => {
  it('starts in qualification, week 1, on track', () => {
    const status = onboardingStatus(aPartner({ joinedOn: '2025-03-03' }), plan, '2025-03-09');
    expect(status).toMatchObject({
      week: 1,
      currentPhase: { id: 'qualification' },
      pace: 'on_track',
    });
    expect(status.remaining).toHaveLength(5);
    expect(status.phases.map((phase) => [phase.id, phase.done, phase.total])).toEqual([
      ['qualification', 0, 5],
      ['onboarding', 0, 5],
      ['launch', 0, 5],
    ]);
  });

  it('is behind when the week is past the current phase', () => {
    const partner = aPartner({ joinedOn: '2025-03-03', onboardingCompleted: ['approval'] });
    expect(onboardingStatus(partner, plan, '2025-03-10')).toMatchObject({
      week: 2,
      pace: 'behind',
    });
  });

  it('is ahead when a phase is finished before its weeks come', () => {
    const partner = aPartner({ joinedOn: '2025-03-03', onboardingCompleted: qualification });
    const status = onboardingStatus(partner, plan, '2025-03-04');
    expect(status).toMatchObject({
      week: 1,
      currentPhase: { id: 'onboarding', label: 'Onboarding' },
      pace: 'ahead',
    });
  });

  it('completes when every checklist item is done', () => {
    const everything = plan.flatMap((phase) => phase.checklist.map((item) => item.id));
    const status = onboardingStatus(
      aPartner({ onboardingCompleted: everything }),
      plan,
      '2025-06-01',
    );
    expect(status).toMatchObject({ currentPhase: null, pace: 'completed', remaining: [] });
  });

  it('reports the items left in the current phase', () => {
    const partner = aPartner({
      joinedOn: '2025-03-03',
      onboardingCompleted: [...qualification, ...onboarding.slice(0, 4)],
    });
    expect(onboardingStatus(partner, plan, '2025-03-20').remaining).toEqual([
      { id: 'support_setup', label: 'Support team assigned' },
    ]);
  });

  it('refuses plans with overlapping phases or repeated items', () => {
    const [first, second] = plan;
    if (first === undefined || second === undefined) throw new Error('default plan changed');
    expect(onboardingPlanSchema.safeParse([first, { ...second, startWeek: 1 }]).success).toBe(
      false,
    );
    expect(
      onboardingPlanSchema.safeParse([first, { ...second, checklist: first.checklist }]).success,
    ).toBe(false);
  });
});
