import type { ApiDocument } from './openapi.ts';

// A readable API reference rendered on the server from the OpenAPI document: plain HTML and an
// inline stylesheet, no scripts and no CDN, so it works offline and under a strict CSP.

type Json = Record<string, unknown>;

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** Inline `code` spans in descriptions; everything else escaped. */
const prose = (value: unknown) =>
  typeof value === 'string' ? escapeHtml(value).replace(/`([^`]+)`/g, '<code>$1</code>') : '';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function resolve(doc: ApiDocument, schema: unknown): Json {
  if (!isObject(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const name = ref.slice('#/components/schemas/'.length);
    const target = doc.components?.schemas?.[name];
    return isObject(target) ? target : {};
  }
  return schema;
}

function typeLabel(doc: ApiDocument, raw: unknown): string {
  const schema = resolve(doc, raw);
  if (Array.isArray(schema.enum)) {
    return schema.enum
      .map((value) => `<code>${escapeHtml(JSON.stringify(value))}</code>`)
      .join(' | ');
  }
  if ('const' in schema) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return variants.map((v) => typeLabel(doc, v)).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array') return `array of ${typeLabel(doc, schema.items)}`;
  const format = typeof schema.format === 'string' ? ` (${escapeHtml(schema.format)})` : '';
  return `${escapeHtml(String(type ?? 'any'))}${format}`;
}

function constraints(schema: Json): string {
  const parts: string[] = [];
  const add = (key: string, label: string) => {
    if (schema[key] !== undefined) parts.push(`${label} ${escapeHtml(String(schema[key]))}`);
  };
  add('minimum', '≥');
  add('exclusiveMinimum', '>');
  add('maximum', '≤');
  add('exclusiveMaximum', '<');
  add('minLength', 'min length');
  add('maxLength', 'max length');
  add('minItems', 'min items');
  add('maxItems', 'max items');
  if (typeof schema.pattern === 'string')
    parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.default !== undefined) {
    parts.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  }
  return parts.join(', ');
}

function renderSchema(doc: ApiDocument, raw: unknown, depth = 0): string {
  const schema = resolve(doc, raw);
  if (depth > 6) return '';
  const itemSchema = schema.type === 'array' ? resolve(doc, schema.items) : undefined;
  const objectSchema = isObject(schema.properties) ? schema : itemSchema;
  if (objectSchema === undefined || !isObject(objectSchema.properties)) return '';
  const required = new Set(Array.isArray(objectSchema.required) ? objectSchema.required : []);
  const rows = Object.entries(objectSchema.properties).map(([name, property]) => {
    const resolved = resolve(doc, property);
    const nested = renderSchema(doc, property, depth + 1);
    const notes = constraints(resolved);
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? '' : ' <span class="opt">optional</span>'}</td><td>${typeLabel(doc, property)}</td><td>${prose(resolved.description)}${notes === '' ? '' : `<div class="notes">${notes}</div>`}${nested}</td></tr>`;
  });
  return `<table class="schema"><tbody>${rows.join('')}</tbody></table>`;
}

function renderParameters(doc: ApiDocument, parameters: unknown): string {
  if (!Array.isArray(parameters) || parameters.length === 0) return '';
  const rows = parameters.filter(isObject).map((parameter) => {
    const schema = resolve(doc, parameter.schema);
    const notes = constraints(schema);
    return `<tr><td><code>${escapeHtml(String(parameter.name))}</code>${parameter.required ? '' : ' <span class="opt">optional</span>'}</td><td>${escapeHtml(String(parameter.in))}</td><td>${typeLabel(doc, parameter.schema)}</td><td>${prose(parameter.description ?? schema.description)}${notes === '' ? '' : `<div class="notes">${notes}</div>`}</td></tr>`;
  });
  return `<h4>Parameters</h4><table class="schema"><thead><tr><th>name</th><th>in</th><th>type</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function jsonSchemaOf(content: unknown): unknown {
  return isObject(content) && isObject(content['application/json'])
    ? content['application/json'].schema
    : undefined;
}

function renderOperation(doc: ApiDocument, path: string, method: string, op: Json): string {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  const security = Array.isArray(op.security)
    ? op.security.flatMap((entry) => (isObject(entry) ? Object.keys(entry) : []))
    : [];
  const auth =
    security.length === 0
      ? 'public'
      : security.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ');
  const body = isObject(op.requestBody) ? jsonSchemaOf(op.requestBody.content) : undefined;
  const responses = isObject(op.responses)
    ? Object.entries(op.responses)
        .filter((entry): entry is [string, Json] => isObject(entry[1]))
        .map(([status, response]) => {
          const schema = jsonSchemaOf(response.content);
          const ref = isObject(schema) && typeof schema.$ref === 'string' ? schema.$ref : undefined;
          const shape =
            ref?.endsWith('/ErrorResponse') === true
              ? ' → <a href="#error-shape">error shape</a>'
              : renderSchema(doc, schema);
          return `<li><strong>${escapeHtml(status)}</strong> ${prose(response.description)}${shape}</li>`;
        })
        .join('')
    : '';
  return `<section class="op" id="${id}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p class="summary">${prose(op.summary)}</p>${op.description === undefined ? '' : `<p>${prose(op.description)}</p>`}
<p class="auth">Auth: ${auth}</p>
${renderParameters(doc, op.parameters)}
${body === undefined ? '' : `<h4>Request body (JSON)</h4>${renderSchema(doc, body) || `<p>${typeLabel(doc, body)}</p>`}`}
<h4>Responses</h4><ul class="responses">${responses}</ul>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1f2933;background:#fff}
main{max-width:960px;margin:0 auto;padding:24px}nav{columns:2;font-size:14px}nav a{display:block}
h1{margin-top:0}.op{border-top:1px solid #d9e2ec;padding:12px 0}.method{display:inline-block;min-width:64px;
text-align:center;border-radius:4px;color:#fff;font-size:13px;padding:2px 6px;background:#486581}
.get{background:#2f855a}.post{background:#2b6cb0}.delete{background:#c53030}.put,.patch{background:#b7791f}
table.schema{border-collapse:collapse;width:100%;font-size:14px;margin:4px 0}table.schema td,table.schema th{
border:1px solid #e4e7eb;padding:4px 8px;vertical-align:top;text-align:left}.opt{color:#829ab1;font-size:12px}
.notes{color:#52606d;font-size:13px}code{background:#f0f4f8;padding:0 3px;border-radius:3px}.auth{color:#52606d}`;

/** The API reference page served at /docs. */
export function renderApiReference(doc: ApiDocument): string {
  const operations: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!isObject(item)) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!isObject(op)) continue;
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      index.push(`<a href="#${id}">${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</a>`);
      operations.push(renderOperation(doc, path, method, op));
    }
  }
  const errorSchema = doc.components?.schemas?.ErrorResponse;
  const schemes = Object.entries(doc.components?.securitySchemes ?? {})
    .map(([name, scheme]: [string, unknown]) => {
      const description = isObject(scheme) ? scheme.description : undefined;
      return `<li><code>${escapeHtml(name)}</code>: ${prose(description)}</li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title><style>${STYLE}</style></head>
<body><main>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Authentication</h2><ul>${schemes}</ul>
<h2 id="error-shape">Errors</h2><p>Every error answers with this body and the matching status:</p>${renderSchema(doc, errorSchema)}
<h2>Endpoints</h2><nav>${index.join('')}</nav>
${operations.join('\n')}
</main></body></html>`;
}
