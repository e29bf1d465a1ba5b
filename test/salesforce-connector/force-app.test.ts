import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERMISSION_SET_NAME, renderForceApp } from '@partnerbridge/salesforce-connector';
import {
  type SalesforceFieldDefinition,
  salesforceAccountFields,
  salesforceOpportunityFields,
} from '@partnerbridge/shared/crm-fields';
import { describe, expect, it } from 'vitest';
import { customFieldMetadata } from '../../salesforce-connector/src/provision/field-metadata.ts';
import { childText, parseXml } from './support/xml.ts';

// The committed SFDX source is exactly what the generator makes from crm-fields.ts (run
// `npm run generate:force-app -w salesforce-connector` after changing the fields), and each file
// is well-formed metadata that says what crm-fields.ts says.

const packageRoot = new URL('../../salesforce-connector/', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(packageRoot, path), 'utf8');
const generated = renderForceApp();

function listFiles(folder: string): string[] {
  return readdirSync(join(packageRoot, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(packageRoot.length))
    .sort();
}

describe('force-app', () => {
  it('matches the generator byte for byte, with no extra files', () => {
    for (const file of generated) expect(read(file.path), file.path).toBe(file.content);
    expect(listFiles('force-app')).toEqual(
      generated
        .map((f) => f.path)
        .filter((p) => p.startsWith('force-app/'))
        .sort(),
    );
  });

  it('pins sourceApiVersion 62.0 in sfdx-project.json', () => {
    const project = JSON.parse(read('sfdx-project.json')) as Record<string, unknown>;
    expect(project).toMatchObject({
      sourceApiVersion: '62.0',
      packageDirectories: [{ path: 'force-app', default: true }],
    });
  });

  const cases: [string, SalesforceFieldDefinition][] = [
    ...salesforceAccountFields.map((f): [string, SalesforceFieldDefinition] => ['Account', f]),
    ...salesforceOpportunityFields.map((f): [string, SalesforceFieldDefinition] => [
      'Opportunity',
      f,
    ]),
  ];

  it.each(cases)('%s.%s is well-formed and carries its definition', (sobject, definition) => {
    const xml = parseXml(
      read(`force-app/main/default/objects/${sobject}/fields/${definition.name}.field-meta.xml`),
    );
    expect(xml.name).toBe('CustomField');
    expect(xml.attributes.xmlns).toBe('http://soap.sforce.com/2006/04/metadata');
    expect(childText(xml, 'fullName')).toBe(definition.name);
    expect(childText(xml, 'label')).toBe(definition.label);
    expect(childText(xml, 'type')).toBe(definition.type);
    expect(childText(xml, 'externalId')).toBe(definition.externalId === true ? 'true' : undefined);
    expect(childText(xml, 'unique')).toBe(definition.unique === true ? 'true' : undefined);
    if (definition.length !== undefined)
      expect(childText(xml, 'length')).toBe(String(definition.length));
    if (definition.precision !== undefined) {
      expect(childText(xml, 'precision')).toBe(String(definition.precision));
      expect(childText(xml, 'scale')).toBe(String(definition.scale));
    }
    if (definition.type === 'Picklist') {
      const valueSet = xml.children.find((c) => c.name === 'valueSet');
      expect(valueSet && childText(valueSet, 'restricted')).toBe('true');
      const values = valueSet?.children
        .find((c) => c.name === 'valueSetDefinition')
        ?.children.filter((c) => c.name === 'value')
        .map((v) => childText(v, 'fullName'));
      expect(values).toEqual(definition.picklistValues);
    }
    if (definition.type === 'Lookup') {
      expect(childText(xml, 'referenceTo')).toBe(definition.referenceTo);
      expect(childText(xml, 'relationshipName')).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(childText(xml, 'deleteConstraint')).toBe('SetNull');
    }
    if (definition.type === 'Checkbox') expect(childText(xml, 'defaultValue')).toBe('false');
    // The XML says the same as the Tooling API body provisioning sends.
    const metadata = customFieldMetadata(definition);
    for (const [key, value] of Object.entries(metadata)) {
      if (key !== 'valueSet') expect(childText(xml, key), key).toBe(String(value));
    }
  });

  it('grants read and edit on every field in the permission set', () => {
    const xml = parseXml(
      read(`force-app/main/default/permissionsets/${PERMISSION_SET_NAME}.permissionset-meta.xml`),
    );
    expect(xml.name).toBe('PermissionSet');
    const granted = xml.children
      .filter((c) => c.name === 'fieldPermissions')
      .map((c) => [childText(c, 'field'), childText(c, 'readable'), childText(c, 'editable')]);
    expect(granted).toEqual(
      cases
        .map(([sobject, f]) => [`${sobject}.${f.name}`, 'true', 'true'])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  });

  it('rejects malformed XML (the reader is strict)', () => {
    const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${prolog}<a><b>x</a></b>`)).toThrow(/mismatched/);
    expect(() => parseXml(`${prolog}<a>AT&T</a>`)).toThrow(/entity/);
    expect(() => parseXml(`${prolog}<a>`)).toThrow(/unclosed/);
    expect(() => parseXml('<a/>')).toThrow(/declaration/);
    expect(parseXml(`${prolog}<a>x &amp; y</a>`).text).toBe('x & y');
  });
});
