import { bcryptPbkdf } from './dist/lib/crypto/bcrypt-pbkdf.js';
import { createRequire } from 'node:module';
const ref = createRequire(import.meta.url)('bcrypt-pbkdf');
let t = performance.now(); const k1 = bcryptPbkdf(Buffer.from('bench pass'), Buffer.from('0123456789abcdef'), 16, 48); const ours = performance.now() - t;
const k2 = new Uint8Array(48); t = performance.now(); ref.pbkdf(Buffer.from('bench pass'), 10, Buffer.from('0123456789abcdef'), 16, k2, 48, 16); const theirs = performance.now() - t;
console.log('equal', Buffer.from(k1).equals(Buffer.from(k2)), 'ours', ours.toFixed(0), 'ms (incl. pi)', 'theirs', theirs.toFixed(0));
t = performance.now(); bcryptPbkdf(Buffer.from('bench pass'), Buffer.from('0123456789abcdef'), 16, 48); console.log('ours again', (performance.now() - t).toFixed(0));
