// The single model families by algorithm name (an ensemble's parts): create with params, or load a snapshot.
// index.ts adds the ensemble on top, which is built from these (so the ensemble needs no import of index.ts).
import { AlsModel } from './als';
import { BprModel } from './bpr';
import { decodeSnapshot } from './codec';
import { EaseModel } from './ease';
import { ItemKnnModel } from './itemknn';
import { SarModel } from './sar';
import type { AlgorithmName, RecommenderModel } from './types';

export type FamilyName = Exclude<AlgorithmName, 'ensemble'>;

export interface Family {
  create: (params?: object) => RecommenderModel;
  load: (buf: Uint8Array) => RecommenderModel;
}

export const families: Record<FamilyName, Family> = {
  sar: { create: (p) => new SarModel(p), load: (b) => SarModel.load(b) },
  ease: { create: (p) => new EaseModel(p), load: (b) => EaseModel.load(b) },
  als: { create: (p) => new AlsModel(p), load: (b) => AlsModel.load(b) },
  bpr: { create: (p) => new BprModel(p), load: (b) => BprModel.load(b) },
  itemknn: { create: (p) => new ItemKnnModel(p), load: (b) => ItemKnnModel.load(b) },
};

/** The family of `algorithm` in `registry`, or an error naming what was asked (`where`: a name or a snapshot). */
export function familyOf<N extends string>(registry: Record<N, Family>, algorithm: string, where: string): Family {
  const family = (registry as Record<string, Family | undefined>)[algorithm];
  if (!family) throw new Error(`unknown model family${where}: ${algorithm}`);
  return family;
}

export function createFamilyModel(algorithm: FamilyName, params?: object): RecommenderModel {
  return familyOf(families, algorithm, '').create(params);
}

export function loadFamilyModel(buf: Uint8Array): RecommenderModel {
  return familyOf(families, decodeSnapshot(buf).algorithm, ' in snapshot').load(buf);
}
