// Bearer tokens: HS256 JWTs with claims `sub`, `role` and `exp` (required: a token that never expires cannot be
// taken back short of changing the secret), living at most `maxTtlSeconds` (AUTH_MAX_TOKEN_TTL_SECONDS).
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { UnauthenticatedError } from '../errors';

export const ROLES = ['shopper', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking. `anonymous` carries no token at all. */
export type Viewer = { role: 'anonymous' } | { role: Role; sub: string };

/** A verified caller and when its token stops being valid (ms since the epoch; undefined for anonymous). */
export interface Authenticated {
  viewer: Viewer;
  expiresAt?: number;
}

const claims = z.object({ sub: z.string().min(1), role: z.enum(ROLES) });

/** Verified tokens kept, so a storefront's service token is not re-verified (HMAC via WebCrypto) on every request. */
const VERIFIED_CACHE_SIZE = 10_000;
/** A cached verification is re-done at least this often, even for a token that expires later. */
const VERIFIED_CACHE_MAX_MS = 5 * 60 * 1000;
/** The default maximum lifetime when none is given (the config's default for AUTH_MAX_TOKEN_TTL_SECONDS). */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 24 * 3600;

export class TokenService {
  private readonly key: Uint8Array;
  /** token → its viewer, its expiry and until when that verdict holds (the expiry, capped). Insertion-ordered. */
  private readonly verified = new Map<string, { session: Required<Authenticated>; until: number }>();

  constructor(
    secret: string,
    /** Longest lifetime accepted: exp − iat, or exp − now for a token without iat. */
    readonly maxTtlSeconds: number = DEFAULT_MAX_TOKEN_TTL_SECONDS,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(input: { sub: string; role: Role; ttlSeconds?: number }): Promise<string> {
    return new SignJWT({ role: input.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(input.sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (input.ttlSeconds ?? 3600))
      .sign(this.key);
  }

  /** Verifies a raw token; throws UnauthenticatedError naming why it was refused. */
  async verify(token: string): Promise<Viewer> {
    return (await this.verifySession(token)).viewer;
  }

  private async verifySession(token: string): Promise<Required<Authenticated>> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && now < hit.until) return hit.session;
    this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new UnauthenticatedError('Token lacks a valid `sub` or `role` claim');
      if (typeof payload.exp !== 'number') throw new UnauthenticatedError('Token has no expiry: an `exp` claim is required');
      const lifetime = payload.exp - (typeof payload.iat === 'number' ? payload.iat : Math.floor(now / 1000));
      if (lifetime > this.maxTtlSeconds) {
        throw new UnauthenticatedError(`Token lives too long: ${lifetime} s, the most accepted is ${this.maxTtlSeconds} s`);
      }
      const session = { viewer: parsed.data, expiresAt: payload.exp * 1000 };
      // Only successes are kept, and only until the token expires: the answer for a given token and secret
      // cannot change before then.
      const until = Math.min(session.expiresAt, now + VERIFIED_CACHE_MAX_MS);
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { session, until });
      return session;
    } catch (err) {
      if (err instanceof UnauthenticatedError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired');
      throw new UnauthenticatedError('Invalid token');
    }
  }

  /** Reads an `Authorization` header value (or connectionParams.authorization); no header means anonymous. */
  async viewerFromAuthorization(header: unknown): Promise<Viewer> {
    return (await this.authenticate(header)).viewer;
  }

  /** Like viewerFromAuthorization, with the token's expiry (a WebSocket is closed then). */
  async authenticate(header: unknown): Promise<Authenticated> {
    if (header === undefined || header === null || header === '') return { viewer: { role: 'anonymous' } };
    if (typeof header !== 'string') throw new UnauthenticatedError('Authorization must be a string');
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
    return this.verifySession(match[1]);
  }
}
