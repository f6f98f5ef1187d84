import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
let admin: string;
beforeAll(async () => {
  t = await startTestPlatform();
  admin = await t.token('admin');
});
afterAll(() => t.stop());

const UPSERT = `mutation($products: [ProductInput!]!) {
  upsertProducts(products: $products) { created updated products { id name category price currency stock lowStockThreshold } }
}`;
const LIST = `query($first: Int, $after: String, $category: String) {
  products(first: $first, after: $after, category: $category) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
}`;

function product(id: string, extra: Record<string, unknown> = {}) {
  return { id, name: `Product ${id}`, category: 'shoes', price: 19.99, ...extra };
}

describe('catalog over HTTP', () => {
  it('lets an admin create and then update products, keeping omitted fields', async () => {
    const id = uniqueId('p');
    const first = await t.gql(UPSERT, { products: [product(id, { stock: 7, lowStockThreshold: 3, currency: 'EUR' })] }, admin);
    expect(first.errors).toBeUndefined();
    expect(first.data.upsertProducts).toMatchObject({ created: 1, updated: 0 });
    expect(first.data.upsertProducts.products[0]).toEqual({
      id, name: `Product ${id}`, category: 'shoes', price: 19.99, currency: 'EUR', stock: 7, lowStockThreshold: 3,
    });
    const second = await t.gql(UPSERT, { products: [product(id, { name: 'Renamed', price: 5 })] }, admin);
    expect(second.data.upsertProducts).toMatchObject({ created: 0, updated: 1 });
    expect(second.data.upsertProducts.products[0]).toMatchObject({ name: 'Renamed', price: 5, currency: 'EUR', stock: 7, lowStockThreshold: 3 });
    const read = await t.gql(`query($id: ID!) { product(id: $id) { name stock createdAt updatedAt } }`, { id });
    expect(read.data.product).toMatchObject({ name: 'Renamed', stock: 7 });
    expect(Date.parse(read.data.product.updatedAt)).toBeGreaterThanOrEqual(Date.parse(read.data.product.createdAt));
  });

  it('refuses writes by shoppers (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
    const shopper = await t.token('shopper');
    const id = uniqueId('p');
    const forbidden = await t.gql(UPSERT, { products: [product(id)] }, shopper);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql(UPSERT, { products: [product(id)] });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(`query($id: ID!) { product(id: $id) { id } }`, { id })).data.product).toBeNull();
  });

  it('pages through products with cursors for shoppers and anonymous callers, filtered by category', async () => {
    const category = uniqueId('cat');
    const ids = Array.from({ length: 5 }, (_, i) => `${category}-${i}`);
    await t.gql(UPSERT, { products: ids.map((id) => product(id, { category })) }, admin);
    const shopper = await t.token('shopper');
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res: any = await t.gql(LIST, { first: 2, after, category }, page % 2 ? shopper : undefined);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.products.edges.map((e: any) => e.node.id));
      after = res.data.products.pageInfo.endCursor;
      expect(res.data.products.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(seen).toEqual(ids);
  });

  it('rejects a batch with any bad item, naming each field and rule, and writes nothing', async () => {
    const good = uniqueId('p');
    const res = await t.gql(
      UPSERT,
      { products: [product(good), product(uniqueId('p'), { price: -1 }), product(uniqueId('p'), { name: '  ' }), product('bad id!')] },
      admin,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const problems = res.errors![0]!.extensions!.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'products.1.price', index: 1, message: 'must not be negative' }),
        expect.objectContaining({ field: 'products.2.name', index: 2, message: 'must not be empty' }),
        expect.objectContaining({ field: 'products.3.id', index: 3 }),
      ]),
    );
    expect((await t.gql(`query($id: ID!) { product(id: $id) { id } }`, { id: good })).data.product).toBeNull();
  });

  it('rejects batches over 1,000, empty batches, repeated ids and bad cursors', async () => {
    const big = Array.from({ length: 1001 }, (_, i) => product(`${uniqueId('b')}-${i}`));
    const tooBig = await t.gql(UPSERT, { products: big }, admin);
    expect(tooBig.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(tooBig.errors?.[0]?.message).toMatch(/products: must hold between 1 and 1000 items \(got 1001\)/);
    expect((await t.gql(UPSERT, { products: [] }, admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const id = uniqueId('p');
    const repeated = await t.gql(UPSERT, { products: [product(id), product(id)] }, admin);
    expect(repeated.errors?.[0]?.message).toMatch(/products.1.id: repeats id/);
    const cursor = await t.gql(LIST, { after: 'not-a-cursor!' });
    expect(cursor.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await t.gql(LIST, { first: 101 })).errors?.[0]?.message).toMatch(/first: must be between 1 and 100/);
  });

  it('upserts a full batch of 1,000 atomically in one call', async () => {
    const prefix = uniqueId('bulk');
    const batch = Array.from({ length: 1000 }, (_, i) => product(`${prefix}-${String(i).padStart(4, '0')}`, { category: prefix }));
    const res = await t.gql(UPSERT, { products: batch }, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertProducts.created).toBe(1000);
    expect(res.data.upsertProducts.products.map((p: any) => p.id)).toEqual(batch.map((p) => p.id));
  });

  it('answers unknown fields with GraphQL validation errors', async () => {
    const res = await t.gql(`{ products { edges { node { id secretField } } } }`);
    expect(res.errors?.[0]?.message).toMatch(/Cannot query field "secretField"/);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
