import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALLOWED_TOP_LEVEL_FIELDS,
  Components,
  PLATFORM_VERSIONS,
} from '@hubspot/project-parsing-lib/constants';
import { getAllHsProfiles, loadHsProfileFile } from '@hubspot/project-parsing-lib/profiles';
import {
  isKnownPlatformVersion,
  meetsMinimumPlatformVersion,
  parseProjectConfig,
} from '@hubspot/project-parsing-lib/projects';
import { mapToInternalType, mapToUserFacingType } from '@hubspot/project-parsing-lib/transform';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';
import {
  collectFileDependencies,
  collectWorkspaceDirectories,
  findAndParsePackageJsonFiles,
} from '@hubspot/project-parsing-lib/workspaces';

// The structural check of the HubSpot project, with HubSpot's own parser for what it can do
// offline: reading hsproject.json and the profiles, finding the hsmeta files (and the ones it
// would skip), substituting profile variables and translating the project into the intermediate
// representation HubSpot builds from. What the parser does only after downloading the config
// schemas (uids, folder per type, one of each singular type, top-level fields) is repeated here
// with its own constants and helpers. Returns the problems found, in words.

export type ProjectNode = {
  uid: string;
  componentType: string;
  metaFilePath: string;
  config: Record<string, unknown>;
  componentDeps: Record<string, unknown>;
};

export type ProjectReport = {
  problems: string[];
  platformVersion: string;
  /** Per profile, the translated nodes by uid (profile variables applied). */
  profiles: Map<string, { variables: Record<string, unknown>; nodes: Map<string, ProjectNode> }>;
};

function walkFiles(dir: string, skip: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip(entry.name)) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walkFiles(full, skip) : [full];
  });
}

export async function checkProject(projectDir: string): Promise<ProjectReport> {
  const problems: string[] = [];
  const config = parseProjectConfig(projectDir);
  const extraKeys = Object.keys(config).filter(
    (key) => !['name', 'srcDir', 'platformVersion'].includes(key),
  );
  if (extraKeys.length > 0)
    problems.push(`hsproject.json has unknown fields: ${extraKeys.join(', ')}`);
  const platformVersion = config.platformVersion;
  if (!isKnownPlatformVersion(platformVersion)) {
    problems.push(`platformVersion ${platformVersion} is unknown to the parser`);
  } else if (!meetsMinimumPlatformVersion(platformVersion, PLATFORM_VERSIONS.v2025_2)) {
    problems.push(`platformVersion ${platformVersion} is older than 2025.2 (no profiles, legacy)`);
  }
  const srcDir = path.join(projectDir, config.srcDir);

  // hsmeta files: top-level fields, uids, folder per type, how many of each.
  const metaFiles = walkFiles(srcDir, (name) => name === 'node_modules').filter((file) =>
    file.endsWith('-hsmeta.json'),
  );
  const seenUids = new Map<string, string>();
  const typeCounts = new Map<string, number>();
  for (const file of metaFiles) {
    const relative = path.relative(srcDir, file);
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      problems.push(`${relative} is not valid JSON`);
      continue;
    }
    const allowed = ALLOWED_TOP_LEVEL_FIELDS as ReadonlySet<string>;
    const stray = Object.keys(meta).filter((key) => !allowed.has(key));
    if (stray.length > 0)
      problems.push(`${relative} has stray top-level fields: ${stray.join(', ')}`);
    if (
      'permissions' in meta &&
      !meetsMinimumPlatformVersion(platformVersion, PLATFORM_VERSIONS.v2026_09_BETA)
    ) {
      problems.push(`${relative} declares permissions, refused before 2026.09-beta`);
    }
    const uid = typeof meta.uid === 'string' ? meta.uid : '';
    const uidProblem = validateUid(uid);
    if (uidProblem !== undefined) problems.push(`${relative}: ${uidProblem}`);
    const previous = seenUids.get(uid);
    if (previous !== undefined) problems.push(`uid ${uid} is used by ${previous} and ${relative}`);
    seenUids.set(uid, relative);
    const type = mapToUserFacingType(String(meta.type ?? ''));
    typeCounts.set(type, (typeCounts.get(type) ?? 0) + 1);
    const component = Components[type];
    if (component === undefined) {
      problems.push(`${relative} has an unknown type "${String(meta.type)}"`);
      continue;
    }
    const parentDir =
      component.parentComponent === undefined
        ? ''
        : (Components[component.parentComponent]?.dir ?? '');
    const expected = path.join(parentDir, component.dir);
    if (path.dirname(relative) !== expected) {
      problems.push(
        `${relative} is in the wrong folder for type ${type}: expected src/${expected}/`,
      );
    }
    if (typeof meta.config !== 'object' || meta.config === null)
      problems.push(`${relative} has no config`);
  }
  for (const [type, count] of typeCounts) {
    if (Components[type]?.singularComponent === true && count > 1) {
      problems.push(`${count} components of type ${type}; at most 1`);
    }
  }

  // Extension packages: no workspace or file: dependencies (HubSpot builds src alone).
  const packages = await findAndParsePackageJsonFiles(srcDir);
  for (const dependency of await collectFileDependencies(packages)) {
    problems.push(
      `${path.relative(srcDir, dependency.sourcePackageJsonPath)} depends on local ${dependency.packageName}`,
    );
  }
  for (const workspace of await collectWorkspaceDirectories(packages)) {
    problems.push(`${path.relative(srcDir, workspace.sourcePackageJsonPath)} declares workspaces`);
  }

  // Each deploy profile, translated by the parser with its variables.
  const profiles: ProjectReport['profiles'] = new Map();
  const profileNames = await getAllHsProfiles(srcDir);
  if (profileNames.length === 0)
    problems.push('no hsprofile.<name>.json: nothing names the API origin');
  for (const profile of profileNames) {
    const file = loadHsProfileFile(srcDir, profile);
    let translated: Awaited<ReturnType<typeof translate>>;
    try {
      translated = await translate(
        { projectSourceDir: srcDir, platformVersion },
        { skipValidation: true, profile },
      );
    } catch (error) {
      problems.push(`[${profile}] the parser refuses the project: ${(error as Error).message}`);
      continue;
    }
    const { intermediateRepresentation, skippedHsMetaFiles } = translated;
    for (const skipped of skippedHsMetaFiles) {
      problems.push(`[${profile}] the parser skips ${skipped} (not in a component folder)`);
    }
    const nodes = new Map<string, ProjectNode>();
    for (const [uid, irNode] of Object.entries(
      intermediateRepresentation.intermediateNodesIndexedByUid,
    )) {
      const node = irNode as unknown as ProjectNode;
      nodes.set(uid, node);
      if (JSON.stringify(node.config).includes('${')) {
        problems.push(`[${profile}] ${node.metaFilePath} keeps an unresolved \${variable}`);
      }
      const type = mapToUserFacingType(node.componentType);
      if (Components[type]?.parentComponent === 'app' && node.componentDeps.app === undefined) {
        problems.push(`[${profile}] ${node.metaFilePath} is not attached to an app component`);
      }
      if (mapToInternalType(type) !== node.componentType) {
        problems.push(`[${profile}] ${node.metaFilePath} has type ${node.componentType}`);
      }
    }
    profiles.set(profile, { variables: file.variables ?? {}, nodes });
  }
  return { problems, platformVersion, profiles };
}

