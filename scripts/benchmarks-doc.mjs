#!/usr/bin/env node
/**
 * Writes the table of docs/benchmarks.md from one bench run's results:
 *   npm run bench -- --json bench.json && node scripts/benchmarks-doc.mjs bench.json
 * Only the part between the bench-table markers is replaced; the rest of the
 * page (how to read it) is kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [, , input] = process.argv;
if (!input) {
  console.error('usage: node scripts/benchmarks-doc.mjs RESULTS.json');
  process.exit(2);
}
const run = JSON.parse(readFileSync(input, 'utf8'));
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench-table:start (scripts/benchmarks-doc.mjs writes this part) -->';
const END = '<!-- bench-table:end -->';

const fig = (v, unit) => `${v.toFixed(unit === 'ops/s' ? 0 : 1)} ${unit}`;
const target = (t) => {
  if (!t) return '';
  const v = Number(t.value.toFixed(3));
  return t.kind === 'max-ratio' ? `≤ ${v}×` : t.kind === 'min-ratio' ? `≥ ${v}×` : `≤ +${v} ms`;
};
const rows = [];
let group;
for (const l of run.lines) {
  if (l.group !== group) {
    group = l.group;
    rows.push(`| **${group}** | | | | | |`);
  }
  if (l.text !== undefined) {
    rows.push(`| ${l.text.replace(/\|/g, '\\|')} | | | | | |`);
    continue;
  }
  // a paired line's ratio and difference are medians of per-turn ones (bench/lines.ts), not of the two medians
  const delta = l.unit === 'ms' && l.baselineValue !== undefined ? (l.paired?.deltaMs ?? l.value - l.baselineValue) : undefined;
  const ratio = l.ratio === undefined ? '' : `${l.ratio.toFixed(3)}×${delta !== undefined ? ` (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms)` : ''}${l.paired ? ' paired' : ''}`;
  const base = l.baseline === undefined ? '' : `${l.baseline}${l.baselineValue === undefined ? '' : `: ${fig(l.baselineValue, l.unit)}`}`;
  const met = l.met === undefined ? '' : l.met ? 'met' : '**missed**';
  const name = l.note ? `${l.name} <sub>(${l.note})</sub>` : l.name;
  rows.push(`| ${name} | ${fig(l.value, l.unit)} | ${base} | ${ratio} | ${target(l.target)} | ${met} |`);
}
const targeted = run.lines.filter((l) => l.target);
const met = targeted.filter((l) => l.met).length;
const table = [
  START,
  `One run of \`npm run bench\` started ${run.started} (node ${run.node}, ${run.cores} cores: ${run.cpu}; Ed25519 verify equation: ${run.verifyBackend}; ` +
    `load average ${run.loadBefore.toFixed(2)} at the start, ${run.loadAfter.toFixed(2)} at the end; ${run.seconds} s per measurement). ${met} of ${targeted.length} targets met.`,
  '',
  '| measurement | figure | baseline | ratio | target | |',
  '| --- | ---: | --- | ---: | ---: | --- |',
  ...rows,
  END,
].join('\n');
const doc = readFileSync(DOC, 'utf8');
const a = doc.indexOf(START);
const b = doc.indexOf(END);
if (a < 0 || b < a) {
  console.error(`${DOC}: the bench-table markers are missing`);
  process.exit(1);
}
writeFileSync(DOC, doc.slice(0, a) + table + doc.slice(b + END.length));
console.log(`wrote the table of ${DOC} (${run.lines.length} lines)`);
