import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_SUPPORTED_PLATFORM_VERSION } from '@hubspot/project-parsing-lib/projects';
import { hubspotCompanyProperties, hubspotDealProperties } from '@partnerbridge/shared/crm-fields';
import { defaultMappingDocument, reservedFields } from '@partnerbridge/shared/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HUBSPOT_SCOPES } from '../../server/src/config.ts';
import { hubspotRedirectPath } from '../../server/src/installs/hubspot-install.ts';
import { hubspotWebhooksRoute } from '../../server/src/routes/sync/hubspot-webhooks.route.ts';
import { sandboxWebhookSubscriptions } from '../../server/src/sync/webhook-subscriptions.ts';
import { webhookTargetSchema } from '../sandboxes/hubspot/webhooks.ts';
import { checkExtensionSources, checkProject, type ProjectNode } from './project-checks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectDir = path.join(root, 'hubspot-app');
const srcDir = path.join(projectDir, 'src');

const report = await checkProject(projectDir);

function nodeOf(uid: string, profile = 'production'): ProjectNode {
  const node = report.profiles.get(profile)?.nodes.get(uid);
  if (node === undefined) throw new Error(`no component ${uid} in profile ${profile}`);
  return node;
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the project (without node_modules) to break on purpose. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-hubspot-app-'));
  temporary.push(dir);
  cpSync(projectDir, dir, {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  });
  return dir;
}

describe('the HubSpot project, as HubSpot reads it', () => {
  it('passes the structural checks: layout, uids, component types, top-level fields, packages', () => {
    expect(report.problems).toEqual([]);
  });

  it('is on the newest platform version the parser supports', () => {
    expect(report.platformVersion).toBe('2026.03');
    expect(report.platformVersion).toBe(LATEST_SUPPORTED_PLATFORM_VERSION);
  });

  it('has exactly the app, two cards, the settings page and the webhooks', () => {
    const nodes = report.profiles.get('production')?.nodes ?? new Map();
    expect(
      [...nodes.values()].map((node) => [node.uid, node.componentType, node.metaFilePath]).sort(),
    ).toEqual([
      ['deal_partners_card', 'CARD', 'app/cards/deal-partners-card-hsmeta.json'],
      ['partner_tier_card', 'CARD', 'app/cards/partner-tier-card-hsmeta.json'],
      ['partnerbridge_app', 'APPLICATION', 'app/app-hsmeta.json'],
      ['partnerbridge_settings', 'SETTINGS', 'app/settings/settings-hsmeta.json'],
      ['partnerbridge_webhooks', 'WEBHOOKS', 'app/webhooks/webhooks-hsmeta.json'],
    ]);
  });

  it('puts the cards on record tabs of deals and companies, with entrypoints that exist', () => {
    const deal = nodeOf('deal_partners_card').config;
    const tier = nodeOf('partner_tier_card').config;
    expect(deal).toMatchObject({
      location: 'crm.record.tab',
      objectTypes: ['deals'],
      entrypoint: '/app/cards/DealPartnersCard.tsx',
    });
    expect(tier).toMatchObject({
      location: 'crm.record.tab',
      objectTypes: ['companies'],
      entrypoint: '/app/cards/PartnerTierCard.tsx',
    });
    const settings = nodeOf('partnerbridge_settings').config;
    expect(settings).toEqual({ entrypoint: '/app/settings/SettingsPage.tsx' });
    for (const config of [deal, tier, settings]) {
      expect(readdirSync(path.dirname(path.join(srcDir, String(config.entrypoint))))).toContain(
        path.basename(String(config.entrypoint)),
      );
    }
  });
});

describe('the API origin, from the deploy profile only', () => {
  for (const [profile, { variables }] of report.profiles) {
    describe(`profile ${profile}`, () => {
      const origin = String(variables.API_ORIGIN);

      it('names an https origin (no path: hubspot.fetch and local.json work on origins)', () => {
        expect(origin).toMatch(/^https:\/\/[a-z0-9.-]+(:\d+)?$/);
      });

      it('is the one origin the app may fetch, and its OAuth redirect is the server install callback', () => {
        const app = nodeOf('partnerbridge_app', profile).config as {
          permittedUrls: { fetch: string[] };
          auth: { redirectUrls: string[] };
        };
        expect(app.permittedUrls.fetch).toEqual([origin]);
        expect(app.auth.redirectUrls).toEqual([`${origin}${hubspotRedirectPath}`]);
      });

      it("sends the webhooks to the server's intake route", () => {
        const webhooks = nodeOf('partnerbridge_webhooks', profile).config as {
          settings: { targetUrl: string };
        };
        expect(webhooks.settings.targetUrl).toBe(`${origin}${hubspotWebhooksRoute.path}`);
      });
    });
  }

  it('appears literally nowhere in the hsmeta files', () => {
    const production = String(report.profiles.get('production')?.variables.API_ORIGIN);
    for (const file of ['app/app-hsmeta.json', 'app/webhooks/webhooks-hsmeta.json']) {
      const text = readFileSync(path.join(srcDir, file), 'utf8');
      expect(text).not.toContain(production);
      expect(text).toContain(['$', '{API_ORIGIN}'].join(''));
    }
  });
});

