// Process entry point: configuration, start, and graceful shutdown on SIGTERM/SIGINT. This handler is the only
// owner of those signals (Apollo's own is turned off, see http/server.ts): it drains, stops in order, exits 0.
import { shutdownDeadline, startPlatform } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config);
  // The signal handlers below listen from this tick on, before the start logs 'platform started': an orchestrator
  // (or a test) may signal as soon as it reads that line, and a signal with no listener yet would kill the process
  // by the default action, in-flight work and all (a race a loaded machine lost now and then).
  const starting = startPlatform(config, log);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    // A second signal (an impatient Ctrl-C, an orchestrator repeating itself) must not kill the process under its
    // in-flight work: the deadline below already bounds the shutdown.
    if (shuttingDown) {
      log.info({ signal }, 'already shutting down');
      return;
    }
    shuttingDown = true;
    const since = Date.now();
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    timer.unref();
    // A signal during the start stops the platform once it has started (within the same deadline); a start that
    // fails ends the process below (main's catch).
    const platform = await starting.catch(() => null);
    if (!platform) return;
    log.info({ signal, delayMs: config.ROLE === 'worker' ? 0 : config.SHUTDOWN_DELAY_MS }, 'shutting down');
    // /readyz turns 503 first; an API keeps serving for SHUTDOWN_DELAY_MS so that a load balancer polling it stops
    // sending new requests before the listener closes. A worker takes no traffic from one: it stops at once.
    platform.drain();
    if (config.ROLE !== 'worker' && config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
    try {
      await platform.stop(shutdownDeadline(config, since));
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
  await starting;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
