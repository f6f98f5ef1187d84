// One rule for every string that enters through the API (issue 19), over HTTP and WebSocket alike: each ID, String
// and DateTime value, in an argument or a variable, at any depth of an input object or a list, is checked once per
// request before anything runs. A string Postgres cannot store (NUL, a lone surrogate: not UTF-8) or that no shop
// means (other control characters, a megabyte where a name goes, 30 February) is the client's mistake: a
// BAD_USER_INPUT that names the field, never a query that fails in Postgres with a 500 and a stack trace in the log.
// Services keep their own, tighter rules (an id's alphabet, a name's length); this is the floor under all of them.
import {
  GraphQLError,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  typeFromAST,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import type { FieldProblem } from '../errors';
import { dateTimeProblem } from './scalars';

/** Longest ID: external ids are at most 128 characters (catalog.ts), list ids and cursors a little more. */
export const MAX_ID_LENGTH = 256;
/** Longest String: the longest one a service keeps is 500 characters (a product name, a stock reason). */
export const MAX_STRING_LENGTH = 1000;

/**
 * Arguments (`Type.field(arg:)`) and input fields (`Input.field`) that hold a person's free text, where tab and line
 * breaks make sense (a stock change's reason may be a note of several lines). Everywhere else a string is one line.
 */
const FREE_TEXT = new Set(['Mutation.adjustStock(reason:)']);

type Rule = 'id' | 'line' | 'text' | 'dateTime';

// Unicode's control characters (Cc: C0, DEL, C1); the second leaves out tab, line feed and carriage return.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A UTF-16 half that does not pair into a character: JSON may carry one (`"\ud800"`), UTF-8 cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Anything either rule looks at: most strings hold none of it and are done with one scan. */
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/** What is wrong with `value` under `rule`, or null when nothing is. */
export function stringProblem(value: string, rule: Rule): string | null {
  if (rule === 'dateTime') return dateTimeProblem(value);
  const max = rule === 'id' ? MAX_ID_LENGTH : MAX_STRING_LENGTH;
  if (value.length > max) return `must be at most ${max} characters`;
  if (!SUSPECT.test(value)) return null;
  if (rule === 'text' ? CONTROL_BUT_LAYOUT.test(value) : CONTROL.test(value)) {
    return rule === 'text' ? 'must not contain control characters other than tab and line breaks' : 'must not contain control characters';
  }
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it holds an unpaired surrogate)';
  return null;
}

/** Where a value sits: its key under its parent; the dotted path is only spelled out for a problem. */
interface Place {
  parent: Place | undefined;
  key: string | number;
}

function pathOf(parent: Place | undefined, key: string | number): string {
  let path = String(key);
  for (let p = parent; p; p = p.parent) path = `${p.key}.${path}`;
  return path;
}

/**
 * Checks a value (a variable's JSON or a literal made plain) found at `key` under `parent` against its input type;
 * adds what is wrong to `out`. `index` is the position in the outermost list, which problems carry for batches.
 */
type Checker = (value: unknown, parent: Place | undefined, key: string | number, out: FieldProblem[], index: number | undefined) => void;

function ruleOf(typeName: string, freeText: boolean): Rule | null {
  if (typeName === 'ID') return 'id';
  if (typeName === 'String') return freeText ? 'text' : 'line';
  if (typeName === 'DateTime') return 'dateTime';
  return null;
}

/**
 * Builds the checker of an input type, or null when nothing in it is a string. Values of the wrong shape (a number
 * for a String, an unknown field) are left to GraphQL's own coercion, which reports them.
 */
function checkerFor(type: GraphQLInputType, freeText: boolean, memo: Map<string, Checker | null>): Checker | null {
  if (isNonNullType(type)) return checkerFor(type.ofType, freeText, memo);
  if (isListType(type)) {
    const item = checkerFor(type.ofType, freeText, memo);
    if (!item) return null;
    return (value, parent, key, out, index) => {
      // A single value where a list is expected stands for a list of one, as GraphQL coerces it.
      if (!Array.isArray(value)) return item(value, parent, key, out, index);
      const place = { parent, key };
      for (let i = 0; i < value.length; i++) item(value[i], place, i, out, index ?? i);
    };
  }
  if (isInputObjectType(type)) {
    // An input object's fields are free text by their own coordinates, whatever holds the object.
    const memoKey = type.name;
    if (memo.has(memoKey)) return memo.get(memoKey)!;
    // Recursive input types find their own checker through the memo while it is being built.
    const names: string[] = [];
    const checks: Checker[] = [];
    const check: Checker = (value, parent, key, out, index) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const place = { parent, key };
      for (let i = 0; i < names.length; i++) {
        const v = (value as Record<string, unknown>)[names[i]!];
        if (v !== undefined && v !== null) checks[i]!(v, place, names[i]!, out, index);
      }
    };
    memo.set(memoKey, check);
    for (const f of Object.values(type.getFields())) {
      const c = checkerFor(f.type, FREE_TEXT.has(`${type.name}.${f.name}`), memo);
      if (!c) continue;
      names.push(f.name);
      checks.push(c);
    }
    if (!names.length) memo.set(memoKey, null);
    return names.length ? check : null;
  }
  const rule = ruleOf(type.name, freeText);
  if (!rule) return null;
  return (value, parent, key, out, index) => {
    if (typeof value !== 'string') return;
    const message = stringProblem(value, rule);
    if (message) out.push({ field: pathOf(parent, key), message, ...(index === undefined ? {} : { index }) });
  };
}

