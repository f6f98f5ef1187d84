import { describe, expect, it } from 'vitest';
import { planStockChanges, StockRuleError, type StockChange } from '../src/domain/stock-rules';

const level = (stock: number, threshold = 10) => new Map([['p', { productId: 'p', stock, threshold }]]);
const buy = (quantity: number, i = 0): StockChange => ({ kind: 'PURCHASE', productId: 'p', quantity, actor: 'u', eventId: `e${i}` });
const kinds = (changes: StockChange[], start = level(12)) => planStockChanges(start, changes).alerts.map((a) => a.kind);

describe('planStockChanges', () => {
  it('raises one alert per crossing, however many purchases follow', () => {
    expect(kinds([buy(1), buy(1), buy(1), buy(1)])).toEqual(['LOW_STOCK']);
    expect(kinds(Array.from({ length: 20 }, (_, i) => buy(1, i)))).toEqual(['LOW_STOCK', 'OUT_OF_STOCK']);
  });

  it('clamps purchases at 0 and reports the shortfall on OUT_OF_STOCK', () => {
    const plan = planStockChanges(level(3, 1), [buy(5)]);
    expect(plan.levels.get('p')!.stock).toBe(0);
    expect(plan.alerts).toEqual([
      expect.objectContaining({ kind: 'LOW_STOCK', stock: 0 }),
      expect.objectContaining({ kind: 'OUT_OF_STOCK', shortfall: 2 }),
    ]);
    expect(plan.movements[0]).toMatchObject({ delta: -3, resultingStock: 0 });
    expect(plan.availability).toEqual([{ productId: 'p', inStock: false }]);
  });

  it('re-arms LOW_STOCK only after a restock above the threshold', () => {
    const start = level(5);
    expect(kinds([{ kind: 'SET', productId: 'p', stock: 8, actor: 'a', reason: 'r' }, buy(1)], start)).toEqual([]);
    expect(kinds([{ kind: 'SET', productId: 'p', stock: 11, actor: 'a', reason: 'r' }, buy(1)], start)).toEqual(['LOW_STOCK']);
    expect(kinds([{ kind: 'SET', productId: 'p', stock: 0, actor: 'a', reason: 'r' }, { kind: 'ADJUST', productId: 'p', delta: 2, actor: 'a', reason: 'r' }], start)).toEqual([
      'OUT_OF_STOCK',
      'BACK_IN_STOCK',
    ]);
  });

  it('refuses an adjustment below 0 but never a purchase', () => {
    expect(() => planStockChanges(level(2), [{ kind: 'ADJUST', productId: 'p', delta: -3, actor: 'a', reason: 'r' }])).toThrow(StockRuleError);
    expect(() => planStockChanges(level(0), [buy(3)])).not.toThrow();
    expect(planStockChanges(level(0), [buy(3)]).alerts).toEqual([]);
  });

  it('does not treat a new product\'s first stock as a crossing', () => {
    expect(kinds([{ kind: 'INITIAL', productId: 'p', stock: 3, actor: 'a', reason: 'r' }], level(0))).toEqual([]);
  });
});
