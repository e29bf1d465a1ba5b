import { randomUUID } from 'node:crypto';
import { addDays, type IsoDate } from '@partnerbridge/shared';
import type {
  ConflictView,
  CreateTagBody,
  RegistrationDecisionBody,
  TagMutationResponse,
  UpdateTagBody,
} from '@partnerbridge/shared/api';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { localChanges } from '../db/schema/sync.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import type { VerifiedHubspotFetch } from '../http/hubspot-signature.ts';
import type { Installation } from '../installs/installations.ts';
import type { Services } from '../services.ts';
import { actorOf, requirePartnerManager } from './access.ts';
import { todayOf } from './dates.ts';
import {
  computeEffect,
  conflictsFor,
  findDealOrThrow,
  liveTagsOf,
  registrationsAround,
} from './deal-view.ts';
import { reconcileDeals } from './ledger-store.ts';
import { loadFxTable, loadProgram } from './program-store.ts';
import type { DealRow, PartnerRow, TagRow } from './projection.ts';
import { scheduleTierEvaluation } from './recompute.ts';
import { tagView } from './views.ts';

// Tag mutations from the deal card. Each runs in one transaction with the deal row locked: the tag
// change, the audit entry, the outbox row for the CRMs and the deal's ledger reconciliation commit
// together or not at all; the answer carries the deal's new attribution and commissions.

export type CardCaller = {
  readonly installation: Installation;
  readonly hubspot: VerifiedHubspotFetch;
};

type Deps = Pick<Services, 'db' | 'clock' | 'queues' | 'log'>;

type Mutated = {
  readonly tag: TagRow;
  readonly partner: PartnerRow;
  readonly outcome: TagMutationResponse['outcome'];
  readonly message: string;
  readonly conflicts: readonly ConflictView[];
  /** False when the request changed nothing (removing a removed tag, repeating a decision). */
  readonly changed: boolean;
};

const motionLabels: Readonly<Record<string, string>> = {
  referral: 'referral',
  co_sell: 'co-sell',
  white_label: 'white-label',
  enterprise: 'enterprise',
};

/** Exact sum of decimal strings, compared with 1 without floating point. */
function sharesExceedOne(shares: readonly string[]): boolean {
  const places = Math.max(0, ...shares.map((share) => share.split('.')[1]?.length ?? 0));
  const scale = 10n ** BigInt(places);
  const total = shares.reduce((sum, share) => {
    const [whole = '0', fraction = ''] = share.split('.');
    return sum + BigInt(whole) * scale + BigInt(fraction.padEnd(places, '0') || '0');
  }, 0n);
  return total > scale;
}

function checkShares(tags: readonly TagRow[], share: string | null | undefined): void {
  if (share === null || share === undefined) return;
  const others = tags
    .filter((tag) => tag.registrationStatus !== 'rejected' && tag.share !== null)
    .map((tag) => tag.share as string);
  if (sharesExceedOne([...others, share])) {
    throw new UnprocessableError(
      `explicit shares on this deal would add up to more than 100 % (${[...others, share].join(' + ')}); lower this share or another tag's`,
      {
        issues: [{ path: 'body.share', message: 'shares of a deal add up to at most 1' }],
      },
    );
  }
}

async function audit(
  tx: Executor,
  input: {
    installationId: string;
    actor: string;
    action: string;
    deal: DealRow;
    tagId: string;
    before: unknown;
    after: unknown;
  },
): Promise<void> {
  await tx.insert(auditLog).values({
    installationId: input.installationId,
    origin: 'api',
    actor: input.actor,
    action: input.action,
    objectKind: 'partner_tag',
    localId: input.tagId,
    hubspotId: input.deal.hubspotDealId,
    salesforceId: input.deal.salesforceOpportunityId,
    before: input.before ?? null,
    after: input.after ?? null,
  });
}

