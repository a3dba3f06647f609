import { statSync, type Stats } from 'node:fs';

/** stat(2) with "missing" told apart from other failures (whose errno code is given). */
export function statPath(path: string): Stats | { missing: true } | { error: string } {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
    return { error: code ?? String(e) };
  }
}

/** What identifies one version of a file (device, inode, size, mtime, ctime): a change of any means "read it again". */
export function fileStamp(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}
