// Bearer tokens: HS256 JWTs with claims `sub` and `role`.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { UnauthenticatedError } from '../errors';

export const ROLES = ['shopper', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking. `anonymous` carries no token at all. */
export type Viewer = { role: 'anonymous' } | { role: Role; sub: string };

const claims = z.object({ sub: z.string().min(1), role: z.enum(ROLES) });

/** Verified tokens kept, so a storefront's service token is not re-verified (HMAC via WebCrypto) on every request. */
const VERIFIED_CACHE_SIZE = 10_000;
/** A cached verification is re-done at least this often, even for a token that expires later (or never). */
const VERIFIED_CACHE_MAX_MS = 5 * 60 * 1000;

export class TokenService {
  private readonly key: Uint8Array;
  /** token → its viewer and until when that verdict holds (the token's expiry, capped). Insertion-ordered. */
  private readonly verified = new Map<string, { viewer: Viewer; until: number }>();

  constructor(secret: string) {
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
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && now < hit.until) return hit.viewer;
    this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new UnauthenticatedError('Token lacks a valid `sub` or `role` claim');
      // Only successes are kept, and only until the token expires: the answer for a given token and secret
      // cannot change before then.
      const until = Math.min(payload.exp === undefined ? Infinity : payload.exp * 1000, now + VERIFIED_CACHE_MAX_MS);
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { viewer: parsed.data, until });
      return parsed.data;
    } catch (err) {
      if (err instanceof UnauthenticatedError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired');
      throw new UnauthenticatedError('Invalid token');
    }
  }

  /** Reads an `Authorization` header value (or connectionParams.authorization); no header means anonymous. */
  async viewerFromAuthorization(header: unknown): Promise<Viewer> {
    if (header === undefined || header === null || header === '') return { role: 'anonymous' };
    if (typeof header !== 'string') throw new UnauthenticatedError('Authorization must be a string');
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
    return this.verify(match[1]);
  }
}
