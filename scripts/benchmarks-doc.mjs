#!/usr/bin/env node
/**
 * Writes the table of docs/benchmarks.md, and the README's summary of the
 * lines that have a target, from one bench run's results:
 *   npm run bench -- --json bench.json && node scripts/benchmarks-doc.mjs bench.json
 * Only the parts between the markers are replaced; the rest of each page is kept.
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
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- bench-table:start (scripts/benchmarks-doc.mjs writes this part) -->';
const END = '<!-- bench-table:end -->';
const SUMMARY_START = '<!-- bench-summary:start (scripts/benchmarks-doc.mjs writes this part) -->';
const SUMMARY_END = '<!-- bench-summary:end -->';

const fig = (v, unit) => `${v.toFixed(unit === 'ops/s' ? 0 : 1)} ${unit}`;
const target = (t) => {
  if (!t) return '';
  const v = Number(t.value.toFixed(3));
  return t.kind === 'max-ratio' ? `≤ ${v}×` : t.kind === 'min-ratio' ? `≥ ${v}×` : `≤ +${v} ms`;
};
const rows = [];
let group;
// a paired line's ratio and difference are medians of per-turn ones (bench/lines.ts), not of the two medians
const deltaOf = (l) => (l.unit === 'ms' && l.baselineValue !== undefined ? (l.paired?.deltaMs ?? l.value - l.baselineValue) : undefined);
const ratioText = (l) => {
  if (l.ratio === undefined) return '';
  const delta = deltaOf(l);
  return `${l.ratio.toFixed(3)}×${delta !== undefined ? ` (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms)` : ''}${l.paired ? ' paired' : ''}`;
};
const metText = (l) => (l.met === undefined ? '' : l.met ? 'met' : '**missed**');
for (const l of run.lines) {
  if (l.group !== group) {
    group = l.group;
    rows.push(`| **${group}** | | | | | |`);
  }
  if (l.text !== undefined) {
    rows.push(`| ${l.text.replace(/\|/g, '\\|')} | | | | | |`);
    continue;
  }
  const base = l.baseline === undefined ? '' : `${l.baseline}${l.baselineValue === undefined ? '' : `: ${fig(l.baselineValue, l.unit)}`}`;
  const name = l.note ? `${l.name} <sub>(${l.note})</sub>` : l.name;
  rows.push(`| ${name} | ${fig(l.value, l.unit)} | ${base} | ${ratioText(l)} | ${target(l.target)} | ${metText(l)} |`);
}
const targeted = run.lines.filter((l) => l.target);
const met = targeted.filter((l) => l.met).length;
const header = `One run of \`npm run bench\` started ${run.started} (node ${run.node}, ${run.cores} cores: ${run.cpu}; Ed25519 verify equation: ${run.verifyBackend}; ` +
  `load average ${run.loadBefore.toFixed(2)} at the start, ${run.loadAfter.toFixed(2)} at the end; ${run.seconds} s per measurement). ${met} of ${targeted.length} targets met.`;
const table = [START, header, '', '| measurement | figure | baseline | ratio | target | |', '| --- | ---: | --- | ---: | ---: | --- |', ...rows, END].join('\n');
const summary = [
  SUMMARY_START,
  `From one run of \`npm run bench\` (${run.started.slice(0, 10)}, node ${run.node}, ${run.cores} cores; ${met} of ${targeted.length} targets met; every line and how to read it: [docs/benchmarks.md](docs/benchmarks.md)).`,
  '',
  '| measurement | against | ratio | target | |',
  '| --- | --- | ---: | ---: | --- |',
  ...run.lines.filter((l) => l.target || l.summary).map((l) => `| ${l.name} | ${l.baseline} | ${ratioText(l)} | ${target(l.target)} | ${metText(l)} |`),
  SUMMARY_END,
].join('\n');

/** Replaces the part of `file` between `start` and `end` with `text` (the markers included in it). */
function replaceBetween(file, start, end, text) {
  const doc = readFileSync(file, 'utf8');
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`${file}: the markers ${start} … ${end} are missing`);
    process.exit(1);
  }
  writeFileSync(file, doc.slice(0, a) + text + doc.slice(b + end.length));
}
replaceBetween(DOC, START, END, table);
replaceBetween(README, SUMMARY_START, SUMMARY_END, summary);
console.log(`wrote the table of ${DOC} (${run.lines.length} lines) and the README's summary (${targeted.length} lines)`);
