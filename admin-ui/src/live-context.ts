// The session's live link, for pages that show its state or pause polling while it is down.
import { createContext, useContext } from 'react';
import type { LiveLink } from './live-link';

export interface LiveContextValue {
  link: LiveLink;
  /** True while the live link is connected: polling pauses otherwise (the server is likely away). */
  linkUp: () => boolean;
}

export const LiveContext = createContext<LiveContextValue | null>(null);

export function useLive(): LiveContextValue {
  const value = useContext(LiveContext);
  if (!value) throw new Error('useLive outside a signed-in session');
  return value;
}
