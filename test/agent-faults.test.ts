/**
 * Agent misbehaviour a real ssh-agent will not show on demand, played by a
 * scripted agent on a real Unix socket: dying mid-request, silence,
 * garbage, wrong or forged signatures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { AgentClient } from '../lib/agent/client.js';
import { AgentSigningKey, openAgentKey } from '../lib/keys/agent-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { concatBytes, wireString, wireUint32 } from '../lib/ssh/wire.js';
import fc from 'fast-check';
import { CryptosignKeysError } from '../lib/errors.js';
import { assertFailure, runMain } from './helpers/cli.js';
import { expectCode } from './helpers/errors.js';
import { frame, startFakeAgent, type FakeReply } from './helpers/fake-agent.js';

const CHALLENGE = '77'.repeat(32);
const real = fromSeed('42'.repeat(32));
const blob = ed25519Blob(real.publicKey);

function identities(...keys: [Uint8Array, string][]): Uint8Array {
  return frame(concatBytes(Uint8Array.of(12), wireUint32(keys.length), ...keys.flatMap(([b, c]) => [wireString(b), wireString(c)])));
}
function signResponse(algorithm: string, signature: Uint8Array): Uint8Array {
  return frame(concatBytes(Uint8Array.of(14), wireString(concatBytes(wireString(algorithm), wireString(signature)))));
}

/** Answers the identity request honestly, then `onSign` for sign requests. */
function agentWith(onSign: FakeReply): FakeReply {
  return (req, socket) => {
    if (req[0] === 11) return identities([blob, 'fake@agent']);
    return onSign(req, socket);
  };
}

/** The honest signature for a sign request (data is the second string). */
function honest(req: Uint8Array): Uint8Array {
  const view = Buffer.from(req);
  const blobLen = view.readUInt32BE(1);
  const dataLen = view.readUInt32BE(5 + blobLen);
  const data = req.subarray(9 + blobLen, 9 + blobLen + dataLen);
  return real.signSync(data);
}

/** `timeoutMs`: short only where the fake is silent on purpose; elsewhere long, so that a stalled test machine is no timeout */
async function withFake(reply: FakeReply, run: (key: AgentSigningKey, socketPath: string) => Promise<void>, timeoutMs = 20_000) {
  const fake = await startFakeAgent(reply);
  try {
    const key = await openAgentKey(undefined, { socketPath: fake.socketPath, timeoutMs });
    try {
      await run(key, fake.socketPath);
    } finally {
      await key.close();
    }
  } finally {
    await fake.stop();
  }
}

test('an honest fake agent works (the harness itself is right)', async () => {
  await withFake(agentWith((req) => signResponse('ssh-ed25519', honest(req))), async (key) => {
    assert.equal(key.publicKeyHex, real.publicKeyHex);
    assert.equal(await signChallenge(key, CHALLENGE), await signChallenge(real, CHALLENGE));
  });
});

test('agent dies mid-request: AGENT_DIED, and the next request reconnects', async () => {
  let n = 0;
  await withFake(agentWith((req) => (n++ === 0 ? 'close' : signResponse('ssh-ed25519', honest(req)))), async (key) => {
    await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_DIED', /closed the connection before answering/);
    assert.equal(await signChallenge(key, CHALLENGE), await signChallenge(real, CHALLENGE));
  });
});

test('agent never answers: AGENT_TIMEOUT after the timeout, for every request in flight', async () => {
  await withFake(agentWith(() => 'silence'), async (key) => {
    const t0 = Date.now();
    const results = await Promise.allSettled([signChallenge(key, CHALLENGE), signChallenge(key, CHALLENGE)]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.code, 'AGENT_TIMEOUT');
    }
    const elapsed = Date.now() - t0;
    // not before its timeout (300 ms, less the timer's granularity); how late is the bench's business
    assert.ok(elapsed >= 250, `timed out after ${elapsed} ms`);
  }, 300);
});

