// Domain errors, thrown by services, and their one mapping to GraphQL error codes.
// Services never build GraphQLErrors; formatError (below) is the single translation point,
// so an unexpected error never leaks internals to a client.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

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

/** Apollo/graphql-ws formatError: domain errors keep their code; anything unexpected becomes an opaque INTERNAL_SERVER_ERROR. */
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
  const code = formatted.extensions?.code;
  // Errors GraphQL itself raises (parse, validation, variable coercion) are safe and useful as they are.
  if (original instanceof GraphQLError && !original.originalError) {
    return { ...formatted, extensions: { ...stripStack(formatted.extensions), code: code ?? 'GRAPHQL_VALIDATION_FAILED' } };
  }
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...formatted, extensions: stripStack(formatted.extensions) };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

function stripStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stacktrace, exception: _exception, ...rest } = extensions ?? {};
  return rest;
}
