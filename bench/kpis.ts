// npm run bench:kpis — how many KPI-bearing events per second the workers absorb while 100 subscribers watch
// 10 campaigns, and the push delay those subscribers see. API and worker run as separate processes.
// Prints figures only; results go to BENCHMARKS.md by hand.
import { createDeployment, describeMachine, percentile, runBench } from './support';

const CAMPAIGNS = 10;
const SUBSCRIBERS_PER_CAMPAIGN = 10;

async function main() {
  const deployment = await createDeployment('kpis');
  const gql = deployment.gql;
  try {
    await deployment.start('api');
    await deployment.start('worker');
    const admin = await deployment.token('admin');
    const service = await deployment.token('service');
    await gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, name: `P${i}`, category: 'c', price: 10, stock: 1_000_000 })) }, admin);
    const campaigns: string[] = [];
    for (let i = 0; i < CAMPAIGNS; i++) {
      const c = await gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, { i: { name: `C${i}`, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), budget: 1 } }, admin);
      campaigns.push(c.createCampaign.id);
    }
    // 100 subscribers: each records when its campaign's impressions reach a value.
    const reached = new Map<string, Array<{ impressions: number; at: number }>>(campaigns.map((c) => [c, []]));
    let pushes = 0;
    await Promise.all(
      campaigns.flatMap((id) =>
        Array.from({ length: SUBSCRIBERS_PER_CAMPAIGN }, (_, k) =>
          new Promise<void>((resolve, reject) => {
            const client = deployment.ws(admin);
            let first = true;
            client.subscribe<any>({ query: `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { impressions } }`, variables: { id } }, {
              next: (r) => {
                pushes++;
                if (k === 0) reached.get(id)!.push({ impressions: r.data.campaignKpisUpdated.impressions, at: performance.now() });
                if (first) {
                  first = false;
                  resolve();
                }
              },
              error: reject,
              complete: () => undefined,
            });
          }),
        ),
      ),
    );
    console.log(`subscribed: ${CAMPAIGNS * SUBSCRIBERS_PER_CAMPAIGN} subscribers on ${CAMPAIGNS} campaigns`);

    const rows: string[] = [];
    let seq = 0;
    for (const rate of [500, 1000, 2000, 4000]) {
      const seconds = 10;
      const batch = Math.max(10, rate / 50); // 50 requests per second
      const sentAt = new Map<string, Array<{ count: number; at: number }>>(campaigns.map((c) => [c, []]));
      const counts = new Map<string, number>(campaigns.map((c) => [c, 0]));
      // Counts before this round, so that each round measures its own events.
      const base = new Map(campaigns.map((c) => [c, reached.get(c)!.at(-1)?.impressions ?? 0]));
      for (const c of campaigns) counts.set(c, base.get(c)!);
      const pushesBefore = pushes;
      const t0 = performance.now();
      let sent = 0;
      const inflight: Promise<void>[] = [];
      while (performance.now() - t0 < seconds * 1000) {
        const tick = performance.now();
        const events = Array.from({ length: batch }, () => {
          const c = campaigns[seq % CAMPAIGNS]!;
          return { id: `e${deployment.run}-${seq++}`, type: 'IMPRESSION', userId: `u${seq % 5000}`, productId: `p${seq % 50}`, campaignId: c };
        });
        inflight.push(
          gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service).then(() => {
            const now = performance.now();
            const per = new Map<string, number>();
            for (const e of events) per.set(e.campaignId, (per.get(e.campaignId) ?? 0) + 1);
            for (const [c, n] of per) {
              counts.set(c, counts.get(c)! + n);
              sentAt.get(c)!.push({ count: counts.get(c)!, at: now });
            }
          }),
        );
        sent += events.length;
        await new Promise((r) => setTimeout(r, Math.max(0, 20 - (performance.now() - tick))));
      }
      await Promise.all(inflight);
      const sendSeconds = (performance.now() - t0) / 1000;
      // Wait until every campaign's subscribers saw all of this round's impressions.
      const deadline = performance.now() + 30_000;
      while (campaigns.some((c) => (reached.get(c)!.at(-1)?.impressions ?? 0) < counts.get(c)!) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const absorbedAt = Math.max(...campaigns.map((c) => reached.get(c)!.find((x) => x.impressions >= counts.get(c)!)?.at ?? Infinity));
      const absorbSeconds = (absorbedAt - t0) / 1000;
      // Push delay: from the mutation's response to the first push whose count includes its events.
      const delays: number[] = [];
      for (const c of campaigns) {
        const seen = reached.get(c)!;
        for (const s of sentAt.get(c)!) {
          const push = seen.find((x) => x.impressions >= s.count && x.at >= s.at);
          if (push) delays.push(push.at - s.at);
        }
      }
      delays.sort((x, y) => x - y);
      rows.push(
        `| ${rate} | ${(sent / sendSeconds).toFixed(0)} | ${Number.isFinite(absorbSeconds) ? (sent / absorbSeconds).toFixed(0) : 'n/a'} | ` +
          `${percentile(delays, 50).toFixed(0)} | ${percentile(delays, 95).toFixed(0)} | ${percentile(delays, 99).toFixed(0)} | ${pushes - pushesBefore} |`,
      );
      console.log(rows.at(-1));
    }
    console.log(`\nbench:kpis — ${CAMPAIGNS} campaigns, ${CAMPAIGNS * SUBSCRIBERS_PER_CAMPAIGN} subscribers, API and worker in separate processes`);
    console.log(`machine: ${await describeMachine()}\n`);
    console.log('| target events/s | sent events/s | absorbed events/s | push delay p50 ms | p95 ms | p99 ms | pushes |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('\nPush delay includes the KPI throttle (KPI_THROTTLE_MS = 250 ms): a push waits up to that long by design.');
  } finally {
    await deployment.teardown();
  }
}

runBench(main);
