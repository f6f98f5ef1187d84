// Opaque cursors for Relay-style connections: base64url of the list's kind and the sort key. A cursor is checked
// before its key reaches a query: one the API did not return for that kind of list ("AA", random base64, a
// cursor of another list) is BAD_USER_INPUT, not a Postgres error (issue 19).
import { z } from 'zod';
import { ValidationError } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** What a list is ordered by: products and campaigns by id, alerts and ledger rows by row id, models by time and id. */
export type CursorKind = 'product' | 'campaign' | 'alert' | 'movement' | 'model';

export function encodeCursor(kind: CursorKind, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

/** The key of a cursor of `kind`, which must have the shape `key` describes (the list's sort key). */
export function decodeCursor(cursor: string, kind: CursorKind, key: z.ZodType<string>, field = 'after'): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  // Re-encoding catches what base64url decoding forgives (stray characters, bytes that are not UTF-8).
  if (text.startsWith(prefix) && Buffer.from(text, 'utf8').toString('base64url') === cursor) {
    const value = text.slice(prefix.length);
    if (key.safeParse(value).success) return value;
  }
  throw ValidationError.single(field, 'is not a cursor this API returned for this list');
}

/** The key of a list ordered by a BIGSERIAL row id (18 digits stay below its maximum). */
export const rowIdKey = z.string().regex(/^[1-9][0-9]{0,17}$/);

export function pageSize(first: number | null | undefined): number {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw ValidationError.single('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** Builds a page from `size + 1` rows fetched past the cursor (the extra row only says whether more exist). */
export function toPage<T>(rows: T[], size: number, kind: CursorKind, keyOf: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
