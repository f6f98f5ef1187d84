// Registry of model families by algorithm name: create with params, or load a serialized snapshot.
import { decodeSnapshot } from './codec';
import { EnsembleModel } from './ensemble';
import { families, familyOf, type Family } from './families';
import type { AlgorithmName, RecommenderModel } from './types';

export type { AlgorithmName, Interaction, HistoryItem, RecommenderModel, ScoredItem } from './types';

const all: Record<AlgorithmName, Family> = {
  ...families,
  ensemble: { create: (p) => new EnsembleModel(p), load: (b) => EnsembleModel.load(b) },
};

export function createModel(algorithm: AlgorithmName, params?: object): RecommenderModel {
  return familyOf(all, algorithm, '').create(params);
}

export function loadModel(buf: Uint8Array): RecommenderModel {
  return familyOf(all, decodeSnapshot(buf).algorithm, ' in snapshot').load(buf);
}
