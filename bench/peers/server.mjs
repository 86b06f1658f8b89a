// PostGraphile v5 for make bench-peers (cmd/bench/peers.go), in production
// mode: no GraphiQL, no explain, no watch, no introspection of anything but
// the one schema of the relational copy. pg-many-to-many adds
// companies -> contacts -> deals through the join tables.
//
// Environment (set by the bench): DATABASE_URL, PEERS_SCHEMA, PORT;
// PGAPPNAME names its connections in pg_stat_activity so that the bench
// can read their backends' CPU. It listens on 127.0.0.1 only, prints
// "listening <port>" once it serves, and exits when its stdin closes (the
// bench went away) or on SIGTERM.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgManyToManyPreset } from "@graphile-contrib/pg-many-to-many";

const { DATABASE_URL, PEERS_SCHEMA, PORT } = process.env;
if (!DATABASE_URL || !PEERS_SCHEMA || !PORT) {
  console.error("DATABASE_URL, PEERS_SCHEMA and PORT must be set");
  process.exit(2);
}

const preset = {
  extends: [PostGraphileAmberPreset, PgManyToManyPreset],
  pgServices: [
    makePgService({
      connectionString: DATABASE_URL,
      schemas: [PEERS_SCHEMA],
      // Connections stay open between the bench's turns: a backend that
      // closes takes its CPU counters with it.
      poolConfig: { max: 16, idleTimeoutMillis: 0 },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(PORT),
    graphiql: false,
    watch: false,
    websockets: false,
  },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
// The bench's client keeps its connections between turns.
server.keepAliveTimeout = 60_000;
server.once("listening", () => {
  server.on("error", (e) => console.error(e));
  console.log(`listening ${server.address().port}`);
});
serv.addTo(server).catch((e) => {
  console.error(e);
  process.exit(1);
});
server.listen(Number(PORT), "127.0.0.1");

const stop = () => {
  server.close();
  pgl.release().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