const forbidden: readonly [RegExp, string][] = [
  [/\bwindow\s*[.[]/, 'window (cards run in a worker without it)'],
  [
    /\bdocument\.(body|cookie|createElement|getElement\w*|querySelector\w*)\b/,
    'document (no DOM in the worker)',
  ],
  [/\bconsole\./, 'console (use the SDK logger)'],
  [/(?<![.\w])fetch\(/, 'fetch (only hubspot.fetch reaches the network)'],
  [/<(div|span|p|button|input|table)[\s>]/, 'an HTML element (only SDK components render)'],
  [/\bstyle=\{/, 'a style prop (not supported)'],
  [/\blocalStorage\b|\bsessionStorage\b/, 'web storage (not available)'],
];

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/**
 * What each extension package's sources may do: import only their own files and the packages
 * their package.json declares (HubSpot bundles each folder alone), and use only what the worker
 * offers. `vendor/` is generated from shared/ and checked for imports only.
 */
export function checkExtensionSources(srcDir: string): string[] {
  const problems: string[] = [];
  for (const name of ['cards', 'settings']) {
    const packageDir = path.join(srcDir, 'app', name);
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const allowed = Object.keys(manifest.dependencies ?? {});
    const files = walkFiles(packageDir, (entry) => entry === 'node_modules').filter((file) =>
      /\.(ts|tsx)$/.test(file),
    );
    for (const file of files) {
      const relative = path.relative(srcDir, file);
      const source = readFileSync(file, 'utf8');
      const specifiers = [
        ...source.matchAll(/\bfrom\s+'([^']+)'/g),
        ...source.matchAll(/^\s*import\s+'([^']+)'/gm),
        ...source.matchAll(/\bimport\(\s*'([^']+)'/g),
      ].map((m) => m[1] as string);
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          if (!target.startsWith(`${packageDir}${path.sep}`)) {
            problems.push(`${relative} imports ${specifier}, outside app/${name}`);
          } else if (!existsSync(target)) {
            problems.push(`${relative} imports ${specifier}, which does not exist`);
          }
          continue;
        }
        const pkg = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        if (!allowed.includes(pkg ?? ''))
          problems.push(`${relative} imports ${specifier}, not a dependency of app/${name}`);
        if (name === 'settings' && specifier === '@hubspot/ui-extensions/crm') {
          problems.push(`${relative} uses CRM components, which settings pages cannot`);
        }
      }
      if (relative.includes(`${path.sep}vendor${path.sep}`)) continue;
      const code = withoutComments(source);
      for (const [pattern, what] of forbidden) {
        if (pattern.test(code)) problems.push(`${relative} uses ${what}`);
      }
    }
  }
  return problems;
}
