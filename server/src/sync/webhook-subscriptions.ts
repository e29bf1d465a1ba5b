// The webhook subscriptions the sync needs (what the app's webhooks-hsmeta.json declares):
// creations, deletions, merges, deal associations and the mapped properties of deals and companies.

const dealProperties = [
  'dealname',
  'amount',
  'deal_currency_code',
  'dealstage',
  'closedate',
  'dealtype',
  'pb_partner_company_id',
  'pb_partner_role',
  'pb_partner_motion',
] as const;

const companyProperties = [
  'name',
  'domain',
  'country',
  'pb_is_partner',
  'pb_partner_type',
  'pb_partner_subtype',
  'pb_certified_salespeople',
  'pb_training_level',
  'pb_agreement_signed',
  'pb_partner_since',
] as const;

type Subscription = {
  subscriptionType:
    | 'object.creation'
    | 'object.deletion'
    | 'object.merge'
    | 'object.propertyChange'
    | 'object.associationChange';
  objectType: 'deal' | 'company';
  propertyName?: string;
  active: boolean;
};

export const sandboxWebhookSubscriptions: Subscription[] = (['deal', 'company'] as const).flatMap(
  (objectType): Subscription[] => [
    { subscriptionType: 'object.creation', objectType, active: true },
    { subscriptionType: 'object.deletion', objectType, active: true },
    { subscriptionType: 'object.merge', objectType, active: true },
    // Partner labels on deal → company associations are partner tags.
    ...(objectType === 'deal'
      ? [{ subscriptionType: 'object.associationChange' as const, objectType, active: true }]
      : []),
    ...(objectType === 'deal' ? dealProperties : companyProperties).map(
      (propertyName): Subscription => ({
        subscriptionType: 'object.propertyChange',
        objectType,
        propertyName,
        active: true,
      }),
    ),
  ],
);
