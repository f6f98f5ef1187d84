import { gql, type TypedDocumentNode } from '@apollo/client';

export interface SystemStatus {
  checkedAt: string;
  instance: { role: string; uptimeSeconds: number };
  dependencies: Array<{ name: string; ok: boolean; latencyMs: number | null; error: string | null }>;
  outboxPending: number | null;
  queues: Array<{
    name: string;
    health: 'OK' | 'NO_WORKERS' | 'UNKNOWN';
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    completed: number;
    workers: Array<{ name: string; address: string; ageSeconds: number; idleSeconds: number }>;
  }>;
  featureStore: {
    health: 'OK' | 'REBUILDING' | 'LOST' | 'UNKNOWN';
    lastRebuild: { reason: string; startedAt: string; finishedAt: string | null; replayedJobs: number; events: number } | null;
  };
}

export const SYSTEM_STATUS: TypedDocumentNode<{ systemStatus: SystemStatus }> = gql`
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
`;
