// Token lifetimes as people type them on the command line (npm run token, npm run admin-link).

/** `30s`, `15m`, `1h`, `7d` or a number of seconds → seconds. */
export function ttlSeconds(ttl: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(ttl);
  if (!m) throw new Error(`--ttl must look like 30s, 15m, 1h or 7d (got ${ttl})`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2] ?? '']!;
}

/** The admin UI's one-click sign-in: the token rides in the URL fragment, which browsers send to no server and
 * write to no access log; the UI moves it to the tab's sessionStorage and removes it from the address bar. */
export function adminLink(apiUrl: string, token: string): string {
  return `${new URL('/admin/', apiUrl).href}#token=${token}`;
}