describe('the app component', () => {
  const app = nodeOf('partnerbridge_app').config as {
    name: string;
    description: string;
    distribution: string;
    auth: { type: string; requiredScopes: string[]; optionalScopes: string[] };
  };

  it('is an OAuth marketplace app', () => {
    expect(app.distribution).toBe('marketplace');
    expect(app.auth.type).toBe('oauth');
    expect(app.name).toBe(app.name.trim());
    expect(app.name.length).toBeLessThanOrEqual(200);
    expect(app.description.length).toBeLessThanOrEqual(8192);
  });

  it('requires exactly the scopes the server asks for when it is installed', () => {
    expect(app.auth.requiredScopes).toEqual([...DEFAULT_HUBSPOT_SCOPES]);
    expect(app.auth.optionalScopes).toEqual([]);
  });
});

describe('the webhook subscriptions', () => {
  const config = nodeOf('partnerbridge_webhooks').config as {
    settings: { targetUrl: string; maxConcurrentRequests: number };
    subscriptions: {
      crmObjects: {
        subscriptionType: string;
        objectType: string;
        propertyName?: string;
        active: boolean;
      }[];
    };
  };
  const subscriptions = config.subscriptions.crmObjects;
  const properties = (objectType: string) =>
    subscriptions
      .filter((s) => s.objectType === objectType && s.subscriptionType === 'object.propertyChange')
      .map((s) => s.propertyName);
  const mapped = (kinds: string[]) =>
    defaultMappingDocument()
      .objects.filter((object) => kinds.includes(object.kind))
      .flatMap((object) => object.fields.map((field) => field.hubspot));

  it('are what the HubSpot sandbox accepts as an app webhook configuration, all active', () => {
    expect(() =>
      webhookTargetSchema.parse({
        targetUrl: config.settings.targetUrl,
        subscriptions,
        maxConcurrentRequests: config.settings.maxConcurrentRequests,
      }),
    ).not.toThrow();
    expect(subscriptions.every((s) => s.active)).toBe(true);
  });

  it('cover creation, deletion, merges and association changes of deals and companies', () => {
    for (const objectType of ['deal', 'company']) {
      const types = subscriptions
        .filter((s) => s.objectType === objectType)
        .map((s) => s.subscriptionType);
      expect(types).toEqual(
        expect.arrayContaining([
          'object.creation',
          'object.deletion',
          'object.merge',
          'object.associationChange',
        ]),
      );
    }
  });

  it('watch every property the default sync mapping reads, and the partner flag', () => {
    expect(properties('deal')).toEqual(expect.arrayContaining(mapped(['deal'])));
    expect(properties('company')).toEqual(
      expect.arrayContaining([...mapped(['partner', 'customer']), 'pb_is_partner']),
    );
  });

  it('include every subscription the sync engine gives the sandbox in sandbox mode', () => {
    const key = (s: { subscriptionType: string; objectType: string; propertyName?: string }) =>
      `${s.objectType} ${s.subscriptionType} ${s.propertyName ?? ''}`.trim();
    expect(subscriptions.map(key)).toEqual(
      expect.arrayContaining(sandboxWebhookSubscriptions.map(key)),
    );
  });

  it('watch only real properties, never the ones Partnerbridge writes itself', () => {
    const known = new Set([
      ...mapped(['deal', 'partner', 'customer']),
      ...hubspotDealProperties.map((p) => p.name),
      ...hubspotCompanyProperties.map((p) => p.name),
      // The projection reads the pipeline of a deal to place its stage.
      'pipeline',
    ]);
    const all = [...properties('deal'), ...properties('company')];
    expect(all.filter((name) => !known.has(name ?? ''))).toEqual([]);
    expect(all.filter((name) => reservedFields.hubspot.includes(name ?? ''))).toEqual([]);
    expect(new Set(all.map((name, i) => `${subscriptions[i]?.objectType}:${name}`)).size).toBe(
      all.length,
    );
  });
});

