// Apollo Client for one session: queries and mutations over HTTP, subscriptions over the live link.
// Auth failures end the session in one place: HTTP answers 401 with UNAUTHENTICATED ("Invalid token",
// "Token expired"); the live link is closed with 4403 (see live-link.ts).
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createLiveLink, type LiveLink } from './live-link';

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

export function createClients(token: string, onAuthFailure: (message: string) => void): Clients {
  const live = createLiveLink(token, {
    onRejected: () => onAuthFailure('The server closed the live connection (code 4403): the token is invalid or has expired.'),
    // Subscriptions resubscribe and push their current value; queries are read again so nothing shows stale figures.
    // (apollo is declared below; this runs only after a reconnection.)
    onReconnected: () => void apollo.refetchQueries({ include: 'active' }),
  });

  const errors = new ErrorLink(({ error }) => {
    if (CombinedGraphQLErrors.is(error)) {
      const unauthenticated = error.errors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
      if (unauthenticated) onAuthFailure(`The server rejected the token: ${unauthenticated.message}.`);
    } else if (ServerError.is(error) && error.statusCode === 401) {
      onAuthFailure(`The server rejected the token: ${messageOf401(error.bodyText)}.`);
    }
  });
  const http = new HttpLink({ uri: '/graphql', headers: { authorization: `Bearer ${token}` } });
  const link = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(live.client),
    ApolloLink.from([errors, http]),
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
