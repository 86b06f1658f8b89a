// node subscribe.mjs URL COUNT: subscribes to recordChanged(contacts)
// through graphql-ws (graphql-transport-ws over a WebSocket) and through
// graphql-sse (distinct connections mode), each with its npm client, and
// prints, one JSON line each, the first COUNT events of each transport as
// {"transport": "ws" | "sse", "payload": {...}}; exits 0 once both have
// COUNT, 1 on an error. The Go test (graph/subscriptions_clients_test.go)
// writes once the server counts both subscriptions.
import { createClient as createWSClient } from 'graphql-ws';
import { createClient as createSSEClient } from 'graphql-sse';
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const query = 'subscription { recordChanged(objectType: "contacts") { kind recordId changedProperties record { properties(names: ["firstname", "jobtitle"]) } } }';

const clients = {
  ws: createWSClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false }),
  sse: createSSEClient({ url, retryAttempts: 0 }),
};

const fail = (transport, err) => {
  console.error(`${transport}: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
  process.exit(1);
};

let done = 0;
for (const [transport, client] of Object.entries(clients)) {
  let seen = 0;
  const unsubscribe = client.subscribe({ query }, {
    next: (payload) => {
      if (seen >= count) return;
      seen++;
      console.log(JSON.stringify({ transport, payload }));
      if (seen === count) {
        unsubscribe();
        if (++done === 2) {
          clients.ws.dispose();
          clients.sse.dispose();
          process.exit(0);
        }
      }
    },
    error: (err) => fail(transport, err),
    complete: () => { if (seen < count) fail(transport, 'completed after ' + seen + ' events'); },
  });
}
