// Storefront preview: shop as any user id and watch that user's recommendations follow every click, cart and
// purchase, live through recommendationsUpdated. Events are recorded with the signed-in admin token, which may
// act for any user (as a storefront backend's service token would).
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Badge, Empty, ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { clock, money, randomId } from '../format';
import { PRODUCTS, RECOMMENDATIONS_UPDATED, RECORD_EVENT, type ShopperAction, type ShopProduct } from '../graphql/storefront';

const USER_KEY = 'flywheel.preview.user';
const PAGE = 24;
const ACTION_LABEL: Record<ShopperAction, string> = { VIEW: 'viewed', CLICK: 'clicked', ADD_TO_CART: 'added to cart', PURCHASE: 'bought' };

interface Sent {
  key: string;
  at: Date;
  action: ShopperAction;
  product: string;
  fromList: boolean;
  outcome: 'sending' | 'recorded' | 'failed';
}

export function Storefront() {
  const [userId, setUserId] = useState(() => sessionStorage.getItem(USER_KEY) ?? randomId('preview').slice(0, 16));
  const [draft, setDraft] = useState(userId);
  const [sessionId, setSessionId] = useState(() => randomId('session'));
  const [category, setCategory] = useState<string | null>(null);
  const [shown, setShown] = useState(PAGE);
  const [categories, setCategories] = useState<string[]>([]);
  const [sent, setSent] = useState<Sent[]>([]);

  useEffect(() => sessionStorage.setItem(USER_KEY, userId), [userId]);

  const products = useQuery(PRODUCTS, { variables: { after: null, category } });
  const list = products.data?.products.edges.map((e) => e.node) ?? [];
  useEffect(() => {
    if (category === null && list.length) setCategories([...new Set(list.map((p) => p.category))].sort());
    // Only the unfiltered list tells which categories exist; a filtered one keeps them.
  }, [category, products.data]);

  const [record] = useMutation(RECORD_EVENT);
  const act = async (action: ShopperAction, product: ShopProduct, recommendationId?: string) => {
    const key = randomId('preview');
    setSent((s) => [{ key, at: new Date(), action, product: product.name, fromList: !!recommendationId, outcome: 'sending' as const }, ...s].slice(0, 8));
    const outcome = await record({ variables: { event: { id: key, type: action, userId, sessionId, productId: product.id, recommendationId } } }).then(
      () => 'recorded' as const,
      () => 'failed' as const,
    );
    setSent((s) => s.map((x) => (x.key === key ? { ...x, outcome } : x)));
  };

  const switchUser = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (!next || next === userId) return;
    setUserId(next);
    setSessionId(randomId('session'));
    setSent([]);
  };
  const newShopper = () => {
    const next = randomId('preview').slice(0, 16);
    setDraft(next);
    setUserId(next);
    setSessionId(randomId('session'));
    setSent([]);
  };

  return (
    <>
      <PageHead title="Storefront preview" subtitle="Shop as a user and watch their recommendations follow each action, live." />
      <Panel>
        <form className="shopper" onSubmit={switchUser}>
          <label htmlFor="shopper-id">Shopping as</label>
          <input id="shopper-id" value={draft} onChange={(e) => setDraft(e.target.value)} list="known-shoppers" spellCheck={false} />
          <datalist id="known-shoppers">
            {Array.from({ length: 5 }, (_, i) => (
              <option key={i} value={`sim-user-${i + 1}`} />
            ))}
          </datalist>
          <button type="submit" disabled={!draft.trim() || draft.trim() === userId}>
            Switch
          </button>
          <button type="button" onClick={newShopper}>
            New shopper
          </button>
        </form>
      </Panel>
      <div className="storefront">
        <div className="storefront-main">
          <Panel
            title="Products"
            actions={
              <select aria-label="Category" value={category ?? ''} onChange={(e) => (setCategory(e.target.value || null), setShown(PAGE))}>
                <option value="">All categories</option>
                {categories.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            }
          >
            <ErrorNote error={products.error} what="Could not load products" />
            {products.loading && !products.data ? (
              <Loading />
            ) : list.length === 0 ? (
              <Empty>No products. Run <code>npm run demo</code> for a demo catalog.</Empty>
            ) : (
              <>
                <div className="product-grid" data-testid="product-grid">
                  {list.slice(0, shown).map((p) => (
                    <ProductCard key={p.id} product={p} onAction={(a) => void act(a, p)} />
                  ))}
                </div>
                {shown < list.length && (
                  <button className="more" onClick={() => setShown((n) => n + PAGE)}>
                    Show more ({list.length - shown} more)
                  </button>
                )}
              </>
            )}
          </Panel>
        </div>
        <aside className="storefront-side">
          <Recommendations userId={userId} onAction={(a, p, listId) => void act(a, p, listId)} />
          <Panel title="Sent events">
            {sent.length === 0 ? (
              <Empty>Click a product, add it to the cart or buy it.</Empty>
            ) : (
              <ul className="sent" data-testid="sent-events">
                {sent.map((s) => (
                  <li key={s.key} className={`sent-${s.outcome}`}>
                    <span className="muted small">{clock(s.at)}</span> {ACTION_LABEL[s.action]} <span className="strong">{s.product}</span>
                    {s.fromList && <span className="muted small"> from the list</span>}
                    {s.outcome === 'failed' && <span className="text-red"> · failed</span>}
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        </aside>
      </div>
    </>
  );
}

function ProductCard({ product: p, onAction }: { product: ShopProduct; onAction: (a: ShopperAction) => void }) {
  const out = p.stock === 0;
  return (
    <div className={`product ${out ? 'product-out' : ''}`} data-product={p.id}>
      <button className="product-open" onClick={() => onAction('CLICK')} title="Records a CLICK">
        <span className="product-thumb" aria-hidden style={{ background: thumbColor(p.category) }}>
          {p.category.slice(0, 1).toUpperCase()}
        </span>
        <span className="product-name">{p.name}</span>
      </button>
      <div className="product-meta">
        <span className="strong">{money(p.price)}</span>
        <span className={`small ${out ? 'text-red' : p.stock <= 5 ? 'text-amber' : 'muted'}`}>{out ? 'out of stock' : `${p.stock} left`}</span>
      </div>
      <div className="product-actions">
        <button onClick={() => onAction('ADD_TO_CART')} disabled={out}>
          Add to cart
        </button>
        <button className="primary" onClick={() => onAction('PURCHASE')} disabled={out}>
          Buy
        </button>
      </div>
    </div>
  );
}

/** A stable pastel per category, so the grid is easy to scan without product images. */
function thumbColor(category: string): string {
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 60% 88%)`;
}

function Recommendations({ userId, onAction }: { userId: string; onAction: (a: ShopperAction, p: ShopProduct, listId: string) => void }) {
  const [updates, setUpdates] = useState(0);
  const previous = useRef<Set<string>>(new Set());
  const box = useRef<HTMLDivElement>(null);
  // On a phone the list may be scrolled away while shopping: offer a way back when it changes.
  const [offscreenChange, setOffscreenChange] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const seen = new IntersectionObserver(([entry]) => entry?.isIntersecting && setOffscreenChange(false));
    seen.observe(el);
    return () => seen.disconnect();
  }, []);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    setUpdates(0);
    previous.current = new Set();
    setFresh(new Set());
  }, [userId]);
  const { data, error, loading } = useSubscription(RECOMMENDATIONS_UPDATED, {
    variables: { userId },
    onData: ({ data: pushed }) => {
      const items = pushed.data?.recommendationsUpdated.items ?? [];
      const ids = new Set(items.map((i) => i.product.id));
      // Highlight what entered the list, except on its first appearance.
      setFresh(previous.current.size ? new Set([...ids].filter((id) => !previous.current.has(id))) : new Set());
      const rect = box.current?.getBoundingClientRect();
      if (previous.current.size && rect && (rect.bottom < 0 || rect.top > window.innerHeight)) setOffscreenChange(true);
      previous.current = ids;
      setUpdates((n) => n + 1);
    },
  });
  const rec = data?.recommendationsUpdated;
  return (
    <div ref={box} className="recs">
      {offscreenChange && (
        <button className="jump primary" onClick={() => box.current?.scrollIntoView({ behavior: 'smooth', block: 'start' })}>
          Recommendations changed ↑
        </button>
      )}
      <Panel
        title="Recommended for you"
        actions={
          <span className="muted small" data-testid="rec-updates">
            {updates ? `${updates} update${updates === 1 ? '' : 's'}` : ''}
          </span>
        }
      >
        <ErrorNote error={error} what="Live recommendations failed" />
        {loading && !rec ? (
          <Loading />
        ) : !rec || rec.items.length === 0 ? (
          <Empty>Nothing to recommend yet.</Empty>
        ) : (
          <>
            <p className="muted small">
              for <code>{rec.userId}</code> · {rec.model}
              {rec.variant && (
                <>
                  {' '}
                  · variant <Badge tone="blue">{rec.variant}</Badge>
                </>
              )}{' '}
              · {clock(rec.generatedAt)}
            </p>
            <ol className="rec-list" data-testid="rec-list" data-list-id={rec.id}>
              {rec.items.map((i) => (
                <li key={i.product.id} className={fresh.has(i.product.id) ? 'fresh' : ''} data-product={i.product.id}>
                  <button className="rec-open" onClick={() => onAction('CLICK', i.product, rec.id)} title="Records a CLICK from this list">
                    <span className="strong">{i.product.name}</span>
                    <span className="muted small">{i.reason}</span>
                  </button>
                  <span className="rec-price">{money(i.product.price)}</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </Panel>
    </div>
  );
}
