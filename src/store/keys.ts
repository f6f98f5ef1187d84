// Every Redis key family of the platform, in one place: layout and lifetime.
// All keys start with the deployment prefix (REDIS_PREFIX, default `fw`) so that several deployments
// or test runs share one Redis without touching each other's keys.

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's own keys live under `<prefix>:bull:<queue>:*` (BullMQ's layout; lifetime: its retention settings). */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}
