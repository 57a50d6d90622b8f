/**
 * A bare Aedes broker for the load bench, the same Aedes as the hub's, with
 * its defaults (in-memory persistence, no authentication) on a plain TCP
 * server: what the hub's broker costs before the hub adds anything. Given a
 * certificate and key (`--tls`), on a `tls.Server` instead, with Node's TLS
 * defaults: what MQTT over TLS costs Aedes on Node before the hub adds anything.
 * Run by the bench in a child process:
 * `node --import tsx bench/load/bare-aedes-main.ts <port> [<cert.pem> <key.pem>]`.
 * Prints "listening <port>" once it accepts connections.
 */
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { Aedes } from "aedes";

const port = Number(process.argv[2] ?? "0");
const [certFile, keyFile] = process.argv.slice(3);
const aedes = await Aedes.createBroker();
const handle = (socket: net.Socket) => aedes.handle(socket);
const server =
  certFile && keyFile
    ? tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), noDelay: true }, handle)
    : net.createServer({ noDelay: true }, handle);
server.maxConnections = 1_000_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : port}\n`);
});
const stop = () => aedes.close(() => server.close(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
