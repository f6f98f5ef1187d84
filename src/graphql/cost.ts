// Query cost as graphql-armor's cost limit computes it (@escape.tech/graphql-armor-cost-limit 2.4: a field costs 1,
// an object 2 plus 1.5 × its fields, a list's cost multiplied by its `first` or `last`), except that `first: $n`
// counts the value the request sends for `$n` (or the variable's default), where graphql-armor, which runs as a
// validation rule before variables are known, counts 1. Without that, 15 aliases of `products(first: $n)` with
// `$n = 100` were served while the same literal was refused (issue 19). test/cost.test.ts holds the two formulas
// equal on literals.
import { Kind, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type ValueNode } from 'graphql';

/** graphql-armor's defaults, with fragments flattened as the platform configures it (limits.ts). */
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_COST_FACTOR = 1.5;

type Variables = Readonly<Record<string, unknown>> | null | undefined;

/** The cost of one operation of `document` with the request's variables. */
export function operationCost(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);

  /** The multiplier a `first`/`last` value stands for: a literal's or a variable's integer, else 1. */
  const multiplier = (value: ValueNode): number => {
    if (value.kind === Kind.INT) return parseInt(value.value, 10);
    if (value.kind !== Kind.VARIABLE) return 1;
    const name = value.name.value;
    const sent = variables?.[name];
    if (sent !== undefined && sent !== null) return typeof sent === 'number' && Number.isInteger(sent) ? sent : 1;
    const fallback = defaults.get(name);
    return fallback?.kind === Kind.INT ? parseInt(fallback.value, 10) : 1;
  };

  // graphql-armor's walk, node by node: the same costs, the same fragment bookkeeping.
  const visitedFragments = new Map<string, number>();
  const complexity = (node: ASTNode, depth: number): number => {
    if (node.kind === Kind.FIELD && node.name.value === '__schema') return 0;
    if (node.kind === Kind.OPERATION_DEFINITION) {
      return node.selectionSet.selections.reduce((v, child) => v + complexity(child, depth + 1), 0);
    }
    let cost = SCALAR_COST;
    if ('selectionSet' in node && node.selectionSet) {
      cost = OBJECT_COST;
      let setMultiplier = 1;
      if ('arguments' in node && node.arguments) {
        for (const arg of node.arguments) {
          if (arg.name.value === 'first' || arg.name.value === 'last') {
            setMultiplier = Math.max(multiplier(arg.value), setMultiplier);
            break;
          }
        }
      }
      for (const child of node.selectionSet.selections) {
        if (child.kind === Kind.INLINE_FRAGMENT || child.kind === Kind.FRAGMENT_SPREAD) cost += complexity(child, depth);
        else cost += DEPTH_COST_FACTOR * complexity(child, depth + 1);
      }
      cost *= setMultiplier;
    } else if (node.kind === Kind.FRAGMENT_SPREAD) {
      const name = node.name.value;
      if (visitedFragments.has(name)) return cost + DEPTH_COST_FACTOR * (visitedFragments.get(name) ?? 0);
      visitedFragments.set(name, -1);
      const fragment = fragments.get(name);
      if (fragment) {
        const fragmentCost = complexity(fragment, depth);
        cost += fragmentCost;
        if (visitedFragments.get(name) === -1) visitedFragments.set(name, fragmentCost);
      }
    }
    return cost;
  };
  return complexity(operation, 0);
}

/** Whether an operation's cost depends on its variables (a `first`/`last` given by a variable somewhere in it). */
export function costDependsOnVariables(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (!operation.variableDefinitions?.length) return false;
  const nodes: ASTNode[] = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
  while (nodes.length) {
    const node = nodes.pop()!;
    if (node.kind === Kind.FIELD && node.arguments?.some((a) => (a.name.value === 'first' || a.name.value === 'last') && a.value.kind === Kind.VARIABLE)) return true;
    if ('selectionSet' in node && node.selectionSet) nodes.push(...node.selectionSet.selections);
  }
  return false;
}
