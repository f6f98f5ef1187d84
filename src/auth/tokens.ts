// Bearer tokens: HS256 JWTs with claims `sub` and `role`.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { UnauthenticatedError } from '../errors';

export const ROLES = ['shopper', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking. `anonymous` carries no token at all. */
export type Viewer = { role: 'anonymous' } | { role: Role; sub: string };

const claims = z.object({ sub: z.string().min(1), role: z.enum(ROLES) });

export class TokenService {
  private readonly key: Uint8Array;
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
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new UnauthenticatedError('Token lacks a valid `sub` or `role` claim');
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
