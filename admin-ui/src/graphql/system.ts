// System status operation. Its types come from GraphQL Codegen (npm run codegen, admin-ui/src/gql).
import { graphql } from '../gql';
import type { SystemStatusQuery } from '../gql/graphql';

export type SystemStatus = SystemStatusQuery['systemStatus'];

export const SYSTEM_STATUS = graphql(`
  query SystemStatus {
    systemStatus {
      checkedAt
      instance {
        role
        uptimeSeconds
      }
      dependencies {
        name
        ok
        latencyMs
        error
      }
      outboxPending
      queues {
        name
        health
        waiting
        active
        delayed
        failed
        completed
        workers {
          name
          address
          ageSeconds
          idleSeconds
        }
      }
      featureStore {
        health
        lastRebuild {
          reason
          startedAt
          finishedAt
          replayedJobs
          events
        }
      }
    }
  }
`);
