// The client's address, for per-IP limits. By default the socket's peer (TRUST_PROXY=0): a header the client
// writes itself proves nothing. Behind N proxies that each append to X-Forwarded-For (a load balancer, an
// ingress), TRUST_PROXY=N takes the address the outermost trusted proxy saw, N entries from the right of
// [X-Forwarded-For…, socket address], as Express's numeric `trust proxy` does.
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export function clientIp(req: IncomingMessage, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return clientKeyAddress(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return clientKeyAddress(chain[Math.max(0, chain.length - 1 - trustedProxies)]!);
}

/**
 * The address a limit counts: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, which one subscriber usually
 * holds whole, so that walking through its 2^64 addresses does not escape the limit.
 */
export function clientKeyAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}
