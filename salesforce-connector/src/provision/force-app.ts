import {
  type CustomFieldMetadata,
  customFieldMetadata,
  provisionedObjects,
} from './field-metadata.ts';

// The SFDX source for our fields (force-app/…/fields/*.field-meta.xml), a permission set that
// grants the integration user field-level security on them, and sfdx-project.json — all rendered
// from crm-fields.ts. `npm run generate:force-app -w salesforce-connector` writes them; a test
// checks that the committed files are exactly this output.

export const SOURCE_API_VERSION = '62.0';
export const PERMISSION_SET_NAME = 'Partnerbridge_Integration';
const NAMESPACE = 'http://soap.sforce.com/2006/04/metadata';

type Node =
  | { readonly name: string; readonly children: readonly Node[] }
  | {
      readonly name: string;
      readonly text: string;
    };

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function render(node: Node, depth: number): string {
  const indent = '    '.repeat(depth);
  if ('text' in node) return `${indent}<${node.name}>${escapeXml(node.text)}</${node.name}>\n`;
  return `${indent}<${node.name}>\n${node.children.map((c) => render(c, depth + 1)).join('')}${indent}</${node.name}>\n`;
}

function document(root: string, children: readonly Node[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NAMESPACE}">\n${children
    .map((c) => render(c, 1))
    .join('')}</${root}>\n`;
}

const leaf = (name: string, value: string | number | boolean): Node => ({
  name,
  text: String(value),
});

/** CustomField children in the order Salesforce's retrieve writes them (fullName, then a–z). */
function fieldNodes(fullName: string, metadata: CustomFieldMetadata): Node[] {
  const nodes: Node[] = [];
  for (const [key, value] of Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined) continue;
    if (key === 'valueSet' && metadata.valueSet !== undefined) {
      const { restricted, valueSetDefinition } = metadata.valueSet;
      nodes.push({
        name: 'valueSet',
        children: [
          leaf('restricted', restricted),
          {
            name: 'valueSetDefinition',
            children: [
              leaf('sorted', valueSetDefinition.sorted),
              ...valueSetDefinition.value.map((v) => ({
                name: 'value',
                children: [
                  leaf('fullName', v.fullName),
                  leaf('default', v.default),
                  leaf('label', v.label),
                ],
              })),
            ],
          },
        ],
      });
      continue;
    }
    nodes.push(leaf(key, value as string | number | boolean));
  }
  return [leaf('fullName', fullName), ...nodes];
}

export type GeneratedFile = { readonly path: string; readonly content: string };

/** Every generated file, paths relative to the salesforce-connector package. */
export function renderForceApp(): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const permissions: Node[] = [];
  for (const { sobject, fields } of provisionedObjects) {
    for (const definition of fields) {
      files.push({
        path: `force-app/main/default/objects/${sobject}/fields/${definition.name}.field-meta.xml`,
        content: document(
          'CustomField',
          fieldNodes(definition.name, customFieldMetadata(definition)),
        ),
      });
      permissions.push({
        name: 'fieldPermissions',
        children: [
          leaf('editable', true),
          leaf('field', `${sobject}.${definition.name}`),
          leaf('readable', true),
        ],
      });
    }
  }
  permissions.sort((a, b) => fieldOf(a).localeCompare(fieldOf(b)));
  files.push({
    path: `force-app/main/default/permissionsets/${PERMISSION_SET_NAME}.permissionset-meta.xml`,
    content: document('PermissionSet', [
      leaf(
        'description',
        "Field access for Partnerbridge's integration user: read and edit every PB_ field.",
      ),
      ...permissions,
      leaf('hasActivationRequired', false),
      leaf('label', 'Partnerbridge Integration'),
    ]),
  });
  files.push({
    path: 'sfdx-project.json',
    content: `${JSON.stringify(
      {
        name: 'partnerbridge',
        namespace: '',
        packageDirectories: [{ path: 'force-app', default: true }],
        sfdcLoginUrl: 'https://login.salesforce.com',
        sourceApiVersion: SOURCE_API_VERSION,
      },
      null,
      2,
    )}\n`,
  });
  return files;
}

function fieldOf(node: Node): string {
  if ('text' in node) return '';
  const field = node.children.find((child) => child.name === 'field');
  return field !== undefined && 'text' in field ? field.text : '';
}
