// npm run token -- --role admin [--sub ID] [--ttl 1h] — prints a bearer token signed with JWT_SECRET.
import { parseArgs } from 'node:util';
import { ROLES, TokenService, type Role } from '../auth/tokens';
import { loadConfig } from '../config';

const { values } = parseArgs({
  options: { role: { type: 'string', default: 'admin' }, sub: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
});

function seconds(ttl: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(ttl);
  if (!m) throw new Error(`--ttl must look like 30s, 15m, 1h or 7d (got ${ttl})`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2] ?? '']!;
}

try {
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig();
  const token = await new TokenService(config.JWT_SECRET).sign({
    role,
    sub: values.sub ?? `${role}-cli`,
    ttlSeconds: seconds(values.ttl!),
  });
  console.log(token);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
