// Checks every dashboards/*.json against Grafana's dashboard model as @grafana/schema ships it
// (TypeScript types; the package has no JSON Schema): each file is type-checked as an object
// literal of type Dashboard, so unknown fields and wrong types are errors. Then house rules:
// schemaVersion 39, unique panel ids, only current core panel types (no deprecated ones).
// Usage: node check-dashboards.mjs DIR   (exit 0: all valid; 1: problems, listed on stderr)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check-dashboards.mjs DIR');
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const composable = path.join(here, 'node_modules/@grafana/schema/dist/esm/raw/composable');
// Core panel plugins: those with a panelcfg in the package, plus rows.
const corePanels = new Set(
  fs.readdirSync(composable).filter((p) => fs.existsSync(path.join(composable, p, 'panelcfg'))));
corePanels.add('row');
const deprecated = new Set(['graph', 'singlestat', 'table-old', 'grafana-singlestat-panel',
  'grafana-piechart-panel', 'grafana-worldmap-panel', 'heatmap-old', 'logsnew']);

const problems = [];
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
if (files.length === 0) {
  problems.push(`${dir}: no dashboards`);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agon-dash-'));
const sources = [];
for (const f of files) {
  const text = fs.readFileSync(path.join(dir, f), 'utf8');
  let d;
  try {
    d = JSON.parse(text);
  } catch (e) {
    problems.push(`${f}: not JSON: ${e.message}`);
    continue;
  }
  if (d.schemaVersion !== 39) problems.push(`${f}: schemaVersion ${d.schemaVersion}, want 39`);
  if (!d.uid || !d.title) problems.push(`${f}: uid and title are required`);
  const ids = new Map();
  const walk = (panels, where) => {
    for (const p of panels || []) {
      const at = `${f}: ${where} panel "${p.title}"`;
      if (typeof p.id !== 'number') problems.push(`${at}: no numeric id`);
      else if (ids.has(p.id)) problems.push(`${at}: id ${p.id} also used by "${ids.get(p.id)}"`);
      else ids.set(p.id, p.title);
      if (deprecated.has(p.type)) problems.push(`${at}: deprecated panel type ${p.type}`);
      else if (!corePanels.has(p.type)) problems.push(`${at}: unknown panel type ${p.type}`);
      if (p.type === 'row') walk(p.panels, `row "${p.title}" >`);
    }
  };
  walk(d.panels, '');
  const ts_file = path.join(tmp, f.replace(/\W/g, '_') + '.ts');
  fs.writeFileSync(ts_file,
    `import type { Dashboard } from '@grafana/schema';\n` +
    // JSON cannot name an enum member: string enums are checked as the union of their values.
    'type Json<T> = T extends string ? `${T}` : T extends Array<infer U> ? Array<Json<U>>\n' +
    '  : T extends object ? { [K in keyof T]: Json<T[K]> } : T;\n' +
    `export const dashboard: Json<Dashboard> = ${text};\n`);
  sources.push([ts_file, f]);
}
if (sources.length > 0) {
  const program = ts.createProgram(sources.map(([s]) => s), {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10,
    typeRoots: [], baseUrl: here, paths: { '@grafana/schema': [path.join(here,
      'node_modules/@grafana/schema/dist/esm/index.d.ts')] },
  });
  const names = new Map(sources);
  for (const diag of ts.getPreEmitDiagnostics(program)) {
    const msg = ts.flattenDiagnosticMessageText(diag.messageText, '\n  ');
    if (diag.file) {
      const { line } = diag.file.getLineAndCharacterOfPosition(diag.start);
      problems.push(`${names.get(diag.file.fileName) || diag.file.fileName}:${line}: ${msg}`);
    } else {
      problems.push(msg);
    }
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
for (const p of problems) console.error(p);
console.log(`${files.length} dashboards, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
