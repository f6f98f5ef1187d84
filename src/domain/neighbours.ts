// Item-to-item neighbour lists, as the feature store keeps them and ranking reads them.

/** Item-to-item lists the feature store keeps: shared a user or session (co-occurrence), or came next (sequential). */
export type NeighbourFamily = 'coOccurrence' | 'sequential';

/** A product's top neighbours, strongest first, as parallel arrays (ranking iterates them on every push). */
export interface NeighbourList {
  ids: string[];
  weights: number[];
  /** The strongest weight, also when the strongest neighbour was left out (it normalises the list). */
  top: number;
}

/** A neighbour map (strongest first) as a NeighbourList; `top` defaults to its first weight. */
export function neighbourList(map: Map<string, number>, top?: number): NeighbourList {
  const ids = [...map.keys()];
  const weights = [...map.values()];
  return { ids, weights, top: top || (weights[0] ?? 0) };
}
