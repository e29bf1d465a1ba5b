import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderForceApp } from '../src/provision/force-app.ts';

// Writes force-app/ and sfdx-project.json from crm-fields.ts (npm run generate:force-app
// -w salesforce-connector). Stale field files from renamed or removed fields are deleted.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = renderForceApp();
const wanted = new Set(files.map((file) => file.path));

for (const object of ['Account', 'Opportunity']) {
  const folder = join(root, 'force-app/main/default/objects', object, 'fields');
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(folder)) {
    const path = `force-app/main/default/objects/${object}/fields/${name}`;
    if (!wanted.has(path)) rmSync(join(root, path));
  }
}
for (const file of files) {
  mkdirSync(dirname(join(root, file.path)), { recursive: true });
  writeFileSync(join(root, file.path), file.content);
}
process.stdout.write(`wrote ${files.length} files under ${root}\n`);
