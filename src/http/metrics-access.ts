// Who may scrape /metrics (API and worker alike). The figures tell an outsider the traffic, the queues and the
// runtime, so with METRICS_TOKEN set Prometheus must send it as `Authorization: Bearer …` (what its scrape configs'
// `authorization` / `bearer_token_file` do). Without it, development and tests keep /metrics open for the curious,
// and production answers 404 to everyone: an unprotected endpoint is never an accident of a missing setting.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../config';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsAccess(config: Pick<Config, 'NODE_ENV' | 'METRICS_TOKEN'>): RequestHandler {
  const token = config.METRICS_TOKEN;
  if (!token) {
    if (config.NODE_ENV !== 'production') return (_req, _res, next) => next();
    return (_req, res) => {
      res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
    };
  }
  const expected = digest(token);
  return (req, res, next) => {
    const sent = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1] ?? '';
    // Compared as digests of equal length, in constant time, so a wrong token's timing tells nothing of the right one.
    if (timingSafeEqual(digest(sent), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="metrics"')
      .json({ errors: [{ message: 'Send Authorization: Bearer <METRICS_TOKEN>', extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}
