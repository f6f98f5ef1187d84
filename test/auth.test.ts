import { afterEach, describe, expect, it, vi } from 'vitest';
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

  describe('after a successful verification (kept to spare the HMAC)', () => {
    afterEach(() => vi.useRealTimers());

    it('still refuses the token once it expires', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const token = await tokens.sign({ sub: 'u1', role: 'service', ttlSeconds: 60 });
      await expect(tokens.verify(token)).resolves.toEqual({ sub: 'u1', role: 'service' });
      vi.setSystemTime(Date.now() + 61_000);
      await expect(tokens.verify(token)).rejects.toThrow('Token expired');
    });

    it('does not accept a token from another secret, nor a tampered one', async () => {
      const token = await tokens.sign({ sub: 'u1', role: 'shopper' });
      await tokens.verify(token);
      await expect(new TokenService('another-secret-0123456789').verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ role: 'admin', sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      await expect(tokens.verify(`${header}.${forged}.${signature}`)).rejects.toBeInstanceOf(UnauthenticatedError);
    });
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
