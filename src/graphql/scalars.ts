import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

// A full date-time with zone, so that "2026-11-24" never silently means local midnight, and every field in its
// range; only the day needs the calendar (below).
const DATE_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * What is wrong with a DateTime string, or null. JavaScript's Date rolls an impossible date over
 * ("2026-02-30" is 2 March), so the day is checked against its month before Date reads it.
 */
export function dateTimeProblem(value: string): string | null {
  if (!DATE_TIME.test(value)) return 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-24T10:00:00Z';
  const day = Number(value.slice(8, 10));
  if (day <= 28) return null;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day > days ? 'is not a date of the calendar' : null;
}

function parseDate(value: unknown, literal?: ValueNode): Date {
  if (typeof value !== 'string') throw inputError('DateTime must be an ISO-8601 string', literal);
  const problem = dateTimeProblem(value);
  if (problem) throw inputError(`DateTime "${value}" ${problem}`, literal);
  return new Date(value);
}

/**
 * A coercion error that is the client's mistake. graphql-js reports it as it is for a literal (a validation error)
 * and names the variable and its path for a variable; formatError keeps the code on both transports.
 */
function inputError(message: string, literal?: ValueNode): GraphQLError {
  return new GraphQLError(message, { nodes: literal, extensions: { code: 'BAD_USER_INPUT' } });
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw inputError('DateTime must be a string literal', ast);
    return parseDate(ast.value, ast);
  },
});
