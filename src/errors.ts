// Domain errors, thrown by services, and their one mapping to GraphQL error codes.
// Services never build GraphQLErrors; formatError (below) is the single translation point,
// so an unexpected error never leaks internals to a client.
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isUnavailable } from './store/unavailable';

/** Postgres or Redis could not be reached: nothing was done, the same request may be sent again later. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
/** What a SERVICE_UNAVAILABLE answer suggests waiting before a retry (HTTP Retry-After, `extensions.retryAfter`). */
export const RETRY_AFTER_SECONDS = 2;

export interface FieldProblem {
  /** Dotted path of the offending input, e.g. `products.3.price`. */
  field: string;
  message: string;
  /** Position in a batch, when the input is a list. */
  index?: number;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly extensions: Record<string, unknown> = {};
}

export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ValidationError';
    this.extensions.problems = problems;
  }
  static single(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
    this.name = 'NotFoundError';
    this.extensions.id = id;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required: send a valid bearer token') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  /** `problems`, when given, name each refused field (as ValidationError's do), e.g. `events.2.type`. */
  constructor(message: string, problems?: FieldProblem[]) {
    super(message);
    this.name = 'ForbiddenError';
    if (problems) this.extensions.problems = problems;
  }
  static fields(problems: FieldProblem[]): ForbiddenError {
    return new ForbiddenError(problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  }
}

/** Apollo/graphql-ws formatError: domain errors keep their code; a dependency that could not be reached is a
 * retryable SERVICE_UNAVAILABLE; anything else unexpected becomes an opaque INTERNAL_SERVER_ERROR. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...original.extensions, code: original.code },
    };
  }
  const mistake = clientMistakeCode(error);
  if (mistake) return { ...formatted, extensions: { ...stripStack(formatted.extensions), code: mistake } };
  const code = formatted.extensions?.code;
  // Errors GraphQL itself raises (parse, validation, variable coercion) are safe and useful as they are.
  if (original instanceof GraphQLError && !original.originalError) {
    return { ...formatted, extensions: { ...stripStack(formatted.extensions), code: code ?? 'GRAPHQL_VALIDATION_FAILED' } };
  }
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...formatted, extensions: stripStack(formatted.extensions) };
  }
  if (isUnavailable(original)) {
    return {
      message: 'Service temporarily unavailable: nothing was done, retry later',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: SERVICE_UNAVAILABLE, retryAfter: RETRY_AFTER_SECONDS },
    };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/**
 * The code of a client's mistake that graphql-js or Apollo reports without a code of its own (or with a generic
 * one), so that it reads the same over HTTP and WebSocket and never as INTERNAL_SERVER_ERROR.
 */
function clientMistakeCode(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  // A value a scalar of ours refused (scalars.ts): a literal is reported as a validation error, which Apollo
  // codes GRAPHQL_VALIDATION_FAILED, keeping the scalar's error as the original.
  if (error.originalError instanceof GraphQLError && error.originalError.extensions.code === 'BAD_USER_INPUT') return 'BAD_USER_INPUT';
  if (error.extensions.code !== undefined) return undefined;
  // A variable that does not coerce: Apollo codes it BAD_USER_INPUT over HTTP, graphql-ws does not code it.
  if (error.nodes?.length === 1 && error.nodes[0]!.kind === Kind.VARIABLE_DEFINITION) return 'BAD_USER_INPUT';
  // What Apollo refuses with a 4xx but no code, e.g. a persisted query whose hash does not match its text.
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return 'BAD_REQUEST';
  return undefined;
}

/** What a client never sees: stack traces, and the HTTP status Apollo takes from an error (graphql-ws does not). */
function stripStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stacktrace, exception: _exception, http: _http, ...rest } = extensions ?? {};
  return rest;
}

/**
 * Over HTTP, an answer with a SERVICE_UNAVAILABLE error is a 503 with Retry-After, so that a client, a proxy or a
 * load balancer can tell "retry later" from a failure without reading the body (issue 20). Over WebSocket the
 * operation's error carries the same code and `retryAfter`.
 */
export function retryableStatusPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          if (!errors?.some((e) => e.extensions?.code === SERVICE_UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}