test('malformed replies: AGENT_MALFORMED_REPLY', async () => {
  const cases: [string, FakeReply][] = [
    ['a wrong message type', () => frame(Uint8Array.of(12, 0, 0, 0, 0))],
    ['a truncated signature blob', () => frame(concatBytes(Uint8Array.of(14), wireUint32(100), new Uint8Array(10)))],
    ['trailing bytes', (req) => frame(concatBytes(signResponse('ssh-ed25519', honest(req)).subarray(4), Uint8Array.of(0)))],
    ['an empty message', () => Uint8Array.of(0, 0, 0, 0)],
    ['a 16 MiB length', () => Uint8Array.of(1, 0, 0, 0, 14)],
    ['a failure with trailing bytes', () => frame(Uint8Array.of(5, 1))],
  ];
  for (const [what, reply] of cases) {
    await withFake(agentWith(reply), async (key) => {
      await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_MALFORMED_REPLY', undefined).catch((e) => {
        throw new Error(`${what}: ${(e as Error).message}`);
      });
    });
  }
});

test('a message nobody asked for breaks the connection: AGENT_MALFORMED_REPLY', async () => {
  await withFake(agentWith((req) => concatBytes(signResponse('ssh-ed25519', honest(req)), frame(Uint8Array.of(5)))), async (key) => {
    // the first answer arrives together with an unsolicited one
    const results = await Promise.allSettled([signChallenge(key, CHALLENGE)]);
    assert.equal(results[0]?.status, 'fulfilled');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await signChallenge(key, CHALLENGE), await signChallenge(real, CHALLENGE), 'reconnects afterwards');
  });
});

test('an agent FAILURE answer: AGENT_REFUSED; and an extension failure likewise', async () => {
  for (const type of [5, 28]) {
    await withFake(agentWith(() => frame(Uint8Array.of(type))), async (key) => {
      await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_REFUSED');
    });
  }
});

test('wrong or forged signatures are caught: AGENT_BAD_SIGNATURE', async () => {
  const other = fromSeed('43'.repeat(32));
  const cases: FakeReply[] = [
    (req) => signResponse('ssh-ed25519', other.signSync(new Uint8Array(32))), // someone else's signature
    (req) => {
      const s = honest(req);
      s[0] = (s[0] as number) ^ 1;
      return signResponse('ssh-ed25519', s);
    },
    (req) => signResponse('rsa-sha2-256', honest(req)),
    () => signResponse('ssh-ed25519', new Uint8Array(63)),
  ];
  for (const reply of cases) {
    await withFake(agentWith(reply), async (key) => {
      await expectCode(() => signChallenge(key, CHALLENGE), 'AGENT_BAD_SIGNATURE');
    });
  }
});

test('a listing with a malformed key blob: AGENT_MALFORMED_REPLY', async () => {
  const fake = await startFakeAgent(() => identities([concatBytes(wireString('ssh-ed25519'), wireString(new Uint8Array(5))), 'bad']));
  try {
    await expectCode(() => openAgentKey(undefined, { socketPath: fake.socketPath }), 'AGENT_MALFORMED_REPLY');
  } finally {
    await fake.stop();
  }
});

test('a listing split into one-byte writes is reassembled', async () => {
  const fake = await startFakeAgent((req, socket) => {
    const msg = req[0] === 11 ? identities([blob, 'slow@agent']) : signResponse('ssh-ed25519', honest(req));
    void (async () => {
      for (const b of msg) {
        socket.write(Uint8Array.of(b));
        await new Promise((r) => setImmediate(r));
      }
    })();
    return 'silence';
  });
  try {
    const key = await openAgentKey(undefined, { socketPath: fake.socketPath });
    assert.equal(key.comment, 'slow@agent');
    assert.equal(await signChallenge(key, CHALLENGE), await signChallenge(real, CHALLENGE));
    await key.close();
  } finally {
    await fake.stop();
  }
});

test('an open client with nothing in flight does not keep a process alive; a closed one refuses', async () => {
  const fake = await startFakeAgent(agentWith((req) => signResponse('ssh-ed25519', honest(req))));
  try {
    const lib = new URL('../lib/index.js', import.meta.url).href;
    const script = `import { openAgentKey, signChallenge } from ${JSON.stringify(lib)};
      const key = await openAgentKey(undefined, { socketPath: ${JSON.stringify(fake.socketPath)} });
      await signChallenge(key, ${JSON.stringify(CHALLENGE)});
      console.log('signed, not closed');`;
    // async: the fake agent answers from this very process
    const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 10000 });
    assert.equal(r.stdout.trim(), 'signed, not closed', 'exited by itself, before the timeout');
    const client = new AgentClient({ socketPath: fake.socketPath });
    await client.listIdentities();
    await client.close();
    await expectCode(() => client.listIdentities(), 'AGENT_CLOSED');
  } finally {
    await fake.stop();
  }
});

