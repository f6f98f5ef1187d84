// Shared live values (issue 22): one computation per notice and key for all its subscribers, no push of a value a
// subscriber has, the source released with its last subscriber; and the GraphQL layer executing a shared value once
// per operation. In memory, on a clock the test drives (the platform-level tests are in test/kpi-fanout.test.ts).
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledExecution } from '../src/graphql/execution';
import { SharedLiveValues } from '../src/realtime/shared-live';
import { MemoryPubSub } from '../src/store/pubsub';
import { ManualClock, settled } from './support/clock';

/** Lets a fan-out in chunks finish: each chunk waits for a turn of the event loop. */
async function fannedOut(): Promise<void> {
  for (let i = 0; i < 5; i++) await settled();
}

/** Reads everything an iterator yields into `seen` until it ends. */
function reader<T>(iterator: AsyncIterableIterator<T>, seen: T[]): Promise<void> {
  return (async () => {
    for await (const value of iterator) seen.push(value);
  })();
}

/** A spec on topic `t` computing `value()`, and how many times it was computed. */
function counting<T>(value: () => T, current?: (v: T) => boolean) {
  const counter = { computations: 0 };
  const spec = {
    topics: ['t'],
    compute: async () => {
      counter.computations++;
      return value();
    },
    ...(current ? { current } : {}),
  };
  return { spec, counter };
}

describe('SharedLiveValues', () => {
  it('computes once per notice for every subscriber of a key, and sends nobody a value it already has', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<{ n: number }>({ pubsub });
    let state = 0;
    const { spec, counter } = counting(() => ({ n: state }));
    const subscribers = await Promise.all(Array.from({ length: 250 }, () => live.subscribe('k', spec)));
    const seen = subscribers.map(() => [] as Array<{ n: number }>);
    const reading = subscribers.map((s, i) => reader(s, seen[i]!));
    await fannedOut();
    // Subscribers arriving together share the first computation.
    expect(counter.computations).toBe(1);
    expect(seen.every((s) => s.length === 1 && s[0]!.n === 0)).toBe(true);

    state = 1;
    await pubsub.publish('t', 'x');
    // 250 subscribers: the fan-out takes more than one turn of the event loop.
    await fannedOut();
    expect(counter.computations).toBe(2);
    expect(seen.every((s) => s.length === 2 && s[1]!.n === 1)).toBe(true);
    // Every subscriber got the very same object (what executes it once per operation).
    expect(new Set(seen.map((s) => s[1])).size).toBe(1);

    // A notice that changes nothing: computed, sent to nobody.
    await pubsub.publish('t', 'x');
    await fannedOut();
    expect(counter.computations).toBe(3);
    expect(seen.every((s) => s.length === 2)).toBe(true);

    // A newcomer gets the current value at once, without a computation.
    const late = await live.subscribe('k', spec);
    expect((await late.next()).value).toEqual({ n: 1 });
    expect(counter.computations).toBe(3);

    await Promise.all([...subscribers, late].map((s) => s.return()));
    await Promise.all(reading);
    expect(live.size).toBe(0);
    expect(pubsub.topicCount).toBe(0);
    // Released: the next subscriber starts a new source, which computes again.
    const again = await live.subscribe('k', spec);
    expect((await again.next()).value).toEqual({ n: 1 });
    expect(counter.computations).toBe(4);
    await again.return();
  });

  it('keeps keys apart', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<string>({ pubsub });
    const a = await live.subscribe('a', { topics: ['ta'], compute: async () => 'A' });
    const b = await live.subscribe('b', { topics: ['tb'], compute: async () => 'B' });
    expect([(await a.next()).value, (await b.next()).value]).toEqual(['A', 'B']);
    expect(live.size).toBe(2);
    await a.return();
    expect(live.size).toBe(1);
    expect(pubsub.topicCount).toBe(1);
    await b.return();
    expect(pubsub.topicCount).toBe(0);
  });

  it('gives a busy subscriber the latest value only, and nothing when the value came back to what it was sent', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<string>({ pubsub });
    let state = 'a';
    const spec = { topics: ['t'], compute: async () => state };
    const busy = await live.subscribe('k', spec);
    const quick = await live.subscribe('k', spec);
    expect((await busy.next()).value).toBe('a');
    const quickSeen: string[] = [];
    const reading = reader(quick, quickSeen);
    // The busy subscriber does not ask while the value goes a → b → a → c.
    for (const next of ['b', 'a']) {
      state = next;
      await pubsub.publish('t', 'x');
      await settled();
    }
    const pending = busy.next();
    await settled();
    let resolved = false;
    void pending.then(() => (resolved = true));
    await settled();
    // b went by while it was away, and it was sent a already.
    expect(resolved).toBe(false);
    state = 'c';
    await pubsub.publish('t', 'x');
    expect((await pending).value).toBe('c');
    await settled();
    expect(quickSeen).toEqual(['a', 'b', 'a', 'c']);
    await busy.return();
    await quick.return();
    await reading;
  });

  it('computes at most once per interval for all subscribers, the last state at the end of a burst', async () => {
    const pubsub = new MemoryPubSub();
    const clock = new ManualClock();
    const live = new SharedLiveValues<number>({ pubsub, minIntervalMs: 100, clock });
    let state = 0;
    const { spec, counter } = counting(() => state);
    const subscribers = await Promise.all([1, 2, 3].map(() => live.subscribe('k', spec)));
    const seen = subscribers.map(() => [] as number[]);
    const reading = subscribers.map((s, i) => reader(s, seen[i]!));
    await settled();
    for (let i = 1; i <= 50; i++) {
      state = i;
      await pubsub.publish('t', 'x');
      await clock.advance(4);
    }
    expect(counter.computations).toBe(3);
    expect(seen).toEqual([0, 1, 2].map(() => [0, 25, 50]));
    await clock.advance(1000);
    expect(counter.computations).toBe(3);
    await Promise.all(subscribers.map((s) => s.return()));
    await Promise.all(reading);
  });

  it('fails every subscriber waiting for a first value that cannot be read, and lets the next one try again', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<number>({ pubsub });
    let down = true;
    const spec = {
      topics: ['t'],
      compute: async () => {
        if (down) throw new Error('down');
        return 1;
      },
    };
    const [a, b] = await Promise.all([live.subscribe('k', spec), live.subscribe('k', spec)]);
    await expect(a!.next()).rejects.toThrow('down');
    await expect(b!.next()).rejects.toThrow('down');
    await settled();
    expect(live.size).toBe(0);
    expect(pubsub.topicCount).toBe(0);
    down = false;
    const c = await live.subscribe('k', spec);
    expect((await c.next()).value).toBe(1);
    await c.return();
  });

  it('serves a new subscriber a value computed again when the kept one is no longer current', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<{ minute: number }>({ pubsub });
    let minute = 1;
    const { spec, counter } = counting(() => ({ minute }), (v) => v.minute === minute);
    const first = await live.subscribe('k', spec);
    expect((await first.next()).value).toEqual({ minute: 1 });
    const firstNext = first.next();
    minute = 2;
    const second = await live.subscribe('k', spec);
    expect((await second.next()).value).toEqual({ minute: 2 });
    expect((await firstNext).value).toEqual({ minute: 2 });
    expect(counter.computations).toBe(2);
    await first.return();
    await second.return();
  });
});

