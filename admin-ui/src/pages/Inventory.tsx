// Inventory: the live feed of stock alerts (lowStockAlert, newest first; new ones are highlighted for a few
// seconds, no sound), the products at or below their threshold, and restocking.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { clock, int } from '../format';
import { INVENTORY, LOW_STOCK_ALERT, SET_STOCK, type AlertKind, type InventoryAlert, type StockProduct } from '../graphql/inventory';
import { useLive } from '../live-context';

const FEED_SIZE = 50;
/** How long a new alert stays highlighted (the CSS animation lasts as long). */
const FRESH_MS = 6000;

const KIND: Record<AlertKind, { label: string; tone: 'amber' | 'red' | 'green' }> = {
  LOW_STOCK: { label: 'Low stock', tone: 'amber' },
  OUT_OF_STOCK: { label: 'Out of stock', tone: 'red' },
  BACK_IN_STOCK: { label: 'Back in stock', tone: 'green' },
};

export function Inventory() {
  const { linkUp } = useLive();
  const { data, error, loading, refetch } = useQuery(INVENTORY, { pollInterval: 30_000, skipPollAttempt: () => !linkUp() });
  const [live, setLive] = useState<InventoryAlert[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [restocked, setRestocked] = useState<string | null>(null);

  const { error: feedError } = useSubscription(LOW_STOCK_ALERT, {
    onData: ({ data: pushed }) => {
      const alert = pushed.data?.lowStockAlert;
      if (!alert) return;
      setLive((list) => [alert, ...list.filter((a) => a.id !== alert.id)].slice(0, FEED_SIZE));
      setFresh((s) => new Set(s).add(alert.id));
      setTimeout(() => setFresh((s) => new Set([...s].filter((id) => id !== alert.id))), FRESH_MS);
      // The low-stock list changed with the alert.
      void refetch();
    },
  });

  // Alerts that happened before the page opened, below the live ones, without repeats.
  const seen = new Set(live.map((a) => a.id));
  const feed = [...live, ...(data?.inventoryAlerts.edges.map((e) => e.node) ?? []).filter((a) => !seen.has(a.id))].slice(0, FEED_SIZE);
  const low = data?.lowStockProducts.edges.map((e) => e.node) ?? [];

  return (
    <>
      <PageHead title="Inventory" subtitle="Alerts arrive live, once per threshold crossing." />
      <ErrorNote error={error} what="Could not load inventory" />
      <ErrorNote error={feedError} what="Live alerts failed" />
      <div className="grid-2 inventory">
        <Panel
          title={
            <>
              Alerts <span className="muted small">newest first</span>
            </>
          }
        >
          {loading && !data ? (
            <Loading />
          ) : feed.length === 0 ? (
            <Empty>No alerts yet. They appear here the moment a purchase or a stock change crosses a product's threshold.</Empty>
          ) : (
            <ul className="feed" data-testid="alert-feed" aria-live="polite">
              {feed.map((a) => (
                <li key={a.id} className={`feed-item ${fresh.has(a.id) ? 'fresh' : ''}`} data-kind={a.kind} data-product={a.product.id}>
                  <div className="feed-main">
                    <Badge tone={KIND[a.kind].tone}>{KIND[a.kind].label}</Badge>
                    <span className="strong">{a.product.name}</span>
                    <span className="muted small">{a.product.id}</span>
                  </div>
                  <div className="feed-meta muted small">
                    stock {int(a.stock)} / threshold {int(a.threshold)}
                    {a.shortfall > 0 && <span className="text-red"> · {int(a.shortfall)} short</span>} · {clock(a.createdAt)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title={`Low stock (${low.length}${data?.lowStockProducts.pageInfo.hasNextPage ? '+' : ''})`}>
          {restocked && (
            <div className="note note-ok" role="status" data-testid="restock-done">
              {restocked}
            </div>
          )}
          {loading && !data ? (
            <Loading />
          ) : low.length === 0 ? (
            <Empty>Every product is above its low-stock threshold.</Empty>
          ) : (
            <ul className="stock-list" data-testid="low-stock-list">
              {low.map((p) => (
                <RestockRow
                  key={p.id}
                  product={p}
                  onDone={(stock) => {
                    setRestocked(`${p.name} restocked to ${int(stock)} at ${clock(new Date())}.`);
                    void refetch();
                  }}
                />
              ))}
            </ul>
          )}
        </Panel>
      </div>
    </>
  );
}

/** A suggested level well above the threshold, so that the product does not alert again at once. */
const suggestedLevel = (p: StockProduct) => String(Math.max(p.lowStockThreshold * 5, 50));

function RestockRow({ product, onDone }: { product: StockProduct; onDone: (stock: number) => void }) {
  const [level, setLevel] = useState(() => suggestedLevel(product));
  const [setStock, { loading, error }] = useMutation(SET_STOCK);
  const restock = async () => {
    try {
      const res = await setStock({ variables: { productId: product.id, stock: Number(level) } });
      if (res.data) onDone(res.data.setStock.stock);
    } catch {
      // Shown from the mutation's error state.
    }
  };
  return (
    <li className="stock-row" data-product={product.id}>
      <div className="stock-info">
        <span className="strong">{product.name}</span>
        <span className="muted small">
          {product.id} · {product.category}
        </span>
      </div>
      <div className={`stock-level ${product.stock === 0 ? 'text-red' : 'text-amber'}`} title={`threshold ${product.lowStockThreshold}`}>
        {int(product.stock)} <span className="muted small">/ {int(product.lowStockThreshold)}</span>
      </div>
      <div className="stock-action">
        <input
          type="number"
          min={0}
          step={1}
          aria-label={`New stock level for ${product.name}`}
          value={level}
          onChange={(e) => setLevel(e.target.value)}
        />
        <button className="primary" disabled={loading} onClick={restock}>
          Restock
        </button>
      </div>
      {error && <ErrorNote error={error} />}
    </li>
  );
}
