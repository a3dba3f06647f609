#!/usr/bin/env node
/** The CLI's entry: runs main() on this process's arguments, streams and terminal. */
import { setVerifyBackend } from '../lib/ssh.js';
import { processIo } from './cli-io.js';
import { main } from './main.js';

// one process, a few signatures: OpenSSL's equation (same decisions) instead of loading sodium-native
setVerifyBackend('openssl');
void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
