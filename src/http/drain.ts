// Draining an HTTP server on shutdown (issue 20): stop accepting, let every request already received finish,
// close each keep-alive connection after its response rather than under a request, and destroy what is left
// only at a deadline. Apollo's drain plugin does most of this, but its grace period is fixed when the server is
// built and it ends a keep-alive connection without telling the client, which may already be reusing it.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Whether the process is shutting down: /readyz answers 503 from the first moment, before anything closes. */
export class DrainState {
  draining = false;
}

export class HttpDrain {
  /** Requests received and not yet answered, per open connection (WebSockets are left to their own close). */
  private readonly inFlight = new Map<Socket, number>();
  /** Connections upgraded to WebSocket: closed by their server with 1001, destroyed here only at the deadline. */
  private readonly upgraded = new Set<Socket>();
  /**
   * Connections this drain ended. Ending closes only the server's side: a client that had not yet seen it may
   * still send a request on the connection, and Node would read and run it although its answer can no longer be
   * written (a mutation stored, its client told nothing). Such a request is refused unread instead.
   */
  private readonly ended = new WeakSet<Socket>();
  private closing = false;
  private stopped?: Promise<boolean>;

  /** Serves `server`'s requests with `handler`: the drain is the server's only request listener. */
  constructor(
    private readonly server: Server,
    private readonly state: DrainState,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    /** Counts requests in flight (the http_requests_in_flight gauge). */
    private readonly gauge?: { inc(): void; dec(): void },
  ) {
    server.on('connection', (socket: Socket) => {
      this.inFlight.set(socket, 0);
      socket.once('close', () => this.inFlight.delete(socket));
    });
    server.on('upgrade', (req: { socket: Socket }) => {
      this.inFlight.delete(req.socket);
      this.upgraded.add(req.socket);
      req.socket.once('close', () => this.upgraded.delete(req.socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      if (this.ended.has(socket)) {
        socket.destroy();
        return;
      }
      this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
      this.gauge?.inc();
      // While draining, a response tells the client not to reuse its connection, and Node closes it after the
      // response: the client never sends a request on a connection the server is about to close.
      if (this.state.draining) res.setHeader('connection', 'close');
      res.once('close', () => {
        this.gauge?.dec();
        const left = (this.inFlight.get(socket) ?? 1) - 1;
        if (this.inFlight.has(socket)) this.inFlight.set(socket, left);
        if (this.closing && left === 0) this.end(socket);
      });
      handler(req, res);
    });
  }

  /**
   * Stops accepting, closes idle connections, waits for in-flight requests until `deadline` (ms since the epoch),
   * then destroys the connections left. Resolves true when every request finished in time.
   */
  stop(deadline: number): Promise<boolean> {
    this.stopped ??= new Promise<boolean>((resolve) => {
      this.state.draining = true;
      this.closing = true;
      let graceful = true;
      const timer = setTimeout(
        () => {
          graceful = false;
          for (const socket of [...this.inFlight.keys(), ...this.upgraded]) socket.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      this.server.close(() => {
        clearTimeout(timer);
        resolve(graceful);
      });
      for (const [socket, requests] of this.inFlight) if (requests === 0) this.end(socket);
    });
    return this.stopped;
  }

  private end(socket: Socket): void {
    this.ended.add(socket);
    socket.end();
  }
}
