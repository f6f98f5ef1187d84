// npm run -s admin-link [-- --url http://host:4000] [--ttl 12h] [--sub NAME] — prints a one-click sign-in URL for the
// admin UI: an admin token signed with JWT_SECRET, in the URL's fragment (see adminLink). Open it and you are signed
// in; the paste form stays for tokens made elsewhere. The token lives no longer than --ttl (12 h, capped by
// AUTH_MAX_TOKEN_TTL_SECONDS) and only in the tab that opened the link.
import { parseArgs } from 'node:util';
import { TokenService } from '../auth/tokens';
import { loadConfig } from '../config';
import { adminLink, ttlSeconds } from './ttl';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}` },
    ttl: { type: 'string', default: '12h' },
    sub: { type: 'string', default: 'admin-link' },
  },
});

try {
  const config = loadConfig();
  const ttl = Math.min(ttlSeconds(values.ttl!), config.AUTH_MAX_TOKEN_TTL_SECONDS);
  if (ttl < 1) throw new Error('--ttl must be at least 1s');
  const token = await new TokenService(config.JWT_SECRET, config.AUTH_MAX_TOKEN_TTL_SECONDS).sign({ role: 'admin', sub: values.sub!, ttlSeconds: ttl });
  console.log(adminLink(values.url!, token));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
