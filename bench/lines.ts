/**
 * The bench's result lines: each measurement as a ratio to a named baseline,
 * with its target and whether it was met, printed as it comes and collected
 * for `--json FILE` (which scripts/benchmarks-doc.mjs turns into the table in
 * docs/benchmarks.md). Other bench modules (bench/authorized-keys.ts,
 * bench/login.ts) hand back lines of the same shape.
 */

export interface BenchTarget {
  /** 'max': ratio (or delta) must be at most `value`; 'min': at least */
  kind: 'max-ratio' | 'min-ratio' | 'max-delta-ms';
  value: number;
}

export interface BenchLine {
  /** the table's section, e.g. "Encrypted key files" */
  group: string;
  /** what was measured, e.g. "cryptosign-keys pubkey --key (16 rounds)" */
  name: string;
  /** its figure, in `unit` */
  value: number;
  unit: 'ms' | 'ops/s' | 'µs';
  /** what it is compared with, e.g. "ssh-keygen -y (16 rounds)" */
  baseline?: string;
  baselineValue?: number;
  /** value / baselineValue (for ops/s: higher is better; for ms: lower is better) */
  ratio?: number;
  target?: BenchTarget;
  met?: boolean;
  /** how it was measured (medians of n, best of n, …) */
  note?: string;
  /** a line another bench module printed as text (its figures and targets inside): value is NaN */
  text?: string;
  /**
   * the median of per-turn ratios (and differences, for ms) to the baseline, taken side by side;
   * when given, the ratio and the target use these, not value / baselineValue
   */
  paired?: { ratio: number; deltaMs?: number };
  /** shown in the README's summary although it has no target (lines with a target always are) */
  summary?: boolean;
}

export const collected: BenchLine[] = [];

function targetText(t: BenchTarget): string {
  const v = Number(t.value.toFixed(3));
  if (t.kind === 'max-ratio') return `<= ${v} x`;
  if (t.kind === 'min-ratio') return `>= ${v} x`;
  return `<= +${t.value} ms`;
}

/** Records and prints one line; the ratio and met/missed are computed here. */
export function line(l: Omit<BenchLine, 'ratio' | 'met'>): BenchLine {
  const out: BenchLine = { ...l };
  if (l.baselineValue !== undefined) out.ratio = l.paired?.ratio ?? l.value / l.baselineValue;
  const delta = deltaMs(l);
  if (l.target && out.ratio !== undefined) {
    const t = l.target;
    out.met = t.kind === 'max-ratio' ? out.ratio <= t.value : t.kind === 'min-ratio' ? out.ratio >= t.value : (delta as number) <= t.value;
  }
  collected.push(out);
  const fig = `${l.value.toFixed(l.unit === 'ops/s' ? 0 : 1)} ${l.unit}`;
  const vs = out.ratio === undefined ? '' : `  ${out.ratio.toFixed(3)} x ${l.baseline}${delta !== undefined ? ` (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms)` : ''}${l.paired ? ' paired' : ''}`;
  const tgt = l.target ? `  target ${targetText(l.target)}: ${out.met ? 'met' : 'MISSED'}` : '';
  console.log(`  ${l.name.padEnd(50)} ${fig.padStart(12)}${vs}${tgt}`);
  return out;
}

/** A ms line's difference to its baseline: the paired one where there is one. */
export function deltaMs(l: Pick<BenchLine, 'unit' | 'value' | 'baselineValue' | 'paired'>): number | undefined {
  if (l.unit !== 'ms' || l.baselineValue === undefined) return undefined;
  return l.paired?.deltaMs ?? l.value - l.baselineValue;
}

/** Records and prints a line that another bench module gives as text. */
export function textLine(group: string, text: string): void {
  collected.push({ group, name: text, value: Number.NaN, unit: 'ms', text });
  console.log(`  ${text}`);
}

export { targetText };
