// Stock rules as pure functions: how a change moves a product's stock, what the ledger records, and which
// threshold crossings raise an alert. The store applies the plan to rows it holds locked, so the rules see
// exactly the stock that concurrent purchases left behind.

export type StockMovementKind = 'INITIAL' | 'PURCHASE' | 'SET' | 'ADJUST';
export type InventoryAlertKind = 'LOW_STOCK' | 'OUT_OF_STOCK' | 'BACK_IN_STOCK';

export interface StockLevel {
  productId: string;
  stock: number;
  threshold: number;
}

export type StockChange =
  /** A purchase takes what it asks for, down to 0: the order system already sold it. */
  | { kind: 'PURCHASE'; productId: string; quantity: number; actor: string; eventId: string }
  | { kind: 'SET' | 'INITIAL'; productId: string; stock: number; actor: string; reason: string }
  | { kind: 'ADJUST'; productId: string; delta: number; actor: string; reason: string }
  | { kind: 'THRESHOLD'; productId: string; threshold: number; actor: string };

export interface PlannedMovement {
  productId: string;
  kind: StockMovementKind;
  delta: number;
  resultingStock: number;
  reason: string;
  actor: string;
  eventId: string | null;
}

export interface PlannedAlert {
  productId: string;
  kind: InventoryAlertKind;
  stock: number;
  threshold: number;
  shortfall: number;
}

export interface StockPlan {
  levels: Map<string, StockLevel>;
  movements: PlannedMovement[];
  alerts: PlannedAlert[];
  /** Products whose availability flipped (out of stock ↔ in stock): recommendations must react. */
  availability: Array<{ productId: string; inStock: boolean }>;
}

export class StockRuleError extends Error {
  constructor(
    readonly productId: string,
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

/** Alerts for one move from `before` to `after` (same product). A jump past both bounds raises both. */
export function crossings(before: StockLevel, after: StockLevel, shortfall = 0): PlannedAlert[] {
  const alerts: PlannedAlert[] = [];
  const base = { productId: after.productId, stock: after.stock, threshold: after.threshold };
  const wasLow = before.stock <= before.threshold;
  const isLow = after.stock <= after.threshold;
  if (!wasLow && isLow) alerts.push({ ...base, kind: 'LOW_STOCK', shortfall: 0 });
  if (before.stock > 0 && after.stock === 0) alerts.push({ ...base, kind: 'OUT_OF_STOCK', shortfall });
  if (before.stock === 0 && after.stock > 0) alerts.push({ ...base, kind: 'BACK_IN_STOCK', shortfall: 0 });
  return alerts;
}

/**
 * Applies `changes` in order to the current `levels` (one entry per product involved, read under lock).
 * Throws StockRuleError for a change the rules refuse (an adjustment below 0); purchases never fail.
 */
export function planStockChanges(levels: Map<string, StockLevel>, changes: StockChange[]): StockPlan {
  const current = new Map([...levels].map(([id, l]) => [id, { ...l }]));
  const plan: StockPlan = { levels: current, movements: [], alerts: [], availability: [] };
  changes.forEach((change, index) => {
    const before = current.get(change.productId);
    if (!before) throw new StockRuleError(change.productId, index, `no product with id ${change.productId}`);
    const after = { ...before };
    let shortfall = 0;
    let movement: Omit<PlannedMovement, 'productId' | 'resultingStock' | 'delta'> | undefined;
    switch (change.kind) {
      case 'PURCHASE':
        after.stock = Math.max(before.stock - change.quantity, 0);
        shortfall = Math.max(change.quantity - before.stock, 0);
        movement = { kind: 'PURCHASE', reason: `purchase of ${change.quantity}`, actor: change.actor, eventId: change.eventId };
        break;
      case 'SET':
      case 'INITIAL':
        after.stock = change.stock;
        movement = { kind: change.kind, reason: change.reason, actor: change.actor, eventId: null };
        break;
      case 'ADJUST':
        if (before.stock + change.delta < 0) {
          throw new StockRuleError(change.productId, index, `would take stock below 0 (stock ${before.stock}, delta ${change.delta})`);
        }
        after.stock = before.stock + change.delta;
        movement = { kind: 'ADJUST', reason: change.reason, actor: change.actor, eventId: null };
        break;
      case 'THRESHOLD':
        after.threshold = change.threshold;
        break;
    }
    // Every purchase gets a ledger row, even one that found nothing left, so ledger and events can be reconciled.
    if (movement) {
      plan.movements.push({ ...movement, productId: change.productId, delta: after.stock - before.stock, resultingStock: after.stock });
    }
    // A product's first stock is where it starts, not a crossing.
    if (change.kind !== 'INITIAL') plan.alerts.push(...crossings(before, after, shortfall));
    if ((before.stock > 0) !== (after.stock > 0)) plan.availability.push({ productId: change.productId, inStock: after.stock > 0 });
    current.set(change.productId, after);
  });
  return plan;
}
