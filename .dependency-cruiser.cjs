// Import rules for src/ (npm run lint): one direction through the layers, no cycles (issue 21).
//
//   resolvers → services → (store, domain)     store → (domain, jobs)     jobs → domain     domain → nothing
//   workers → (services, store, jobs, domain), imported by app.ts only
//
// domain/ holds pure rules and types (no I/O); jobs/ the job definitions that producers (store/queues.ts, the
// outbox relay) and processors (workers/) share; store/ every Postgres and Redis call.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Domain rules and types import nothing of the project but other domain modules.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'jobs-above-domain-only',
      severity: 'error',
      comment: 'Job definitions are shared by producers (store) and processors (workers): they may use only the domain.',
      from: { path: '^src/jobs/' },
      to: { path: '^src/', pathNot: '^src/(jobs|domain)/' },
    },
    {
      name: 'recommender-is-pure',
      severity: 'error',
      comment: 'Model families are pure: no I/O, nothing of the project but themselves.',
      from: { path: '^src/recommender/' },
      to: { path: '^src/', pathNot: '^src/recommender/' },
    },
    {
      name: 'store-below-services',
      severity: 'error',
      comment: 'Stores do I/O for the services: they never call up into services, workers or the transports.',
      from: { path: '^src/store/' },
      to: { path: '^src/(services|workers|resolvers|graphql|http|realtime|cli)/|^src/(app|main)\\.ts$' },
    },
    {
      name: 'services-below-resolvers-and-workers',
      severity: 'error',
      comment: 'Services are called by resolvers and workers, never the other way.',
      from: { path: '^src/services/' },
      to: { path: '^src/(workers|resolvers|graphql|http|cli)/|^src/(app|main)\\.ts$' },
    },
    {
      name: 'only-app-starts-workers',
      severity: 'error',
      comment: 'Nothing but app.ts imports workers/: workers are the top of the worker role, as resolvers are of the API.',
      from: { path: '^src/', pathNot: '^src/workers/|^src/app\\.ts$' },
      to: { path: '^src/workers/' },
    },
    {
      name: 'resolvers-call-services',
      severity: 'error',
      comment: 'Resolvers call services; they may name the types of the rows services return, not call a store.',
      from: { path: '^src/resolvers/' },
      to: { path: '^src/(store|jobs|workers)/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    // Type-only imports count: a type is a dependency of the design even when it leaves no trace at run time.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
