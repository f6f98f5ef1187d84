// A graphql-ws socket lives no longer than the token it was opened with: at the token's expiry the server closes it
// with 4403 (the code of a refused connection_init), and the client reconnects with a fresh token.
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';

/** setTimeout takes at most 2^31-1 ms (about 24.8 days); a longer wait is taken in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
export const TOKEN_EXPIRED_REASON = 'Token expired';

/** Closes `socket` with 4403 at `expiresAt` (ms since the epoch); returns the function that cancels it. */
export function closeAtExpiry(socket: WebSocket, expiresAt: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      socket.close(CloseCode.Forbidden, TOKEN_EXPIRED_REASON);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
    // A pending expiry must not keep a process alive that is otherwise done.
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
