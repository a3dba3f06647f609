/**
 * The ssh-agent protocol messages this library speaks (draft-miller-ssh-agent):
 * request identities, sign request, and their replies. Pure functions over
 * bytes: every malformed reply becomes AgentError(AGENT_MALFORMED_REPLY),
 * nothing else is thrown.
 */
import { AgentError } from '../errors.js';
import { WireError, WireReader, concatBytes, readUint32, wireString, wireUint32 } from '../ssh/wire.js';

const SSH_AGENT_FAILURE = 5;
const SSH_AGENTC_REQUEST_IDENTITIES = 11;
const SSH_AGENT_IDENTITIES_ANSWER = 12;
const SSH_AGENTC_SIGN_REQUEST = 13;
const SSH_AGENT_SIGN_RESPONSE = 14;
/** OpenSSH's ssh-agent also answers "extension failure" with 28; treat as a failure. */
const SSH_AGENT_EXTENSION_FAILURE = 28;

/** OpenSSH's own limit on an agent message (AGENT_MAX_LEN is 256 KiB). */
export const MAX_MESSAGE_LENGTH = 256 * 1024;

/** One identity in the agent's answer to REQUEST_IDENTITIES: the public key blob and its comment. */
export interface AgentIdentity {
  blob: Uint8Array;
  comment: string;
}

function frame(payload: Uint8Array): Uint8Array {
  return concatBytes(wireUint32(payload.length), payload);
}

export function encodeRequestIdentities(): Uint8Array {
  return frame(Uint8Array.of(SSH_AGENTC_REQUEST_IDENTITIES));
}

/** uint32 length, byte 13, string key blob, string data, uint32 flags: built in one buffer (one allocation per request). */
export function encodeSignRequest(keyBlob: Uint8Array, data: Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(4 + 1 + 4 + keyBlob.length + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length - 4);
  out[4] = SSH_AGENTC_SIGN_REQUEST;
  view.setUint32(5, keyBlob.length);
  out.set(keyBlob, 9);
  view.setUint32(9 + keyBlob.length, data.length);
  out.set(data, 13 + keyBlob.length);
  view.setUint32(13 + keyBlob.length + data.length, flags >>> 0);
  return out;
}

function malformed(what: string): AgentError {
  return new AgentError('AGENT_MALFORMED_REPLY', `malformed reply from ssh-agent: ${what}`);
}

function refused(request: string): AgentError {
  return new AgentError(
    'AGENT_REFUSED',
    request === 'sign'
      ? 'ssh-agent refused to sign (the key was removed, the agent is locked, or confirmation was denied)'
      : 'ssh-agent refused to list its keys (is it locked?)',
  );
}

/** Splits a byte stream into agent messages (the payload, without the length). */
export class MessageFramer {
  private buf: Uint8Array = new Uint8Array(0);

  /** Adds bytes; returns the complete messages now available. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length === 0 ? chunk : concatBytes(this.buf, chunk);
    const out: Uint8Array[] = [];
    while (this.buf.length >= 4) {
      const b = this.buf;
      const len = readUint32(b, 0);
      if (len === 0) throw malformed('empty message');
      if (len > MAX_MESSAGE_LENGTH) throw malformed(`message of ${len} bytes is over the ${MAX_MESSAGE_LENGTH}-byte limit`);
      if (b.length < 4 + len) break;
      out.push(b.subarray(4, 4 + len));
      this.buf = b.subarray(4 + len);
    }
    return out;
  }

  get pending(): number {
    return this.buf.length;
  }
}

function parse<T>(payload: Uint8Array, request: 'list' | 'sign', expected: number, body: (r: WireReader) => T): T {
  if (payload.length === 0) throw malformed('empty message');
  const type = payload[0] as number;
  if (type === SSH_AGENT_FAILURE || type === SSH_AGENT_EXTENSION_FAILURE) {
    if (payload.length !== 1) throw malformed('failure message with trailing bytes');
    throw refused(request);
  }
  if (type !== expected) throw malformed(`unexpected message type ${type} (expected ${expected})`);
  const r = new WireReader(payload.subarray(1));
  try {
    const result = body(r);
    r.end();
    return result;
  } catch (e) {
    if (e instanceof WireError) throw malformed(e.message);
    throw e;
  }
}

export function parseIdentitiesAnswer(payload: Uint8Array): AgentIdentity[] {
  return parse(payload, 'list', SSH_AGENT_IDENTITIES_ANSWER, (r) => {
    const n = r.uint32();
    // each identity needs at least 8 bytes (two empty strings)
    if (n > r.remaining / 8) throw new WireError(`${n} identities announced, room for at most ${Math.floor(r.remaining / 8)}`);
    const ids: AgentIdentity[] = [];
    for (let i = 0; i < n; i++) {
      const blob = new Uint8Array(r.string());
      if (blob.length === 0) throw new WireError(`identity ${i} has an empty key blob`);
      ids.push({ blob, comment: r.utf8() });
    }
    return ids;
  });
}

/** A signature as the agent returns it, unwrapped from its SSH signature blob. */
export interface AgentSignature {
  /** signature algorithm named by the agent, e.g. `ssh-ed25519` */
  algorithm: string;
  /** the raw signature bytes */
  signature: Uint8Array;
}

export function parseSignResponse(payload: Uint8Array): AgentSignature {
  return parse(payload, 'sign', SSH_AGENT_SIGN_RESPONSE, (r) => {
    const sigBlob = r.string();
    const s = new WireReader(sigBlob);
    const algorithm = new TextDecoder('utf-8', { ignoreBOM: true }).decode(s.string());
    const signature = new Uint8Array(s.string());
    s.end();
    return { algorithm, signature };
  });
}
