// Access rules shared by every domain, so that resolvers state who may ask in one line.
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Role, Viewer } from './tokens';

export function requireRole(viewer: Viewer, ...roles: Role[]): asserts viewer is Extract<Viewer, { sub: string }> {
  if (viewer.role === 'anonymous') throw new UnauthenticatedError();
  if (!roles.includes(viewer.role)) {
    throw new ForbiddenError(`Role ${viewer.role} may not do this; requires ${roles.join(' or ')}`);
  }
}

/** Shoppers may act only as themselves; services and admins for anyone. */
export function requireActingFor(viewer: Viewer, userId: string): void {
  requireRole(viewer, 'shopper', 'service', 'admin');
  if (viewer.role === 'shopper' && viewer.sub !== userId) {
    throw new ForbiddenError(`A shopper may act only as itself (token sub ${viewer.sub}, asked for ${userId})`);
  }
}
