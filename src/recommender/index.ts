// Registry of model families by algorithm name: create with params, or load a serialized snapshot.
import { AlsModel } from './als';
import { BprModel } from './bpr';
import { decodeSnapshot } from './codec';
import { EaseModel } from './ease';
import { EnsembleModel } from './ensemble';
import { ItemKnnModel } from './itemknn';
import { SarModel } from './sar';
import type { AlgorithmName, RecommenderModel } from './types';

export type { AlgorithmName, Interaction, HistoryItem, RecommenderModel, ScoredItem } from './types';

const families: Record<AlgorithmName, { create: (params?: object) => RecommenderModel; load: (buf: Uint8Array) => RecommenderModel }> = {
  sar: { create: (p) => new SarModel(p), load: (b) => SarModel.load(b) },
  ease: { create: (p) => new EaseModel(p), load: (b) => EaseModel.load(b) },
  als: { create: (p) => new AlsModel(p), load: (b) => AlsModel.load(b) },
  bpr: { create: (p) => new BprModel(p), load: (b) => BprModel.load(b) },
  itemknn: { create: (p) => new ItemKnnModel(p), load: (b) => ItemKnnModel.load(b) },
  ensemble: { create: (p) => new EnsembleModel(p), load: (b) => EnsembleModel.load(b) },
};

export function createModel(algorithm: AlgorithmName, params?: object): RecommenderModel {
  const family = families[algorithm];
  if (!family) throw new Error(`unknown model family: ${algorithm}`);
  return family.create(params);
}

export function loadModel(buf: Uint8Array): RecommenderModel {
  const algorithm = decodeSnapshot(buf).algorithm as AlgorithmName;
  const family = families[algorithm];
  if (!family) throw new Error(`unknown model family in snapshot: ${algorithm}`);
  return family.load(buf);
}