/** What a request's operation needs checked: its literals' problems (fixed) and a checker per variable. */
interface OperationPlan {
  literalProblems: FieldProblem[];
  variables: Array<{ name: string; check: Checker }>;
}

export class InputRules {
  private readonly memo = new Map<string, Checker | null>();
  private readonly plans = new WeakMap<OperationDefinitionNode, OperationPlan>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** Problems of one request: the operation's literal arguments and the variables it was sent with. */
  check(document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | null | undefined): FieldProblem[] {
    let plan = this.plans.get(operation);
    if (!plan) this.plans.set(operation, (plan = this.plan(document, operation)));
    if (!plan.variables.length) return plan.literalProblems;
    const out = [...plan.literalProblems];
    for (const { name, check } of plan.variables) {
      const value = variables?.[name];
      if (value !== undefined && value !== null) check(value, undefined, name, out, undefined);
    }
    return out;
  }

  /**
   * Walks the operation (and the fragments it spreads) once per document: each argument's literal is checked where
   * it is written; each variable gets the checker of its declared type, with tab and line breaks allowed in a
   * String only when every place that uses it holds free text.
   */
  private plan(document: DocumentNode, operation: OperationDefinitionNode): OperationPlan {
    const literalProblems: FieldProblem[] = [];
    const freeTextUse = new Map<string, boolean>();
    const noteVariables = (node: ValueNode, freeText: boolean): void => {
      if (node.kind === Kind.VARIABLE) {
        freeTextUse.set(node.name.value, (freeTextUse.get(node.name.value) ?? true) && freeText);
      } else if (node.kind === Kind.LIST) {
        node.values.forEach((v) => noteVariables(v, freeText));
      } else if (node.kind === Kind.OBJECT) {
        // A variable inside a literal object: free text only by its input field, which the checker of the
        // variable's own type does not know; one line is the safe side.
        node.fields.forEach((f) => noteVariables(f.value, false));
      }
    };
    const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const seen = new Set<string>();
    const walk = (root: OperationDefinitionNode | FragmentDefinitionNode): void => {
      const typeInfo = new TypeInfo(this.schema);
      visit(
        root,
        visitWithTypeInfo(typeInfo, {
          FragmentSpread: (node) => {
            const name = node.name.value;
            if (seen.has(name) || !fragments.has(name)) return;
            seen.add(name);
            walk(fragments.get(name)!);
          },
          Argument: (node) => {
            const arg = typeInfo.getArgument();
            if (!arg) return false;
            const field = typeInfo.getFieldDef();
            const parent = typeInfo.getParentType();
            const freeText = !!field && !!parent && FREE_TEXT.has(`${parent.name}.${field.name}(${arg.name}:)`);
            noteVariables(node.value, freeText);
            const check = checkerFor(arg.type, freeText, this.memo);
            if (check && node.value.kind !== Kind.VARIABLE) check(valueFromASTUntyped(node.value, {}), undefined, arg.name, literalProblems, undefined);
            return false;
          },
        }),
      );
    };
    walk(operation);
    const variables: OperationPlan['variables'] = [];
    for (const def of operation.variableDefinitions ?? []) {
      const name = def.variable.name.value;
      const type = typeFromAST(this.schema, def.type);
      if (!type || !isInputType(type)) continue;
      const check = checkerFor(type, freeTextUse.get(name) ?? false, this.memo);
      if (!check) continue;
      variables.push({ name, check });
      if (def.defaultValue) check(valueFromASTUntyped(def.defaultValue, {}), undefined, name, literalProblems, undefined);
    }
    return { literalProblems, variables };
  }
}

/** The request error for input that breaks the rule: BAD_USER_INPUT, each field in `problems`, HTTP 400. */
export function inputRuleError(problems: FieldProblem[]): GraphQLError {
  return new GraphQLError(problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    extensions: { code: 'BAD_USER_INPUT', problems, http: { status: 400 } },
  });
}
