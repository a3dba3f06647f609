#!/usr/bin/env node
/** The CLI's entry: runs main() on this process's arguments, streams and terminal. */
import { processIo } from './cli-io.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), processIo());
