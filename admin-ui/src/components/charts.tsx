// Chart frames on recharts: a fixed height and the width of their panel.
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';
import { short } from '../format';

export const COLORS = {
  impressions: '#8aa4d6',
  clicks: '#2f6fde',
  conversions: '#1b9e77',
  revenue: '#e6a23c',
  ctr: '#c2410c',
  orders: '#1b9e77',
};

export function ChartFrame({ height = 240, children }: { height?: number; children: ReactElement }) {
  return (
    <div className="chart" style={{ height }}>
      {/* initialDimension: a size to draw with before the first measurement, so recharts never warns about 0×0. */}
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height }}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}

/** A money axis's ticks: "$1.2K" (the shop's currency, USD in the demo). */
export const moneyTick = (n: number): string => `$${short(n)}`;
