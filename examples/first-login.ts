import { Wampy } from 'wampy';
import { openAgentKey, cryptosignClient } from 'cryptosign-keys';

const key = await openAgentKey();   // the one Ed25519 key in ssh-agent
const login = cryptosignClient(key, { channelBinding: 'tls-unique', routerKeys: ['<router public key hex>'] });
const wampy = await login.connectWampy(Wampy, 'wss://router.example/ws', { realm: 'realm1', authid: 'alice' })
  .catch((e) => { console.error(`[${e.code}] ${e.message}`); process.exit(1); });
