import type { ObjectTypeName } from './object-types.ts';

// Deal ↔ company associations of one portal. Every association type is a pair of type ids, one
// per direction: HubSpot's defined ones (5/6 primary, 341/342 unlabeled) and the labels users or
// apps create. Edges are stored from the deal's side; the company side is derived.

export const associationCategories = [
  'HUBSPOT_DEFINED',
  'USER_DEFINED',
  'INTEGRATOR_DEFINED',
] as const;
export type AssociationCategory = (typeof associationCategories)[number];

/** deal → company, primary ("Deal with Primary Company"). */
export const DEAL_TO_COMPANY_PRIMARY = 5;
/** company → deal, primary. */
export const COMPANY_TO_DEAL_PRIMARY = 6;
/** deal → company, unlabeled (present whenever any association exists). */
export const DEAL_TO_COMPANY = 341;
/** company → deal, unlabeled. */
export const COMPANY_TO_DEAL = 342;

export type AssociationDefinition = {
  category: AssociationCategory;
  /** Type id in the deal → company direction. */
  dealToCompany: number;
  /** Type id in the company → deal direction. */
  companyToDeal: number;
  /** Internal name (labels created through the API have one; HubSpot's own types use theirs). */
  name: string;
  label: string | undefined;
  inverseLabel: string | undefined;
};

export type AssociationSide = {
  typeId: number;
  category: AssociationCategory;
  label: string | undefined;
  name: string;
  definition: AssociationDefinition;
};

export class AssociationStore {
  readonly definitions: AssociationDefinition[] = [
    {
      category: 'HUBSPOT_DEFINED',
      dealToCompany: DEAL_TO_COMPANY_PRIMARY,
      companyToDeal: COMPANY_TO_DEAL_PRIMARY,
      name: 'deal_to_company',
      label: 'Deal with Primary Company',
      inverseLabel: undefined,
    },
    {
      category: 'HUBSPOT_DEFINED',
      dealToCompany: DEAL_TO_COMPANY,
      companyToDeal: COMPANY_TO_DEAL,
      name: 'deal_to_company_unlabeled',
      label: undefined,
      inverseLabel: undefined,
    },
  ];
  private nextUserTypeId = 1;
  /** dealId → companyId → deal → company type ids. */
  private readonly byDeal = new Map<string, Map<string, Set<number>>>();
  /** companyId → dealIds. */
  private readonly byCompany = new Map<string, Set<string>>();

  /** The definition of a type id seen from `from`'s side. */
  definitionFor(from: ObjectTypeName, typeId: number): AssociationDefinition | undefined {
    return this.definitions.find((definition) =>
      from === 'deal' ? definition.dealToCompany === typeId : definition.companyToDeal === typeId,
    );
  }

  /** The type ids and labels of one definition seen from `from`'s side. */
  side(from: ObjectTypeName, definition: AssociationDefinition): AssociationSide {
    const isDeal = from === 'deal';
    const label = isDeal ? definition.label : (definition.inverseLabel ?? definition.label);
    const name =
      isDeal || definition.category !== 'HUBSPOT_DEFINED'
        ? definition.name
        : definition.name.replace('deal_to_company', 'company_to_deal');
    return {
      typeId: isDeal ? definition.dealToCompany : definition.companyToDeal,
      category: definition.category,
      label: definition.category === 'HUBSPOT_DEFINED' && !isDeal ? undefined : label,
      name,
      definition,
    };
  }

  createLabel(input: {
    name: string;
    label: string;
    inverseLabel?: string | undefined;
    category?: AssociationCategory;
  }): AssociationDefinition {
    const definition: AssociationDefinition = {
      category: input.category ?? 'USER_DEFINED',
      dealToCompany: this.nextUserTypeId,
      companyToDeal: this.nextUserTypeId + 1,
      name: input.name,
      label: input.label,
      inverseLabel: input.inverseLabel,
    };
    this.nextUserTypeId += 2;
    this.definitions.push(definition);
    return definition;
  }

  removeDefinition(definition: AssociationDefinition): void {
    const index = this.definitions.indexOf(definition);
    if (index >= 0) this.definitions.splice(index, 1);
  }

  /** deal → company type ids between a deal and a company. */
  typesBetween(dealId: string, companyId: string): ReadonlySet<number> {
    return this.byDeal.get(dealId)?.get(companyId) ?? new Set<number>();
  }

  /** Adds deal → company type ids; returns the ones that were not there yet. */
  add(dealId: string, companyId: string, dealToCompanyTypeIds: readonly number[]): number[] {
    let companies = this.byDeal.get(dealId);
    if (companies === undefined) {
      companies = new Map();
      this.byDeal.set(dealId, companies);
    }
    let types = companies.get(companyId);
    if (types === undefined) {
      types = new Set();
      companies.set(companyId, types);
    }
    let deals = this.byCompany.get(companyId);
    if (deals === undefined) {
      deals = new Set();
      this.byCompany.set(companyId, deals);
    }
    deals.add(dealId);
    const added: number[] = [];
    for (const typeId of dealToCompanyTypeIds) {
      if (!types.has(typeId)) {
        types.add(typeId);
        added.push(typeId);
      }
    }
    return added;
  }

  /** Removes deal → company type ids (all of them when `typeIds` is 'all'); returns the removed ones. */
  remove(dealId: string, companyId: string, typeIds: readonly number[] | 'all'): number[] {
    const companies = this.byDeal.get(dealId);
    const types = companies?.get(companyId);
    if (companies === undefined || types === undefined) return [];
    const removed = typeIds === 'all' ? [...types] : typeIds.filter((typeId) => types.has(typeId));
    for (const typeId of removed) types.delete(typeId);
    if (types.size === 0) {
      companies.delete(companyId);
      if (companies.size === 0) this.byDeal.delete(dealId);
      const deals = this.byCompany.get(companyId);
      deals?.delete(dealId);
      if (deals?.size === 0) this.byCompany.delete(companyId);
    }
    return removed;
  }

  /** The other records associated with `id`, each with its type ids seen from `from`'s side. */
  associatedWith(from: ObjectTypeName, id: string): { otherId: string; typeIds: number[] }[] {
    if (from === 'deal') {
      const companies = this.byDeal.get(id);
      if (companies === undefined) return [];
      return [...companies].map(([companyId, types]) => ({
        otherId: companyId,
        typeIds: [...types],
      }));
    }
    const deals = this.byCompany.get(id);
    if (deals === undefined) return [];
    return [...deals].map((dealId) => ({
      otherId: dealId,
      typeIds: [...this.typesBetween(dealId, id)].map(
        (typeId) => this.definitionFor('deal', typeId)?.companyToDeal ?? typeId,
      ),
    }));
  }

  /** Every (deal, company) pair with a given deal → company type id. */
  pairsWithType(dealToCompanyTypeId: number): { dealId: string; companyId: string }[] {
    const pairs: { dealId: string; companyId: string }[] = [];
    for (const [dealId, companies] of this.byDeal) {
      for (const [companyId, types] of companies) {
        if (types.has(dealToCompanyTypeId)) pairs.push({ dealId, companyId });
      }
    }
    return pairs;
  }
}
