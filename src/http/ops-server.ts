// A worker-only process (ROLE=worker) serves just /healthz, /readyz and /metrics, for orchestrators and Prometheus.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import type { DependencyCheck } from '../store/health';
import { HttpDrain, type DrainState } from './drain';
import { mountOpsRoutes, type RunningHttpServer } from './server';

export async function startOpsServer(deps: {
  config: Config;
  metrics: Metrics;
  readiness: DependencyCheck[];
  drain: DrainState;
}): Promise<RunningHttpServer> {
  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, deps.metrics, deps.readiness, deps.config, deps.drain);
  const server = createServer();
  const httpDrain = new HttpDrain(server, deps.drain, app, deps.metrics.httpInFlight);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.PORT, deps.config.HOST, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: async (deadline) => void (await httpDrain.stop(deadline)),
  };
}
