/**
 * A bare Aedes broker for the load bench, the same Aedes as the hub's, with
 * its defaults (in-memory persistence, no authentication) on a plain TCP
 * server: what the hub's broker costs before the hub adds anything.
 * Run by the bench in a child process: `node --import tsx bench/load/bare-aedes-main.ts <port>`.
 * Prints "listening <port>" once it accepts connections.
 */
import net from "node:net";
import { Aedes } from "aedes";

const port = Number(process.argv[2] ?? "0");
const aedes = await Aedes.createBroker();
const server = net.createServer({ noDelay: true }, (socket) => aedes.handle(socket));
server.maxConnections = 1_000_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : port}\n`);
});
const stop = () => aedes.close(() => server.close(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
