/**
 * One event is one line: text that came from a file or the wire (comments,
 * authids, realms, reasons) is escaped before it goes into a message or a
 * log line. Control characters (C0, DEL, C1, U+2028/U+2029) and the
 * backslash become `\n`, `\r`, `\t`, `\xNN`, `\uNNNN`, `\\`; text longer than
 * `max` characters is cut, saying how long it was.
 */
export const DEFAULT_ESCAPE_MAX = 200;

/** `value` as one bounded line: control characters and the backslash escaped, cut after `max` characters (saying how long it was). */
export function escapeText(value: unknown, max = DEFAULT_ESCAPE_MAX): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > max ? s.slice(0, max) : s;
  let out = '';
  for (let i = 0; i < cut.length; i++) {
    const c = cut.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff && !isPairedSurrogate(cut, i))) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += cut[i];
  }
  return s.length > max ? `${out}…(${s.length} characters)` : out;
}

function isPairedSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  const b = s.charCodeAt(i - 1);
  return b >= 0xd800 && b <= 0xdbff;
}

/** escapeText in double quotes: `"…"` (for `name="value"` log fields). */
export function quoted(value: unknown, max = DEFAULT_ESCAPE_MAX): string {
  return `"${escapeText(value, max).replace(/"/g, '\\"')}"`;
}
