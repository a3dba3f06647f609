/** `cryptosign-keys/testing`: a throwaway ssh-agent with keys of its own, for tests and demos. */
export { startThrowawayAgent, type ThrowawayAgent } from './agent/throwaway.js';
