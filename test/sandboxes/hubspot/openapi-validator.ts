import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { HubspotExchange } from './server.ts';

// Validates the sandbox's traffic against HubSpot's published OpenAPI 3.0 documents (copied
// unchanged into ./openapi): request bodies against the operation's request schema, responses
// against the operation's response schema, errors against the spec's `Error` schema. Used by
// the contract tests through the sandbox's `onExchange` tap.

const specNames = [
  'deals-v3',
  'companies-v3',
  'properties-v3',
  'associations-v4',
  'associations-schema-v4',
  'oauth-v1',
] as const;
type SpecName = (typeof specNames)[number];

type JsonObject = { [key: string]: unknown };

type Operation = {
  spec: SpecName;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  method: string;
  requestSchema: JsonObject | undefined;
  /** Status code → JSON schema of the body (undefined when the spec declares no body). */
  responses: Map<string, JsonObject | undefined>;
};

export type ExchangeViolation = {
  method: string;
  path: string;
  status: number;
  part: 'request' | 'response';
  schema: string;
  errors: string[];
};

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = ('default' in addFormatsModule
  ? addFormatsModule.default
  : addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadSpec(name: SpecName): JsonObject {
  const text = readFileSync(new URL(`./openapi/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text) as JsonObject;
}

/** Rewrites local `#/components/...` refs so a schema compiles outside its document. */
function absolutize(spec: SpecName, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => absolutize(spec, item));
  if (!isObject(schema)) return schema;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${spec}${value}`
        : absolutize(spec, value);
  }
  return copy;
}

function jsonSchemaOf(content: unknown): JsonObject | undefined {
  if (!isObject(content)) return undefined;
  for (const media of ['application/json', 'application/x-www-form-urlencoded', '*/*']) {
    const entry = content[media];
    if (isObject(entry) && isObject(entry.schema)) return entry.schema;
  }
  return undefined;
}

/** The spec paths of deals-v3 name the type id; the SDK uses `deals`. */
function normalizePath(spec: SpecName, path: string): string {
  if (spec === 'deals-v3')
    return path.replace(/^\/crm\/v3\/objects\/deals(?=\/|$)/, '/crm/v3/objects/0-3');
  if (spec === 'companies-v3')
    return path.replace(/^\/crm\/v3\/objects\/0-2(?=\/|$)/, '/crm/v3/objects/companies');
  return path;
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly schemas = new Map<SpecName, JsonObject>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', {
      type: 'number',
      validate: (value: number) =>
        Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31,
    });
    this.ajv.addFormat('int64', {
      type: 'number',
      validate: (value: number) => Number.isInteger(value),
    });
    for (const name of specNames) {
      const spec = loadSpec(name);
      const components = isObject(spec.components) ? spec.components : {};
      this.schemas.set(name, isObject(components.schemas) ? components.schemas : {});
      this.ajv.addSchema({ $id: name, components: absolutize(name, components) as JsonObject });
      const paths = isObject(spec.paths) ? spec.paths : {};
      for (const [template, item] of Object.entries(paths)) {
        if (!isObject(item)) continue;
        const segments = template.split('/').filter((segment) => segment !== '');
        const pattern = new RegExp(
          `^/${segments.map((segment) => (segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('/')}$`,
        );
        for (const [method, operation] of Object.entries(item)) {
          if (!isObject(operation) || !isObject(operation.responses)) continue;
          const responses = new Map<string, JsonObject | undefined>();
          for (const [status, response] of Object.entries(operation.responses)) {
            responses.set(status, isObject(response) ? jsonSchemaOf(response.content) : undefined);
          }
          this.operations.push({
            spec: name,
            template,
            pattern,
            literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
            method: method.toUpperCase(),
            requestSchema: isObject(operation.requestBody)
              ? jsonSchemaOf(operation.requestBody.content)
              : undefined,
            responses,
          });
        }
      }
    }
  }

  /** The spec operation an exchange belongs to, preferring the most literal template. */
  operationFor(method: string, path: string): Operation | undefined {
    let best: Operation | undefined;
    for (const operation of this.operations) {
      if (operation.method !== method) continue;
      if (!operation.pattern.test(normalizePath(operation.spec, path))) continue;
      if (best === undefined || operation.literalSegments > best.literalSegments) best = operation;
    }
    return best;
  }

  private compile(
    spec: SpecName,
    schema: JsonObject,
  ): { validate: ValidateFunction; name: string } {
    const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
    const name = ref === undefined ? `${spec}:inline:${JSON.stringify(schema)}` : `${spec}${ref}`;
    let validate = this.compiled.get(name);
    if (validate === undefined) {
      validate =
        ref === undefined
          ? this.ajv.compile(absolutize(spec, schema) as JsonObject)
          : this.ajv.getSchema(`${spec}${ref}`);
      if (validate === undefined) throw new Error(`schema ${name} not found`);
      this.compiled.set(name, validate);
    }
    return {
      validate,
      name: ref === undefined ? 'inline schema' : ref.replace('#/components/schemas/', ''),
    };
  }

  /** Validates a value against a named schema of one spec (for payloads outside exchanges). */
  validateSchema(spec: SpecName, schemaName: string, value: unknown): string[] {
    const { validate } = this.compile(spec, { $ref: `#/components/schemas/${schemaName}` });
    return validate(value)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  }

  /**
   * Checks one exchange. Where the live API (and @hubspot/api-client) differ from the document,
   * the API wins and the difference is handled here:
   * - create operations answer with the object itself (201), not the spec's `CreatedResponse*`
   *   wrapper, so the wrapper's `entity` schema is used;
   * - 201/207 answers use the operation's documented 2xx schema (batch schemas carry errors);
   * - 429s use HubSpot's rate-limit body (checked by the tests), not `Error`;
   * - OAuth errors put the failure in `status`, so only their 2xx bodies are checked.
   */
  check(exchange: HubspotExchange): ExchangeViolation[] | 'unmatched' {
    const operation = this.operationFor(exchange.method, exchange.path);
    if (operation === undefined) return 'unmatched';
    const violations: ExchangeViolation[] = [];
    const report = (part: 'request' | 'response', schema: string, errors: string[]) => {
      if (errors.length > 0) {
        violations.push({
          method: exchange.method,
          path: exchange.path,
          status: exchange.status,
          part,
          schema,
          errors,
        });
      }
    };
    const run = (schema: JsonObject, value: unknown): { name: string; errors: string[] } => {
      const { validate, name } = this.compile(operation.spec, schema);
      const valid = validate(value);
      return {
        name,
        errors: valid
          ? []
          : (validate.errors ?? []).map((error) =>
              `${error.instancePath} ${error.message ?? ''}`.trim(),
            ),
      };
    };

    // Requests the sandbox accepted must be valid input; rejected ones are the tests' bad input.
    if (
      exchange.status < 400 &&
      exchange.requestBody !== undefined &&
      operation.requestSchema !== undefined
    ) {
      const result = run(operation.requestSchema, exchange.requestBody);
      report('request', result.name, result.errors);
    }

    if (exchange.responseBody === undefined) return violations;
    if (exchange.status >= 200 && exchange.status < 300) {
      const success =
        operation.responses.get(String(exchange.status)) ??
        [...operation.responses].find(([status]) => status.startsWith('2'))?.[1];
      if (success === undefined) {
        report('response', '(none)', [`the spec declares no body for ${exchange.status}`]);
        return violations;
      }
      const ref = typeof success.$ref === 'string' ? success.$ref : '';
      const entity = ref.includes('/CreatedResponse')
        ? this.createdEntity(operation.spec, ref)
        : undefined;
      const result = run(entity ?? success, exchange.responseBody);
      report('response', result.name, result.errors);
      return violations;
    }
    if (exchange.status === 429 || exchange.path.startsWith('/oauth/')) return violations;
    const result = run({ $ref: '#/components/schemas/Error' }, exchange.responseBody);
    report('response', result.name, result.errors);
    return violations;
  }

  private createdEntity(spec: SpecName, ref: string): JsonObject | undefined {
    const wrapper = this.schemas.get(spec)?.[ref.replace('#/components/schemas/', '')];
    if (!isObject(wrapper) || !isObject(wrapper.properties)) return undefined;
    const entity = wrapper.properties.entity;
    return isObject(entity) ? entity : undefined;
  }
}