test('the CLI on a misbehaving agent: exit 1, one line naming the fault, nothing on stdout', async () => {
  const cases: [FakeReply, RegExp][] = [
    [agentWith(() => 'silence'), /did not answer a sign request within 300 ms \(a confirmation prompt not answered\?\) \[AGENT_TIMEOUT\]/],
    [agentWith(() => 'close'), /closed the connection before answering .*\[AGENT_DIED\]/],
    [agentWith(() => frame(Uint8Array.of(99))), /malformed reply from ssh-agent: unexpected message type 99 .*\[AGENT_MALFORMED_REPLY\]/],
    [agentWith(() => frame(Uint8Array.of(5))), /refused to sign .*\[AGENT_REFUSED\]/],
    [agentWith(() => signResponse('ssh-ed25519', new Uint8Array(64))), /does not verify .*\[AGENT_BAD_SIGNATURE\]/],
    [() => 'silence', /did not answer a list keys request within 300 ms \[AGENT_TIMEOUT\]/],
  ];
  for (const [reply, pattern] of cases) {
    const fake = await startFakeAgent(reply);
    try {
      // 300 ms where the fake is silent on purpose (the message names it); long elsewhere, so a stalled machine is no timeout
      const timeout = String(pattern).includes('within 300 ms') ? '300' : '20000';
      const r = await runMain(['sign', '--agent', '--socket', fake.socketPath, '--timeout', timeout], { stdin: CHALLENGE });
      assertFailure(r, 1, pattern);
    } finally {
      await fake.stop();
    }
  }
});

test('random agent behaviour never hangs a request and only ever gives the library\'s errors', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom<'close' | 'silence'>('close', 'silence')), { minLength: 1, maxLength: 4 }),
      async (script) => {
        let i = 0;
        const fake = await startFakeAgent((req) => {
          const step = script[Math.min(i++, script.length - 1)] as Uint8Array | 'close' | 'silence';
          if (step === 'close' || step === 'silence') return step;
          // sometimes a well-framed message, sometimes raw bytes
          return i % 2 ? frame(step) : step;
        });
        const client = new AgentClient({ socketPath: fake.socketPath, timeoutMs: 150 });
        try {
          const results = await Promise.allSettled([
            client.listIdentities(),
            client.sign(blob, new Uint8Array(32)),
            client.sign(blob, new Uint8Array(32)),
          ]);
          for (const r of results) {
            if (r.status === 'rejected') assert.ok(r.reason instanceof CryptosignKeysError, String(r.reason));
          }
        } finally {
          await client.close();
          await fake.stop();
        }
      },
    ),
    { numRuns: 60, interruptAfterTimeLimit: 30000 },
  );
});

test('an agent that answers one request twice: no request ever gets another request\'s signature (raw AgentClient, 8 in flight)', async () => {
  let answered = 0;
  const fake = await startFakeAgent(agentWith((req) => {
    answered++;
    const reply = signResponse('ssh-ed25519', honest(req));
    return answered === 1 ? concatBytes(reply, reply) : reply; // the first answer comes twice
  }));
  const client = new AgentClient({ socketPath: fake.socketPath, timeoutMs: 2000 });
  try {
    const data = Array.from({ length: 8 }, (_, i) => new Uint8Array(32).fill(i + 1));
    const results = await Promise.allSettled(data.map((d) => client.sign(blob, d)));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        // whatever was handed out is this request's own signature
        assert.equal(Buffer.from(r.value.signature).toString('hex'), Buffer.from(real.signSync(data[i]!)).toString('hex'), `request ${i} got another request's signature`);
      } else {
        assert.ok(['AGENT_BAD_SIGNATURE', 'AGENT_MALFORMED_REPLY'].includes((r.reason as CryptosignKeysError).code), String(r.reason));
      }
    });
    assert.ok(results.some((r) => r.status === 'rejected'), 'the desynchronised stream was noticed');
    // and the client recovers on a fresh connection
    assert.equal(Buffer.from((await client.sign(blob, data[0]!)).signature).toString('hex'), Buffer.from(real.signSync(data[0]!)).toString('hex'));
  } finally {
    await client.close();
    await fake.stop();
  }
});
