// The count of events applied since the last training was asked for (TRAIN_AFTER_EVENTS), in Redis.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { luaScript } from './lua';

const COUNT_EVENTS = { lua: luaScript('count-events-for-training'), numberOfKeys: 1 };

type TriggerCommands = { fwCountEventsForTraining(key: string, events: number, threshold: number): Promise<number> };

export class TrainingTrigger {
  private readonly redis: Redis & TriggerCommands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('fwCountEventsForTraining' in redis)) redis.defineCommand('fwCountEventsForTraining', COUNT_EVENTS);
    this.redis = redis as Redis & TriggerCommands;
  }

  /**
   * Counts `events` newly applied events; true when the count reached `threshold`, which resets it (one script:
   * atomic, so concurrent workers ask for one training and lose no count).
   */
  async count(events: number, threshold: number): Promise<boolean> {
    return (await this.redis.fwCountEventsForTraining(this.keys.eventsSinceTraining(), events, threshold)) === 1;
  }

  /** Counts events without asking for a training (a rebuild's replay: its events count like those workers apply). */
  async add(events: number): Promise<void> {
    await this.count(events, 0);
  }
}
