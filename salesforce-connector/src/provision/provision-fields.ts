import { z } from 'zod';
import { restRequest, type SalesforceContext } from '../api/api-calls.ts';
import { SalesforceError } from '../errors.ts';
import { customFieldMetadata, describeTypesFor, provisionedObjects } from './field-metadata.ts';

// Install-time provisioning: describe Account and Opportunity (one call each), then create only
// the PB_ fields that are missing through the Tooling API (`POST /tooling/sobjects/CustomField`,
// one call per field). Running it again creates nothing. Field-level security is NOT granted
// here: in a real org an admin assigns the Partnerbridge_Integration permission set (SFDX source
// in force-app/) to the integration user; see docs/salesforce-connector.md.

const describeSchema = z.looseObject({
  fields: z.array(
    z.looseObject({
      name: z.string(),
      type: z.string(),
      externalId: z.boolean().optional(),
      unique: z.boolean().optional(),
    }),
  ),
});

export type ProvisionReport = {
  /** `Object.Field__c` created by this run. */
  readonly created: readonly string[];
  /** Already there with a compatible definition. */
  readonly existing: readonly string[];
  /** Already there but defined differently (type, external id, unique): fix by hand. */
  readonly incompatible: readonly { readonly field: string; readonly reason: string }[];
  readonly failed: readonly {
    readonly field: string;
    readonly reason: string;
    readonly error: SalesforceError;
  }[];
  /** Every field each object has after the run (feed `narrowToOrg`). */
  readonly availableFields: Readonly<Record<'Account' | 'Opportunity', readonly string[]>>;
};

/** Creates the missing Partnerbridge fields; throws only when the org cannot be used at all. */
export async function provisionPartnerbridgeFields(
  context: SalesforceContext,
): Promise<ProvisionReport> {
  const created: string[] = [];
  const existing: string[] = [];
  const incompatible: { field: string; reason: string }[] = [];
  const failed: { field: string; reason: string; error: SalesforceError }[] = [];
  const availableFields: Record<'Account' | 'Opportunity', string[]> = {
    Account: [],
    Opportunity: [],
  };

  for (const { sobject, fields } of provisionedObjects) {
    const describe = describeSchema.parse(
      await restRequest<unknown>(context, 'describe', 'GET', `/sobjects/${sobject}/describe`),
    );
    const present = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
    availableFields[sobject].push(...describe.fields.map((f) => f.name));
    for (const definition of fields) {
      const qualified = `${sobject}.${definition.name}`;
      const found = present.get(definition.name.toLowerCase());
      if (found !== undefined) {
        const problems: string[] = [];
        if (!describeTypesFor(definition.type).includes(found.type)) {
          problems.push(`is ${found.type}, expected ${definition.type}`);
        }
        if ('externalId' in definition && definition.externalId && found.externalId !== true) {
          problems.push('is not an external id');
        }
        if ('unique' in definition && definition.unique && found.unique !== true) {
          problems.push('is not unique');
        }
        if (problems.length > 0)
          incompatible.push({ field: qualified, reason: problems.join('; ') });
        else existing.push(qualified);
        continue;
      }
      try {
        await restRequest(context, 'tooling', 'POST', '/tooling/sobjects/CustomField', {
          FullName: qualified,
          Metadata: customFieldMetadata(definition),
        });
        created.push(qualified);
        availableFields[sobject].push(definition.name);
      } catch (error) {
        if (!(error instanceof SalesforceError)) throw error;
        // Created meanwhile by another run: the goal is reached.
        if (error.errorCode === 'DUPLICATE_DEVELOPER_NAME') {
          existing.push(qualified);
          availableFields[sobject].push(definition.name);
          continue;
        }
        if (error.code === 'auth_expired' || error.code === 'rate_limited') throw error;
        failed.push({ field: qualified, reason: error.message, error });
      }
    }
  }
  return { created, existing, incompatible, failed, availableFields };
}
