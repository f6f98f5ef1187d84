// npm run -s token -- --role admin [--sub ID] [--ttl 1h] — prints a bearer token signed with JWT_SECRET, living no longer
// than AUTH_MAX_TOKEN_TTL_SECONDS (the API refuses a longer one). Only the token goes to stdout; npm's own banner
// ("> flywheel@… token") goes there too unless npm runs with -s (--silent), hence `npm run -s token` in the README.
import { parseArgs } from 'node:util';
import { ROLES, TokenService, type Role } from '../auth/tokens';
import { loadConfig } from '../config';
import { ttlSeconds as seconds } from './ttl';

const { values } = parseArgs({
  options: { role: { type: 'string', default: 'admin' }, sub: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
});

try {
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig();
  const ttlSeconds = seconds(values.ttl!);
  if (ttlSeconds < 1) throw new Error('--ttl must be at least 1s');
  if (ttlSeconds > config.AUTH_MAX_TOKEN_TTL_SECONDS) {
    throw new Error(`--ttl ${values.ttl} is longer than AUTH_MAX_TOKEN_TTL_SECONDS (${config.AUTH_MAX_TOKEN_TTL_SECONDS} s): the API would refuse it`);
  }
  const token = await new TokenService(config.JWT_SECRET, config.AUTH_MAX_TOKEN_TTL_SECONDS).sign({
    role,
    sub: values.sub ?? `${role}-cli`,
    ttlSeconds,
  });
  console.log(token);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
