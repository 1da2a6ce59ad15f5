// Checks an answer of the server against openapi/openapi.json: the
// operation for the method and path (as the route table matches them: a
// literal segment before a {param}), the status among its documented
// responses, and a JSON body against that response's schema (JSON Schema
// 2020-12, ajv). A path or method the document does not have must have
// answered the contract's error body (404 or 405). lib.mjs's api() calls
// checkResponse for every answer; a mismatch throws with what differs.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
export const OPENAPI_FILE = path.resolve(here, '../../openapi/openapi.json');
export const openapi = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi.json');
const compiled = new Map();

// Templates with fewer {params} first: the route table's literal routes win
// over patterns (/dashboard/whitelabel/domain/add before …/{step}).
const templates = Object.keys(openapi.paths).map((t) => ({
  template: t,
  params: (t.match(/\{[^}]+\}/g) || []).length,
  re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+') + '$'),
})).sort((a, b) => a.params - b.params);

function pointer(parts) {
  return parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function validatorAt(parts) {
  const key = pointer(parts);
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: `openapi.json#/${key}` }));
  return compiled.get(key);
}

// Resolves a local $ref of the document (a response object), keeping the
// pointer of where it lives.
function deref(parts) {
  let node = openapi;
  for (const p of parts) node = node[p];
  if (node && node.$ref) {
    const target = node.$ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    return deref(target);
  }
  return { node, parts };
}

export function findOperation(method, urlPath) {
  const p = urlPath.split('?')[0];
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const matching = templates.filter((t) => t.re.test(p));
  const hit = matching.find((t) => openapi.paths[t.template][m]);
  return { template: hit?.template, method: m, pathKnown: matching.length > 0 };
}

function contentTypeOf(res) {
  const h = res.headers || {};
  return String(h['content-type'] || '').split(';')[0].trim().toLowerCase();
}

function explain(errors) {
  return (errors || []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`).join('; ');
}

// Throws when res ({status, headers, text, json}) breaks the document.
export function checkResponse(method, urlPath, res) {
  const what = `${method} ${urlPath.split('?')[0]} → ${res.status}`;
  const type = contentTypeOf(res);
  const { template, method: m } = findOperation(method, urlPath);
  if (!template) {
    // Not a documented operation: the router's 404 or 405, as an error body.
    if (type === 'application/json') {
      const v = validatorAt(['components', 'schemas', 'Error']);
      if (!v(res.json)) throw new Error(`openapi: ${what}: undocumented route, and its body is not the error body: ${explain(v.errors)}: ${res.text}`);
    }
    if (![404, 405].includes(res.status) && !(res.status >= 500) && res.status !== 400 && res.status !== 413) {
      throw new Error(`openapi: ${what}: ${m.toUpperCase()} ${urlPath.split('?')[0]} answered but is not in openapi/openapi.json (add it under paths)`);
    }
    return;
  }
  const responses = openapi.paths[template][m].responses;
  const key = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((k) => responses[k]);
  if (!key) {
    if (type !== 'application/json') return; // pages: their statuses are listed by range
    throw new Error(`openapi: ${what}: status ${res.status} is not documented for ${m.toUpperCase()} ${template} (documented: ${Object.keys(responses).join(', ')}); body: ${res.text}`);
  }
  if (type !== 'application/json') return;
  const { node, parts } = deref(['paths', template, m, 'responses', key]);
  if (!node.content || !node.content['application/json']) {
    throw new Error(`openapi: ${what}: answered JSON but ${m.toUpperCase()} ${template} ${key} documents no application/json body: ${res.text}`);
  }
  const v = validatorAt([...parts, 'content', 'application/json', 'schema']);
  if (!v(res.json)) {
    throw new Error(`openapi: ${what}: the body does not match ${m.toUpperCase()} ${template} ${key}: ${explain(v.errors)}\nbody: ${res.text}`);
  }
}

// Checks an outbound webhook delivery (its X-Webhook-Event and raw body)
// against the document's "webhooks" entry for that event. Returns the
// mismatch as text, or null when the delivery is what the document says.
export function checkWebhookDelivery(event, body) {
  const item = openapi.webhooks?.[event]?.post;
  if (!item) return `openapi: webhook event ${event} is not under "webhooks" in openapi/openapi.json`;
  let value;
  try { value = JSON.parse(body); } catch { return `openapi: webhook ${event}: the body is not JSON: ${body}`; }
  const v = validatorAt(['webhooks', event, 'post', 'requestBody', 'content', 'application/json', 'schema']);
  return v(value) ? null : `openapi: webhook ${event}: the body does not match: ${explain(v.errors)}\nbody: ${body}`;
}
