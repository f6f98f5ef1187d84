// Access rules shared by every domain, so that resolvers state who may ask in one line.
import { ForbiddenError, UnauthenticatedError, type FieldProblem } from '../errors';
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

/**
 * What a browser may record: a shopper records what it sees and does (views, clicks, carts, impressions) for itself.
 * Purchases are facts from the order system, so PURCHASE needs a service or admin token; and a shopper never sets a
 * price (unitPrice is refused, not ignored, so that a storefront sending one learns it at once). Every refused field
 * of the batch is named, and the batch is refused whole before anything is written.
 */
export function requireMayRecord(viewer: Viewer, events: readonly unknown[], field = 'events'): void {
  requireRole(viewer, 'shopper', 'service', 'admin');
  if (viewer.role !== 'shopper') return;
  const problems: FieldProblem[] = [];
  events.forEach((event, index) => {
    const e = (event ?? {}) as { type?: unknown; userId?: unknown; unitPrice?: unknown };
    if (typeof e.userId === 'string' && e.userId !== viewer.sub) {
      problems.push({ field: `${field}.${index}.userId`, index, message: `a shopper may record only its own events (token sub ${viewer.sub})` });
    }
    if (e.type === 'PURCHASE') {
      problems.push({ field: `${field}.${index}.type`, index, message: 'a shopper may not record PURCHASE: purchases come from the order system (service or admin token)' });
    }
    if (e.unitPrice !== undefined && e.unitPrice !== null) {
      problems.push({ field: `${field}.${index}.unitPrice`, index, message: 'a shopper may not set a price' });
    }
  });
  if (problems.length) throw ForbiddenError.fields(problems);
}