/** Snapshot of a tag for the audit log (dates as ISO strings). */
function auditable(tag: TagRow) {
  return {
    partnerId: tag.partnerId,
    role: tag.role,
    motion: tag.motion,
    share: tag.share,
    touchedAt: tag.touchedAt.toISOString(),
    registrationStatus: tag.registrationStatus,
    removedAt: tag.removedAt?.toISOString() ?? null,
  };
}

/**
 * The shared tail of every mutation: outbox row, ledger reconciliation, effect. `mutate` does the
 * change itself inside the transaction, with the deal locked.
 */
async function mutateDealTags(
  deps: Deps,
  caller: CardCaller,
  hubspotDealId: string,
  reason: string,
  mutate: (tx: Executor, context: MutationContext) => Promise<Mutated>,
): Promise<TagMutationResponse> {
  const installationId = caller.installation.id;
  const asOf = todayOf(deps.clock);
  const response = await deps.db.transaction(async (tx) => {
    const deal = await findDealOrThrow(tx, installationId, hubspotDealId, { forUpdate: true });
    const [{ program }, fx, tags] = await Promise.all([
      loadProgram(tx, installationId, asOf),
      loadFxTable(tx, installationId),
      liveTagsOf(tx, installationId, deal.id),
    ]);
    const context: MutationContext = {
      deal,
      tags,
      program,
      asOf,
      now: new Date(deps.clock.now()),
      actor: actorOf(caller.hubspot),
      installationId,
    };
    const mutated = await mutate(tx, context);
    if (mutated.changed) {
      await tx
        .insert(localChanges)
        .values({ installationId, objectKind: 'deal', localId: deal.id, reason });
    }
    await reconcileDeals(tx, { installationId, program, fx, asOf, dealIds: [deal.id] });
    const after = await liveTagsOf(tx, installationId, deal.id);
    const effect = await computeEffect(tx, {
      installationId,
      deal,
      tags: after,
      program,
      fx,
      asOf,
    });
    return {
      tag: tagView(mutated.tag, mutated.partner, program, asOf),
      outcome: mutated.outcome,
      message: mutated.message,
      conflicts: [...mutated.conflicts],
      effect,
    };
  });
  // Tiers follow credited revenue; evaluation is batched per installation. A Redis hiccup here
  // only delays it to the next change or the daily run.
  await scheduleTierEvaluation(deps, installationId).catch((error: unknown) =>
    deps.log.warn({ err: error, installationId }, 'could not schedule tier evaluation'),
  );
  return response;
}

type MutationContext = {
  readonly deal: DealRow;
  readonly tags: readonly { tag: TagRow; partner: PartnerRow }[];
  readonly program: Awaited<ReturnType<typeof loadProgram>>['program'];
  readonly asOf: IsoDate;
  readonly now: Date;
  readonly actor: string;
  readonly installationId: string;
};

function outcomeOf(tag: TagRow): TagMutationResponse['outcome'] {
  if (tag.removedAt !== null) return 'removed';
  return tag.registrationStatus === 'approved'
    ? 'approved'
    : tag.registrationStatus === 'pending'
      ? 'pending_review'
      : 'rejected';
}

