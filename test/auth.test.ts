import { describe, expect, it } from 'vitest';
import { requireActingFor, requireRole } from '../src/auth/guards';
import { TokenService } from '../src/auth/tokens';
import { ForbiddenError, UnauthenticatedError } from '../src/errors';

const tokens = new TokenService('unit-test-secret-0123456789');

describe('TokenService', () => {
  it('round-trips sub and role', async () => {
    const token = await tokens.sign({ sub: 'u1', role: 'shopper' });
    await expect(tokens.viewerFromAuthorization(`Bearer ${token}`)).resolves.toEqual({ sub: 'u1', role: 'shopper' });
  });

  it('treats a missing header as anonymous', async () => {
    await expect(tokens.viewerFromAuthorization(undefined)).resolves.toEqual({ role: 'anonymous' });
  });

  it('refuses expired, foreign and malformed tokens', async () => {
    const expired = await tokens.sign({ sub: 'u1', role: 'admin', ttlSeconds: -10 });
    await expect(tokens.verify(expired)).rejects.toThrow('Token expired');
    const foreign = await new TokenService('another-secret-0123456789').sign({ sub: 'u1', role: 'admin' });
    await expect(tokens.verify(foreign)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(tokens.viewerFromAuthorization('Basic abc')).rejects.toThrow(/Bearer/);
    await expect(tokens.verify('not.a.jwt')).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('guards', () => {
  it('requireRole distinguishes anonymous from a wrong role', () => {
    expect(() => requireRole({ role: 'anonymous' }, 'admin')).toThrow(UnauthenticatedError);
    expect(() => requireRole({ role: 'shopper', sub: 'u' }, 'admin')).toThrow(ForbiddenError);
    expect(() => requireRole({ role: 'admin', sub: 'a' }, 'admin')).not.toThrow();
  });

  it('lets shoppers act only as themselves', () => {
    expect(() => requireActingFor({ role: 'shopper', sub: 'u1' }, 'u1')).not.toThrow();
    expect(() => requireActingFor({ role: 'shopper', sub: 'u1' }, 'u2')).toThrow(ForbiddenError);
    expect(() => requireActingFor({ role: 'service', sub: 's' }, 'u2')).not.toThrow();
  });
});
