// One product: price, stock against its threshold, and its latest stock movements (the ledger: purchases, restocks,
// adjustments, who and when). Campaign, sales and inventory pages link here instead of showing raw SKU ids.
import { useQuery } from '@apollo/client/react';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel, Stat } from '../components/ui';
import { dateTime, int } from '../format';
import { PRODUCT_PAGE } from '../graphql/products';
import { useLive } from '../live-context';
import { Link } from '../router';

const KIND = { INITIAL: 'created', PURCHASE: 'purchase', SET: 'set', ADJUST: 'adjusted' } as const;

export function Product({ id }: { id: string }) {
  const { linkUp } = useLive();
  const { data, error, loading } = useQuery(PRODUCT_PAGE, { variables: { id }, pollInterval: 10_000, skipPollAttempt: () => !linkUp() });
  if (loading && !data) return <Loading />;
  if (error && !data) return <ErrorNote error={error} what="Could not load the product" />;
  const p = data?.product;
  if (!p) {
    return (
      <Panel>
        <p>
          No product with id <code>{id}</code>. <Link to="/inventory">Go to inventory</Link>
        </p>
      </Panel>
    );
  }
  const level = p.stock === 0 ? <Badge tone="red">out of stock</Badge> : p.stock <= p.lowStockThreshold ? <Badge tone="amber">low stock</Badge> : <Badge tone="green">in stock</Badge>;
  const moves = p.stockMovements.edges.map((e) => e.node);
  const price = new Intl.NumberFormat('en-US', { style: 'currency', currency: p.currency }).format(p.price);
  return (
    <>
      <PageHead
        title={
          <>
            {p.name} {level}
          </>
        }
        subtitle={
          <>
            <code>{p.id}</code> · {p.category}
          </>
        }
      />
      <div className="stats" data-testid="product-stats">
        <Stat label="Price" value={price} hint={p.currency} />
        <Stat label="In stock" value={int(p.stock)} hint={`low at ${int(p.lowStockThreshold)} or fewer`} testId="product-stock" />
      </div>
      <Panel title="Stock movements" actions={<span className="muted small">newest first</span>}>
        {moves.length === 0 ? (
          <Empty>No stock movements yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table cards" data-testid="stock-movements">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th className="num">Change</th>
                  <th className="num">Stock after</th>
                  <th>Who</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {moves.map((m) => (
                  <tr key={m.id}>
                    <td className="card-title">{dateTime(m.createdAt)}</td>
                    <td data-label="What">{KIND[m.kind]}</td>
                    <td className={`num ${m.delta < 0 ? 'text-red' : ''}`} data-label="Change">
                      {m.delta > 0 ? `+${int(m.delta)}` : int(m.delta)}
                    </td>
                    <td className="num" data-label="Stock after">{int(m.resultingStock)}</td>
                    <td data-label="Who">{m.actor}</td>
                    <td className="card-wide" data-label="Reason">{m.reason || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </>
  );
}
