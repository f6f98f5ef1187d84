// Apollo Client for one session: queries and mutations over HTTP, subscriptions over the live link, both with the
// session's current token (read per request and per reconnection, so that signing in again needs no new client).
// Auth failures are reported in one place: HTTP answers 401 with UNAUTHENTICATED ("Invalid token", "Token
// expired"); the live link is closed with 4403 (see live-link.ts).
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createLiveLink, TOKEN_EXPIRED_REASON, type LiveLink } from './live-link';
import { currentToken, tokenOtherThan } from './session';

export interface Clients {
  apollo: ApolloClient;
  live: LiveLink;
  dispose(): void;
}

/** The server's message from a 401 body ({ errors: [{ message }] }), if it sent one. */
function messageOf401(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as { errors?: Array<{ message?: string }> };
    return body.errors?.[0]?.message ?? 'Unauthorized';
  } catch {
    return 'Unauthorized';
  }
}

/** What the admin is told when the server refuses the token: no protocol jargon, and what to do. */
export const SESSION_EXPIRED = 'Your session expired. Sign in again with a new admin token: you stay where you were.';
function refusal(reason: string): string {
  return reason === TOKEN_EXPIRED_REASON ? SESSION_EXPIRED : `The server rejected the token: ${reason}. ${whyRejected(reason)}Sign in again with a new admin token.`;
}

/** The likely cause of the server's "Invalid token": a token signed with another secret (made on another machine, or
 * on the host for a Docker Compose platform with its own JWT_SECRET), or altered. Empty for other reasons. */
export function whyRejected(reason: string): string {
  return reason === 'Invalid token'
    ? "Its signature does not match this platform's JWT_SECRET: make tokens and links where the platform runs, with its JWT_SECRET. "
    : '';
}

export function createClients(onAuthFailure: (message: string) => void): Clients {
  const live = createLiveLink({ token: currentToken, renewed: tokenOtherThan }, {
    onRejected: (reason) => onAuthFailure(reason === 'Forbidden' ? 'The server no longer accepts this token. Sign in again with a new admin token.' : refusal(reason)),
    // Subscriptions resubscribe and push their current value; queries are read again so nothing shows stale figures.
    // (apollo is declared below; this runs only after a reconnection.)
    onReconnected: () => void apollo.refetchQueries({ include: 'active' }),
  });

  const errors = new ErrorLink(({ error }) => {
    if (CombinedGraphQLErrors.is(error)) {
      const unauthenticated = error.errors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
      if (unauthenticated) onAuthFailure(refusal(unauthenticated.message));
    } else if (ServerError.is(error) && error.statusCode === 401) {
      onAuthFailure(refusal(messageOf401(error.bodyText)));
    }
  });
  const auth = new SetContextLink(({ headers }) => {
    const token = currentToken();
    return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });
  const http = new HttpLink({ uri: '/graphql' });
  const link = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(live.client),
    ApolloLink.from([errors, auth, http]),
  );

  const apollo = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // Normalised by campaign, so that a live push updates the campaign list and page alike.
        CampaignKpis: { keyFields: ['campaignId'] },
        // Objects without ids that are replaced as a whole on every read.
        ModelMetrics: { merge: true },
        SalesMetrics: { merge: true },
        SystemStatus: { merge: true },
        InstanceStatus: { merge: true },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
  return {
    apollo,
    live,
    dispose() {
      live.dispose();
      apollo.stop();
    },
  };
}
