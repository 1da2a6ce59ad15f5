#!/usr/bin/env node
// Checks openapi/openapi.json:
//   1. it is a valid OpenAPI 3.1 document (@readme/openapi-parser: the
//      specification's schema, every $ref resolved);
//   2. every route of src/http/routes.c is documented (":name" there is
//      "{name}" here), and every documented operation is a route.
// Prints each difference on its own line, with what to add or remove where;
// exits 1 on any. Usage: node scripts/openapi_check.mjs [DOC [ROUTES_C]]
// (defaults: openapi/openapi.json and src/http/routes.c).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@readme/openapi-parser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.resolve(process.argv[2] || path.join(root, 'openapi/openapi.json'));
const ROUTES = path.resolve(process.argv[3] || path.join(root, 'src/http/routes.c'));

// The route table's rows: { HTTP_GET, "/api/v1/calls/:id", handler, AUTH_… }
// (a row may wrap over lines). Returns [{method, path, line}].
function readRoutes(text) {
  const rows = [];
  const re = /\{\s*HTTP_([A-Z]+)\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(AUTH_\w+)\s*(?:,\s*(ROUTE_\w+)\s*)?\}/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    rows.push({
      method: m[1].toLowerCase(),
      path: m[2].replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}'),
      handler: m[3],
      auth: m[4],
      line,
    });
  }
  return rows;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const problems = [];

let doc;
try {
  doc = JSON.parse(fs.readFileSync(DOC, 'utf8'));
} catch (e) {
  console.error(`openapi: ${path.relative(root, DOC)} is not JSON: ${e.message}`);
  process.exit(1);
}

const result = await validate(structuredClone(doc));
if (!result.valid) {
  for (const e of result.errors) problems.push(`not valid OpenAPI 3.1: ${e.message}`);
}
if (doc.openapi !== '3.1.0' && !String(doc.openapi).startsWith('3.1.')) {
  problems.push(`"openapi" is ${JSON.stringify(doc.openapi)}, expected 3.1.x`);
}

const routes = readRoutes(fs.readFileSync(ROUTES, 'utf8'));
if (routes.length === 0) problems.push(`no routes read from ${path.relative(root, ROUTES)} (has its row format changed?)`);
const inRoutes = new Set();
for (const r of routes) {
  inRoutes.add(`${r.method} ${r.path}`);
  if (!doc.paths?.[r.path]?.[r.method]) {
    problems.push(`undocumented route: ${r.method.toUpperCase()} ${r.path} (src/http/routes.c:${r.line}, ${r.handler}) — ` +
      `add "paths" → "${r.path}" → "${r.method}" to openapi/openapi.json`);
  }
}
for (const [p, item] of Object.entries(doc.paths || {})) {
  for (const m of METHODS) {
    if (item[m] && !inRoutes.has(`${m} ${p}`)) {
      problems.push(`documented but not a route: ${m.toUpperCase()} ${p} — remove it from openapi/openapi.json ` +
        `or add it to src/http/routes.c`);
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`openapi: ${p}`);
  console.error(`openapi: ${problems.length} problem(s) in openapi/openapi.json`);
  process.exit(1);
}
console.log(`openapi: valid OpenAPI ${doc.openapi}; ${routes.length} routes of src/http/routes.c, all documented and nothing else`);
