/**
 * Runs in a worker thread for indexInWorker() (key-index.ts): builds the
 * compact key index of an authorized_keys file's bytes off the main event
 * loop and hands the bytes and the index back without copying (transferred).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KeyIndexBuilder } from './key-index.js';

const { bytes } = workerData as { bytes: Uint8Array };
const builder = new KeyIndexBuilder(bytes);
builder.step();
const parts = builder.parts();
const transfer = [parts.buf, parts.keys, parts.lineNos, parts.starts, parts.ends, parts.next, parts.table].map((a) => a.buffer as ArrayBuffer);
parentPort?.postMessage(parts, [...new Set(transfer)]);
