// Logs: one JSON object a line (pino), for log shippers and `jq`; on a terminal, the same lines made readable by
// pino-pretty (a development dependency: production images, which do not install it, always log JSON).
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'ROLE'>, stdout: { isTTY?: boolean } = process.stdout): Logger {
  const options = { level: config.LOG_LEVEL, base: { role: config.ROLE, pid: process.pid } };
  const pretty = stdout.isTTY ? prettyStream() : null;
  return pretty ? pino(options, pretty) : pino(options);
}

/** pino-pretty writing synchronously to stdout (nothing lost at exit), or null when it is not installed. */
function prettyStream(): DestinationStream | null {
  try {
    const mod = createRequire(import.meta.url)('pino-pretty') as { default?: PrettyFactory } & PrettyFactory;
    return (mod.default ?? mod)({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'hostname' });
  } catch {
    return null;
  }
}
type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;
