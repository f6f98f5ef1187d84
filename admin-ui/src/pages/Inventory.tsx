// Inventory: the live feed of stock alerts (lowStockAlert, newest first; new ones are highlighted for a few
// seconds, no sound; resolved once a restock lifts the product above its threshold), filters by kind and category,
// the products at or below their threshold, and restocking.
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { clock, dateTime, int } from '../format';
import { INVENTORY, LOW_STOCK_ALERT, SET_STOCK, type AlertKind, type InventoryAlert, type StockProduct } from '../graphql/inventory';
import { useLive } from '../live-context';
import { Link } from '../router';

const FEED_SIZE = 50;
/** How long a new alert stays highlighted (the CSS animation lasts as long). */
const FRESH_MS = 6000;

const KIND: Record<AlertKind, { label: string; tone: 'amber' | 'red' | 'green' }> = {
  LOW_STOCK: { label: 'Low stock', tone: 'amber' },
  OUT_OF_STOCK: { label: 'Out of stock', tone: 'red' },
  BACK_IN_STOCK: { label: 'Back in stock', tone: 'green' },
};

type KindFilter = 'ALL' | 'OPEN' | AlertKind;
const KIND_FILTERS: Array<{ value: KindFilter; label: string }> = [
  { value: 'ALL', label: 'All alerts' },
  { value: 'OPEN', label: 'Open problems' },
  { value: 'LOW_STOCK', label: 'Low stock' },
  { value: 'OUT_OF_STOCK', label: 'Out of stock' },
  { value: 'BACK_IN_STOCK', label: 'Back in stock' },
];

/** An alert is a problem until a restock lifts its product above the threshold (resolvedAt); BACK_IN_STOCK is news. */
const isOpen = (a: InventoryAlert) => a.kind !== 'BACK_IN_STOCK' && !a.resolvedAt;

export function Inventory() {
  const { linkUp } = useLive();
  const { data, error, loading, refetch } = useQuery(INVENTORY, { pollInterval: 30_000, skipPollAttempt: () => !linkUp() });
  const [live, setLive] = useState<InventoryAlert[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [restocked, setRestocked] = useState<string | null>(null);
  const [kind, setKind] = useState<KindFilter>('ALL');
  const [category, setCategory] = useState('');

  const { error: feedError } = useSubscription(LOW_STOCK_ALERT, {
    onData: ({ data: pushed }) => {
      const alert = pushed.data?.lowStockAlert;
      if (!alert) return;
      setLive((list) => [alert, ...list.filter((a) => a.id !== alert.id)].slice(0, FEED_SIZE));
      setFresh((s) => new Set(s).add(alert.id));
      setTimeout(() => setFresh((s) => new Set([...s].filter((id) => id !== alert.id))), FRESH_MS);
      // The low-stock list, and the resolution of earlier alerts, changed with the alert.
      void refetch();
    },
  });

  // Pushed alerts and those read (which happened before the page opened, and carry their resolution), newest first,
  // each once: the read one when both have it, as it knows whether a restock resolved it since.
  const read = data?.inventoryAlerts.edges.map((e) => e.node) ?? [];
  const readIds = new Set(read.map((a) => a.id));
  const all = [...live.filter((a) => !readIds.has(a.id)), ...read].sort((a, b) => Number(b.id) - Number(a.id)).slice(0, FEED_SIZE);
  const low = data?.lowStockProducts.edges.map((e) => e.node) ?? [];
  const categories = [...new Set([...all.map((a) => a.product.category), ...low.map((p) => p.category)])].sort();
  const inCategory = (c: string) => !category || c === category;
  const feed = all.filter((a) => inCategory(a.product.category) && (kind === 'ALL' || (kind === 'OPEN' ? isOpen(a) : a.kind === kind)));
  const lowShown = low.filter((p) => inCategory(p.category));
  const open = all.filter(isOpen).length;

  return (
    <>
      <PageHead
        title="Inventory"
        subtitle={`Alerts arrive live, once per threshold crossing, and count as resolved once a restock lifts the product above its threshold. ${open ? `${open} open.` : 'None open.'}`}
        actions={
          <div className="actions" data-testid="inventory-filters">
            <select aria-label="Alert kind" value={kind} onChange={(e) => setKind(e.target.value as KindFilter)}>
              {KIND_FILTERS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
            <select aria-label="Category" value={category} onChange={(e) => setCategory(e.target.value)}>
              <option value="">Every category</option>
              {categories.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        }
      />
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
            <Empty>
              {all.length
                ? 'No alert matches these filters.'
                : "No alerts yet. They appear here the moment a purchase or a stock change crosses a product's threshold."}
            </Empty>
          ) : (
            <ul className="feed" data-testid="alert-feed" aria-live="polite">
              {feed.map((a) => (
                <li
                  key={a.id}
                  className={`feed-item ${fresh.has(a.id) ? 'fresh' : ''} ${a.resolvedAt ? 'resolved' : ''}`}
                  data-kind={a.kind}
                  data-product={a.product.id}
                  data-resolved={a.resolvedAt ? 'true' : 'false'}
                >
                  <div className="feed-main">
                    <Badge tone={KIND[a.kind].tone}>{KIND[a.kind].label}</Badge>
                    <Link className="strong" to={`/products/${encodeURIComponent(a.product.id)}`}>
                      {a.product.name}
                    </Link>
                    <span className="muted small">{a.product.category}</span>
                    {a.resolvedAt && (
                      <span className="badge badge-grey" data-testid="alert-resolved" title={`Restocked above ${int(a.threshold)} at ${dateTime(a.resolvedAt)}`}>
                        resolved {clock(a.resolvedAt)}
                      </span>
                    )}
                  </div>
                  <div className="feed-meta muted small">
                    stock {int(a.stock)} / threshold {int(a.threshold)}
                    {a.shortfall > 0 && <span className="text-red"> · {int(a.shortfall)} ordered beyond stock</span>} · {clock(a.createdAt)}
                    {a.resolvedAt && ` · now ${int(a.product.stock)} in stock`}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title={`Low stock (${lowShown.length}${data?.lowStockProducts.pageInfo.hasNextPage ? '+' : ''})`}>
          {restocked && (
            <div className="note note-ok" role="status" data-testid="restock-done">
              {restocked}
            </div>
          )}
          {loading && !data ? (
            <Loading />
          ) : lowShown.length === 0 ? (
            <Empty>{category ? `Every product in ${category} is above its low-stock threshold.` : 'Every product is above its low-stock threshold.'}</Empty>
          ) : (
            <ul className="stock-list" data-testid="low-stock-list">
              {lowShown.map((p) => (
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
        <Link className="strong" to={`/products/${encodeURIComponent(product.id)}`}>
          {product.name}
        </Link>
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
