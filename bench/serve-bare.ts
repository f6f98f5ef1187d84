// The bare server bench:serve measures the API against (issue 22: "a bare HTTP + one-Redis-GET server"): node:http,
// and for each request it reads the body, does one Redis GET of BARE_KEY (a recorded `recommendations` answer, so
// the bytes moved are the same) and answers it as JSON. The floor of any Node service that reads from this Redis:
// what the API costs above it is GraphQL, auth, limits and the recommender. Run as a process of its own, like the API.
// Environment: REDIS_URL, BARE_KEY. Prints `listening <port>` once it accepts connections.
import http from 'node:http';
import { createRedis } from '../src/store/redis';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'flywheel-bench-bare');
const key = process.env.BARE_KEY!;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    redis.get(key).then(
      (value) => {
        const body = value ?? 'null';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err.message);
      },
    );
  });
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  redis.disconnect();
});
