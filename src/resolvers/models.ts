import { GraphQLScalarType } from 'graphql';
import { requireRole } from '../auth/guards';
import type { Context } from '../graphql/context';
import type { ModelVersion, TrainingRun } from '../store/models';
import { trainingSettings } from '../services/models';
import type { PageArgs } from '../store/pagination';

export const modelResolvers = {
  JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v, parseValue: (v) => v }),
  ModelVersion: {
    halfLifeDays: (v: ModelVersion) => trainingSettings(v).halfLifeDays ?? null,
    choices: (v: ModelVersion) => trainingSettings(v).choices ?? [],
  },
  TrainingRun: {
    model: (run: TrainingRun, _: unknown, ctx: Context) => (run.modelVersionId ? ctx.services.models.version(run.modelVersionId) : null),
  },
  Query: {
    models: (_: unknown, args: PageArgs, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.models.list(args);
    },
    activeModel: (_: unknown, __: unknown, ctx: Context) => {
      requireRole(ctx.viewer, 'admin', 'service');
      return ctx.services.models.active();
    },
    trainingRun: (_: unknown, { id }: { id: string }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.models.run(id);
    },
    experimentResults: (_: unknown, __: unknown, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.experiments.results();
    },
  },
  Mutation: {
    retrainModel: (_: unknown, { algorithm }: { algorithm?: string | null }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.training.retrain(ctx.viewer.sub, algorithm);
    },
    configureExperiment: (_: unknown, { variants }: { variants: unknown[] }, ctx: Context) => {
      requireRole(ctx.viewer, 'admin');
      return ctx.services.experiments.configure(variants);
    },
  },
  Subscription: {
    modelTrained: {
      subscribe: async (_: unknown, __: unknown, ctx: Context) => {
        requireRole(ctx.viewer, 'admin');
        const stream = ctx.services.models.liveTrained();
        await stream.ready();
        return stream;
      },
      resolve: (v: ModelVersion) => v,
    },
  },
};
