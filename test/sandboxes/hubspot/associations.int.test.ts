import { AssociationTypes } from '@hubspot/api-client';
import { hubspotPartnerAssociationLabels } from '@partnerbridge/shared/crm-fields';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as never;
const USER_DEFINED = 'USER_DEFINED' as never;

describe('HubSpot sandbox: associations v4', () => {
  let sandbox: ContractSandbox;
  let portalId: number;
  let accessToken: string;
  let sourcedTypeId: number;

  beforeAll(async () => {
    sandbox = await startContractSandbox();
    portalId = sandbox.control.createPortal();
    sandbox.control.installPartnerbridge(portalId);
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
    const labels = await sdkClient(
      sandbox.url,
      accessToken,
    ).crm.associations.v4.schema.definitionsApi.getAll('deals', 'companies');
    const sourced = labels.results.find(
      (entry) => entry.label === hubspotPartnerAssociationLabels[0].label,
    );
    sourcedTypeId = sourced?.typeId ?? -1;
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const v4 = () => sdkClient(sandbox.url, accessToken).crm.associations.v4;
  const newDeal = (name: string) =>
    sandbox.control.userCreate(portalId, 'deal', { dealname: name }).id;
  const newCompany = (name: string) => sandbox.control.userCreate(portalId, 'company', { name }).id;

  it("lists the deal → company types: HubSpot's primary (5) and unlabeled (341), and our labels", async () => {
    const labels = await v4().schema.definitionsApi.getAll('deals', 'companies');
    expect(labels.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          category: 'HUBSPOT_DEFINED',
          typeId: AssociationTypes.primaryDealToCompany,
        }),
        expect.objectContaining({
          category: 'HUBSPOT_DEFINED',
          typeId: AssociationTypes.dealToCompany,
        }),
        expect.objectContaining({ category: 'USER_DEFINED', label: 'Sourced partner' }),
        expect.objectContaining({ category: 'USER_DEFINED', label: 'Influencing partner' }),
      ]),
    );
    const reverse = await v4().schema.definitionsApi.getAll('companies', 'deals');
    expect(reverse.results.map((entry) => entry.typeId)).toEqual(
      expect.arrayContaining([
        AssociationTypes.primaryCompanyToDeal,
        AssociationTypes.companyToDeal,
      ]),
    );
  });

  it('creates a label with one type id per direction; a taken name is refused', async () => {
    const created = await v4().schema.definitionsApi.create('deals', 'companies', {
      name: 'pb_referral_partner',
      label: 'Referral partner',
    });
    expect(created.results).toHaveLength(2);
    expect(created.results.every((entry) => entry.category === 'USER_DEFINED')).toBe(true);
    expect(new Set(created.results.map((entry) => entry.typeId)).size).toBe(2);
    const again = await apiFailure(
      v4().schema.definitionsApi.create('deals', 'companies', {
        name: 'pb_referral_partner',
        label: 'Again',
      }),
    );
    expect(again.code).toBe(409);
  });

  it('creates labelled associations in a batch (201); the unlabeled type comes along', async () => {
    const deal = newDeal('Labelled');
    const partner = newCompany('Partner Co');
    const response = await v4().batchApi.createWithHttpInfo('deals', 'companies', {
      inputs: [
        {
          _from: { id: deal },
          to: { id: partner },
          types: [{ associationCategory: USER_DEFINED, associationTypeId: sourcedTypeId }],
        },
      ],
    });
    expect(response.httpStatusCode).toBe(201);
    expect(response.data.results[0]).toMatchObject({
      fromObjectTypeId: '0-3',
      fromObjectId: deal,
      toObjectTypeId: '0-2',
      toObjectId: partner,
      labels: ['Sourced partner'],
    });
    const page = await v4().basicApi.getPage('deals', deal, 'companies');
    expect(page.results).toHaveLength(1);
    expect(
      page.results[0]?.associationTypes.map((type) => [type.category, type.typeId]).sort(),
    ).toEqual(
      [
        ['HUBSPOT_DEFINED', AssociationTypes.dealToCompany],
        ['USER_DEFINED', sourcedTypeId],
      ].sort(),
    );
    const fromCompany = await v4().basicApi.getPage('companies', partner, 'deals');
    expect(fromCompany.results[0]?.toObjectId).toBe(deal);
    expect(fromCompany.results[0]?.associationTypes.map((type) => type.typeId)).toContain(
      AssociationTypes.companyToDeal,
    );
  });

  it('keeps one primary company per deal: a new primary replaces the old one', async () => {
    const deal = newDeal('Primary moves');
    const first = newCompany('First customer');
    const second = newCompany('Second customer');
    const primary = [
      {
        associationCategory: HUBSPOT_DEFINED,
        associationTypeId: AssociationTypes.primaryDealToCompany,
      },
    ];
    await v4().basicApi.create('deals', deal, 'companies', first, primary);
    const labelled = await v4().basicApi.create('deals', deal, 'companies', second, primary);
    expect(labelled).toMatchObject({ fromObjectId: deal, toObjectId: second });
    const page = await v4().basicApi.getPage('deals', deal, 'companies');
    const typesOf = (company: string) =>
      page.results
        .find((entry) => entry.toObjectId === company)
        ?.associationTypes.map((type) => type.typeId)
        .sort();
    expect(typesOf(first)).toEqual([AssociationTypes.dealToCompany]);
    expect(typesOf(second)).toEqual(
      [AssociationTypes.primaryDealToCompany, AssociationTypes.dealToCompany].sort(),
    );
  });

  it('reads associations in a batch with 207 for ids that have none', async () => {
    const deal = newDeal('Read me');
    const lonely = newDeal('No companies');
    await v4().basicApi.createDefault('deals', deal, 'companies', newCompany('Default'));
    const response = await v4().batchApi.getPageWithHttpInfo('deals', 'companies', {
      inputs: [{ id: deal }, { id: lonely }],
    });
    expect(response.httpStatusCode).toBe(207);
    expect(response.data.results.map((entry) => entry._from.id)).toEqual([deal]);
    expect(response.data.results[0]?.to[0]?.associationTypes).toEqual([
      expect.objectContaining({
        category: 'HUBSPOT_DEFINED',
        typeId: AssociationTypes.dealToCompany,
      }),
    ]);
    expect((response.data as { errors?: { category: string }[] }).errors?.[0]?.category).toBe(
      'OBJECT_NOT_FOUND',
    );
  });

  it('removes a label only, or the whole association', async () => {
    const deal = newDeal('Unlabel me');
    const partner = newCompany('Unlabelled partner');
    await v4().basicApi.create('deals', deal, 'companies', partner, [
      { associationCategory: USER_DEFINED, associationTypeId: sourcedTypeId },
    ]);
    await v4().batchApi.archiveLabels('deals', 'companies', {
      inputs: [
        {
          _from: { id: deal },
          to: { id: partner },
          types: [{ associationCategory: USER_DEFINED, associationTypeId: sourcedTypeId }],
        },
      ],
    });
    const after = await v4().basicApi.getPage('deals', deal, 'companies');
    expect(after.results[0]?.associationTypes.map((type) => type.typeId)).toEqual([
      AssociationTypes.dealToCompany,
    ]);
    const archived = await v4().batchApi.archiveWithHttpInfo('deals', 'companies', {
      inputs: [{ _from: { id: deal }, to: [{ id: partner }] }],
    });
    expect(archived.httpStatusCode).toBe(204);
    expect((await v4().basicApi.getPage('deals', deal, 'companies')).results).toEqual([]);
  });

  it('reports missing records per input (207) and refuses unknown type ids (400)', async () => {
    const deal = newDeal('Half missing');
    const company = newCompany('Present');
    const response = await v4().batchApi.createWithHttpInfo('deals', 'companies', {
      inputs: [
        {
          _from: { id: deal },
          to: { id: company },
          types: [
            {
              associationCategory: HUBSPOT_DEFINED,
              associationTypeId: AssociationTypes.dealToCompany,
            },
          ],
        },
        {
          _from: { id: deal },
          to: { id: '19999999999999' },
          types: [
            {
              associationCategory: HUBSPOT_DEFINED,
              associationTypeId: AssociationTypes.dealToCompany,
            },
          ],
        },
      ],
    });
    expect(response.httpStatusCode).toBe(207);
    expect(response.data.results).toHaveLength(1);
    const unknown = await apiFailure(
      v4().basicApi.create('deals', deal, 'companies', company, [
        { associationCategory: USER_DEFINED, associationTypeId: 9999 },
      ]),
    );
    expect(unknown.code).toBe(400);
    expect(unknown.body.category).toBe('VALIDATION_ERROR');
  });

  it('removes a deleted label from every association that had it', async () => {
    const created = await v4().schema.definitionsApi.create('deals', 'companies', {
      name: 'pb_short_lived',
      label: 'Short lived',
    });
    const typeId = created.results.find((entry) => entry.label === 'Short lived')?.typeId ?? -1;
    const deal = newDeal('Short lived label');
    const company = newCompany('Short lived partner');
    await v4().basicApi.create('deals', deal, 'companies', company, [
      { associationCategory: USER_DEFINED, associationTypeId: typeId },
    ]);
    await v4().schema.definitionsApi.remove('deals', 'companies', typeId);
    const page = await v4().basicApi.getPage('deals', deal, 'companies');
    expect(page.results[0]?.associationTypes.map((type) => type.typeId)).toEqual([
      AssociationTypes.dealToCompany,
    ]);
  });
});