/** POST /api/v1/deals/:hubspotDealId/tags */
export function createTag(
  deps: Deps,
  caller: CardCaller,
  hubspotDealId: string,
  body: CreateTagBody,
): Promise<TagMutationResponse> {
  return mutateDealTags(deps, caller, hubspotDealId, 'partner_tag_added', async (tx, context) => {
    const { deal, program, installationId, now } = context;
    const [partner] = await tx
      .select()
      .from(partners)
      .where(and(eq(partners.installationId, installationId), eq(partners.id, body.partnerId)));
    if (partner === undefined || partner.archivedAt !== null) {
      throw new NotFoundError(`partner ${body.partnerId} does not exist in this portal`);
    }
    if (partner.status !== 'active') {
      throw new UnprocessableError(`${partner.name} is an inactive partner and cannot be tagged`, {
        issues: [{ path: 'body.partnerId', message: 'partner is inactive' }],
      });
    }
    const existing = context.tags.find(({ tag }) => tag.partnerId === partner.id);
    if (existing !== undefined) {
      throw new ConflictError(
        `${partner.name} is already tagged on this deal (tag ${existing.tag.id}); change or remove that tag instead`,
      );
    }
    checkShares(
      context.tags.map(({ tag }) => tag),
      body.share,
    );
    const tagId = randomUUID();
    const others = await registrationsAround(tx, installationId, deal);
    const conflicts = conflictsFor({
      tagId,
      partner,
      deal,
      on: context.asOf,
      others,
      program,
    });
    const [tag] = await tx
      .insert(partnerTags)
      .values({
        id: tagId,
        installationId,
        dealId: deal.id,
        partnerId: partner.id,
        role: body.role,
        motion: body.motion,
        touchedAt: body.touchedAt === undefined ? now : new Date(body.touchedAt),
        share: body.share ?? null,
        taggedBy: context.actor,
        source: 'hubspot_card',
        registrationStatus: conflicts.length > 0 ? 'pending' : 'approved',
        registrationExpiresAt: new Date(
          `${addDays(context.asOf, program.registration.expiryDays)}T00:00:00Z`,
        ),
        idempotencyKey: body.idempotencyKey,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (tag === undefined) throw new Error('tag insert returned no row');
    await audit(tx, {
      installationId,
      actor: context.actor,
      action: 'partner_tag.created',
      deal,
      tagId,
      before: null,
      after: auditable(tag),
    });
    const what = `Tagged ${partner.name} as ${body.role} (${motionLabels[body.motion]})`;
    return {
      tag,
      partner,
      outcome: outcomeOf(tag),
      message:
        conflicts.length === 0
          ? `${what}.`
          : `${what}; pending review by a partner manager: ${conflicts.map((c) => c.reason).join(' ')}`,
      conflicts,
      changed: true,
    };
  });
}

function findTagOrThrow(
  context: MutationContext,
  tagId: string,
): { tag: TagRow; partner: PartnerRow } {
  const found = context.tags.find(({ tag }) => tag.id === tagId);
  if (found === undefined) throw new NotFoundError(`tag ${tagId} is not on this deal`);
  return found;
}

/** PATCH /api/v1/deals/:hubspotDealId/tags/:tagId */
export function updateTag(
  deps: Deps,
  caller: CardCaller,
  hubspotDealId: string,
  tagId: string,
  body: UpdateTagBody,
): Promise<TagMutationResponse> {
  return mutateDealTags(deps, caller, hubspotDealId, 'partner_tag_changed', async (tx, context) => {
    const { tag: before, partner } = findTagOrThrow(context, tagId);
    if (body.share !== undefined) {
      checkShares(
        context.tags.filter(({ tag }) => tag.id !== tagId).map(({ tag }) => tag),
        body.share,
      );
    }
    const [tag] = await tx
      .update(partnerTags)
      .set({
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.motion === undefined ? {} : { motion: body.motion }),
        ...(body.touchedAt === undefined ? {} : { touchedAt: new Date(body.touchedAt) }),
        ...(body.share === undefined ? {} : { share: body.share }),
        updatedAt: context.now,
      })
      .where(and(eq(partnerTags.installationId, context.installationId), eq(partnerTags.id, tagId)))
      .returning();
    if (tag === undefined) throw new Error('tag update returned no row');
    await audit(tx, {
      installationId: context.installationId,
      actor: context.actor,
      action: 'partner_tag.changed',
      deal: context.deal,
      tagId,
      before: auditable(before),
      after: auditable(tag),
    });
    return {
      tag,
      partner,
      outcome: outcomeOf(tag),
      message: `Updated ${partner.name}'s tag: ${tag.role}, ${motionLabels[tag.motion]}${tag.share === null ? '' : `, share ${tag.share}`}.`,
      conflicts: [],
      changed: true,
    };
  });
}

/**
 * DELETE /api/v1/deals/:hubspotDealId/tags/:tagId. Idempotent: removing a removed tag answers
 * with it (and the current effect) and changes nothing.
 */
export function removeTag(
  deps: Deps,
  caller: CardCaller,
  hubspotDealId: string,
  tagId: string,
): Promise<TagMutationResponse> {
  return mutateDealTags(deps, caller, hubspotDealId, 'partner_tag_removed', async (tx, context) => {
    const [row] = await tx
      .select({ tag: partnerTags, partner: partners })
      .from(partnerTags)
      .innerJoin(
        partners,
        and(
          eq(partners.installationId, partnerTags.installationId),
          eq(partners.id, partnerTags.partnerId),
        ),
      )
      .where(
        and(
          eq(partnerTags.installationId, context.installationId),
          eq(partnerTags.dealId, context.deal.id),
          eq(partnerTags.id, tagId),
        ),
      );
    if (row === undefined) throw new NotFoundError(`tag ${tagId} is not on this deal`);
    if (row.tag.removedAt !== null) {
      return {
        ...row,
        outcome: 'removed',
        message: `${row.partner.name}'s tag was already removed.`,
        conflicts: [],
        changed: false,
      };
    }
    const [tag] = await tx
      .update(partnerTags)
      .set({ removedAt: context.now, updatedAt: context.now })
      .where(
        and(
          eq(partnerTags.installationId, context.installationId),
          eq(partnerTags.id, tagId),
          isNull(partnerTags.removedAt),
        ),
      )
      .returning();
    if (tag === undefined) throw new Error('tag removal returned no row');
    await audit(tx, {
      installationId: context.installationId,
      actor: context.actor,
      action: 'partner_tag.removed',
      deal: context.deal,
      tagId,
      before: auditable(row.tag),
      after: auditable(tag),
    });
    return {
      tag,
      partner: row.partner,
      outcome: 'removed',
      message: `Removed ${row.partner.name} from this deal.`,
      conflicts: [],
      changed: true,
    };
  });
}

/** POST /api/v1/deals/:hubspotDealId/tags/:tagId/registration (partner managers). */
export async function decideRegistration(
  deps: Deps,
  caller: CardCaller,
  hubspotDealId: string,
  tagId: string,
  body: RegistrationDecisionBody,
): Promise<TagMutationResponse> {
  await requirePartnerManager(deps.db, caller.installation, caller.hubspot);
  return mutateDealTags(
    deps,
    caller,
    hubspotDealId,
    'registration_decided',
    async (tx, context) => {
      const { tag: before, partner } = findTagOrThrow(context, tagId);
      const status = body.decision === 'approve' ? 'approved' : 'rejected';
      const verdict =
        status === 'approved'
          ? `Approved ${partner.name}'s registration: its tag now counts.`
          : `Rejected ${partner.name}'s registration: its tag earns nothing on this deal.`;
      if (before.registrationStatus === status && before.decisionNote === (body.note ?? null)) {
        return {
          tag: before,
          partner,
          outcome: outcomeOf(before),
          message: verdict,
          conflicts: [],
          changed: false,
        };
      }
      const [tag] = await tx
        .update(partnerTags)
        .set({
          registrationStatus: status,
          decidedBy: context.actor,
          decidedAt: context.now,
          decisionNote: body.note ?? null,
          updatedAt: context.now,
        })
        .where(
          and(eq(partnerTags.installationId, context.installationId), eq(partnerTags.id, tagId)),
        )
        .returning();
      if (tag === undefined) throw new Error('registration decision returned no row');
      await audit(tx, {
        installationId: context.installationId,
        actor: context.actor,
        action: `registration.${status}`,
        deal: context.deal,
        tagId,
        before: auditable(before),
        after: { ...auditable(tag), note: tag.decisionNote },
      });
      return {
        tag,
        partner,
        outcome: outcomeOf(tag),
        message: verdict,
        conflicts: [],
        changed: true,
      };
    },
  );
}
