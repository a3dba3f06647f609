/**
 * The keys the handshake tests log in with: one of each source — an ssh-agent key ("alice", through
 * a client that counts sign requests), an OpenSSH key file, a seed — and a router key held by the
 * same throwaway agent ("router-node-key").
 */
import { startThrowawayAgent, type ThrowawayAgent } from '../../lib/agent/throwaway.js';
import { openAgentKey } from '../../lib/keys/agent-key.js';
import { loadKeyFile } from '../../lib/keys/openssh-key-file.js';
import { fromSeed } from '../../lib/keys/seed-key.js';
import type { SigningKey } from '../../lib/keys/signing-key.js';
import { CountingAgentClient } from './counting-key.js';
import { fixtureCopy } from './paths.js';

export interface LoginKeys {
  agent: ThrowawayAgent;
  /** the agent key's client: its sign requests are counted */
  agentClient: CountingAgentClient;
  keys: Record<'seed' | 'file' | 'agent', SigningKey>;
  routerAgentKey: SigningKey;
  /** closes the keys and stops the agent */
  close(): Promise<void>;
}

/** Starts a throwaway agent with the two agent keys; the file key is a copy of fixtures/ed25519 in `dir`. */
export async function openLoginKeys(dir: string): Promise<LoginKeys> {
  const agent = await startThrowawayAgent();
  await agent.makeKey('alice', { comment: 'alice' });
  await agent.makeKey('router', { comment: 'router-node-key' });
  const agentClient = new CountingAgentClient({ socketPath: agent.socketPath });
  const keys = {
    agent: await openAgentKey('alice', { client: agentClient }),
    file: loadKeyFile(fixtureCopy(dir, 'ed25519')),
    seed: fromSeed('c3'.repeat(32)),
  };
  const routerAgentKey = await openAgentKey('router-node-key', { socketPath: agent.socketPath });
  return {
    agent,
    agentClient,
    keys,
    routerAgentKey,
    async close() {
      await keys.agent.close();
      await routerAgentKey.close();
      await agent.stop();
    },
  };
}