describe('CompiledExecution of shared live values', () => {
  it('executes a shared value once per operation, variables and sharing key', async () => {
    const pubsub = new MemoryPubSub();
    const live = new SharedLiveValues<{ n: number }>({ pubsub });
    let executions = 0;
    const schema = makeExecutableSchema({
      typeDefs: `
        type Query { ok: Boolean }
        type Kpis { n: Int!, label(prefix: String!): String! }
        type Subscription { kpis(key: ID!): Kpis! }
      `,
      resolvers: {
        Kpis: {
          label: (k: { n: number }, { prefix }: { prefix: string }) => {
            executions++;
            return `${prefix}${k.n}`;
          },
        },
        Subscription: {
          kpis: {
            subscribe: (_: unknown, { key }: { key: string }) => live.subscribe(key, { topics: ['t'], compute: async () => ({ n: 7 }) }),
            resolve: (k: unknown) => k,
          },
        },
      },
    });
    const execution = new CompiledExecution();
    const document = parse(`subscription($key: ID!, $prefix: String!) { kpis(key: $key) { n label(prefix: $prefix) } }`);
    const start = async (prefix: string, shareKey?: string) => {
      const stream = (await execution.subscribe({ schema, document, variableValues: { key: 'k', prefix }, contextValue: {} }, shareKey)) as AsyncIterableIterator<ExecutionResult>;
      return { stream, first: (await stream.next()).value as ExecutionResult };
    };
    const admins = await Promise.all([start('#', 'admin'), start('#', 'admin'), start('#', 'admin')]);
    expect(admins.map((a) => a.first.data)).toEqual([0, 1, 2].map(() => ({ kpis: { n: 7, label: '#7' } })));
    expect(executions).toBe(1);
    // The same result object went to each of them.
    expect(new Set(admins.map((a) => a.first)).size).toBe(1);
    // Other variables, another sharing key, or none: executed on their own.
    const others = [await start('$', 'admin'), await start('#', 'service'), await start('#')];
    expect(others.map((o) => o.first.data?.kpis)).toEqual([{ n: 7, label: '$7' }, { n: 7, label: '#7' }, { n: 7, label: '#7' }]);
    expect(executions).toBe(4);
    await Promise.all([...admins, ...others].map((s) => s.stream.return?.()));
    expect(live.size).toBe(0);
  });
});