describe('the extension packages HubSpot builds', () => {
  for (const name of ['cards', 'settings']) {
    it(`${name}: pins @hubspot/ui-extensions 0.17.0 and React 18.3.1, nothing from the workspace`, () => {
      const manifest = JSON.parse(
        readFileSync(path.join(srcDir, 'app', name, 'package.json'), 'utf8'),
      ) as {
        type: string;
        dependencies: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      expect(manifest.type).toBe('module');
      expect(manifest.dependencies).toEqual({
        '@hubspot/ui-extensions': '0.17.0',
        react: '18.3.1',
        zod: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      });
      expect(Object.keys(manifest.devDependencies ?? {})).toEqual(['@types/react']);
    });
  }
});

describe('the extension sources', () => {
  it('import only their own package and declared dependencies, and use only what the worker offers', () => {
    expect(checkExtensionSources(srcDir)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('catch code the worker cannot run and imports that leave the package', () => {
    const copy = projectCopy();
    writeFileSync(
      path.join(copy, 'src/app/cards/Bad.tsx'),
      [
        "import { thing } from '../../../../shared/src/index.ts';",
        "import { other } from '@partnerbridge/shared/api';",
        'export const Bad = () => <div style={{}}>{String(window.location)}</div>;',
        "console.log(thing, other, fetch('https://x'));",
      ].join('\n'),
    );
    expect(checkExtensionSources(path.join(copy, 'src'))).toEqual([
      'app/cards/Bad.tsx imports ../../../../shared/src/index.ts, outside app/cards',
      'app/cards/Bad.tsx imports @partnerbridge/shared/api, not a dependency of app/cards',
      'app/cards/Bad.tsx uses window (cards run in a worker without it)',
      'app/cards/Bad.tsx uses console (use the SDK logger)',
      'app/cards/Bad.tsx uses fetch (only hubspot.fetch reaches the network)',
      'app/cards/Bad.tsx uses an HTML element (only SDK components render)',
      'app/cards/Bad.tsx uses a style prop (not supported)',
    ]);
  });

  it('catch a stray top-level field, a bad uid and a duplicate uid', async () => {
    const copy = projectCopy();
    const file = path.join(copy, 'src/app/cards/partner-tier-card-hsmeta.json');
    const meta = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...meta, uid: 'deal_partners_card', label: 'x' }));
    writeFileSync(
      path.join(copy, 'src/app/cards/bad-hsmeta.json'),
      JSON.stringify({ uid: 'not ok!', type: 'card', config: {} }),
    );
    const { problems } = await checkProject(copy);
    expect(problems).toEqual(
      expect.arrayContaining([
        'app/cards/partner-tier-card-hsmeta.json has stray top-level fields: label',
        expect.stringMatching(/^app\/cards\/bad-hsmeta\.json: /),
        expect.stringMatching(/^uid deal_partners_card is used by /),
        expect.stringMatching(
          /^\[production\] the parser refuses the project: Duplicate uid 'deal_partners_card'/,
        ),
      ]),
    );
  });

  it('catch a component in the wrong folder and a second settings page', async () => {
    const copy = projectCopy();
    writeFileSync(
      path.join(copy, 'src/app/cards/settings-hsmeta.json'),
      JSON.stringify({
        uid: 'second_settings',
        type: 'settings',
        config: { entrypoint: '/app/cards/X.tsx' },
      }),
    );
    const { problems } = await checkProject(copy);
    expect(problems).toEqual(
      expect.arrayContaining([
        'app/cards/settings-hsmeta.json is in the wrong folder for type settings: expected src/app/settings/',
        '2 components of type settings; at most 1',
      ]),
    );
  });

  it('catch an extension package that depends on a local package', async () => {
    const copy = projectCopy();
    const manifestFile = path.join(copy, 'src/app/settings/package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      dependencies: Record<string, string>;
    };
    manifest.dependencies['partnerbridge-cards'] = 'file:../cards';
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const { problems } = await checkProject(copy);
    expect(problems).toContain('app/settings/package.json depends on local partnerbridge-cards');
  });

  it('refuse a profile that does not name the API origin the configs use', async () => {
    const copy = projectCopy();
    writeFileSync(
      path.join(copy, 'src/hsprofile.production.json'),
      JSON.stringify({ accountId: 1, variables: { SUPPORT_EMAIL: 'support@example.com' } }),
    );
    const { problems } = await checkProject(copy);
    expect(problems).toEqual([
      expect.stringMatching(/^\[production\] the parser refuses the project: .*API_ORIGIN/),
    ]);
  });
});
