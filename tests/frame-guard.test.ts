/**
 * The packet-size guard sits on the socket itself (hub/broker/frame-guard.ts,
 * issue 12: no second stream per connection). Over real TCP: packets within
 * the limit reach the reader byte for byte, however the bytes are cut; a packet
 * declared over the limit closes the socket and never reaches the reader.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FrameRejection, guardSocket } from "../hub/broker/frame-guard.ts";
import { remainingLength } from "./support/hostile-clients.ts";
import { waitFor } from "./support/test-hub.ts";

const LIMIT = 4096;
const packet = (type: number, body: number) =>
  Buffer.concat([Buffer.from([type << 4]), remainingLength(body), Buffer.alloc(body, 7)]);

interface Guarded {
  read: Buffer[];
  rejections: FrameRejection[];
  closed: boolean;
}

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server that guards each socket and reads it the way Aedes does ('readable' + read()). */
async function guardedServer(): Promise<{ port: number; guarded: Guarded }> {
  const guarded: Guarded = { read: [], rejections: [], closed: false };
  const server = net.createServer((socket) => {
    const conn = guardSocket(socket, LIMIT, (rejection) => guarded.rejections.push(rejection));
    conn.on("readable", () => {
      for (let chunk = conn.read(); chunk !== null; chunk = conn.read()) guarded.read.push(chunk as Buffer);
    });
    conn.on("close", () => (guarded.closed = true));
    conn.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, guarded };
}

/**
 * A server that guards each socket only once `bytes` of it are buffered, as a TLS socket is guarded after its
 * handshake (hub/broker/mqtt-listeners.ts), then reads it as Aedes does.
 */
async function lateGuardedServer(bytes: number): Promise<{ port: number; guarded: Guarded }> {
  const guarded: Guarded = { read: [], rejections: [], closed: false };
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    void waitFor(() => socket.readableLength >= bytes, 3000, "bytes buffered before the guard").then(() => {
      const conn = guardSocket(socket, LIMIT, (rejection) => guarded.rejections.push(rejection));
      conn.on("readable", () => {
        for (let chunk = conn.read(); chunk !== null; chunk = conn.read()) guarded.read.push(chunk as Buffer);
      });
      conn.on("close", () => (guarded.closed = true));
      if (conn.destroyed) guarded.closed = true;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, guarded };
}

async function send(port: number, chunks: Buffer[]): Promise<net.Socket> {
  const client = net.connect(port, "127.0.0.1");
  client.on("error", () => {});
  await new Promise<void>((resolve) => client.once("connect", resolve));
  for (const chunk of chunks) {
    client.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return client;
}

describe("guardSocket", () => {
  it("hands packets within the limit on unchanged, cut anywhere", async () => {
    const { port, guarded } = await guardedServer();
    const stream = Buffer.concat([packet(1, 30), packet(3, LIMIT), packet(12, 0), packet(3, 200)]);
    const cuts = [1, 2, 5, 64, 1000, stream.length];
    const chunks: Buffer[] = [];
    for (let at = 0, i = 0; at < stream.length; i += 1) {
      const size = cuts[i % cuts.length] as number;
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    const client = await send(port, chunks);
    await waitFor(() => Buffer.concat(guarded.read).length === stream.length, 3000, "every byte at the reader");
    expect(Buffer.concat(guarded.read).equals(stream)).toBe(true);
    expect(guarded.rejections).toEqual([]);
    expect(guarded.closed).toBe(false);
    client.destroy();
  });

  it("closes the socket at a packet declared over the limit, before any of it reaches the reader", async () => {
    const { port, guarded } = await guardedServer();
    const fine = packet(3, 100);
    // A fixed header declaring 268 MB; the body would follow, but the length alone is enough to refuse it.
    const header = Buffer.concat([Buffer.from([0x10]), remainingLength(268_000_000)]);
    const client = await send(port, [fine, header, Buffer.alloc(50_000)]);
    await waitFor(() => guarded.closed, 3000, "the guarded socket to close");
    // Refused as soon as the length bytes read so far pass the limit (more bytes could only add to it).
    expect(guarded.rejections).toHaveLength(1);
    expect(guarded.rejections[0]).toMatchObject({ code: "MQTT_PACKET_TOO_LARGE", packetType: 1 });
    expect(guarded.rejections[0]?.declaredBytes).toBeGreaterThan(LIMIT);
    // Nothing of the refused packet got through (the good one may not have either, when it shared its chunk).
    const read = Buffer.concat(guarded.read);
    expect(read.length).toBeLessThanOrEqual(fine.length);
    expect(read.equals(fine.subarray(0, read.length))).toBe(true);
    await waitFor(() => client.destroyed || client.readableEnded, 3000, "the client to see the close");
    client.destroy();
  });

  it("scans what was buffered before it was applied: passed on unchanged, or refused before the reader sees it", async () => {
    const fine = Buffer.concat([packet(1, 30), packet(3, 200)]);
    const late = await lateGuardedServer(fine.length);
    const client = await send(late.port, [fine]);
    await waitFor(() => Buffer.concat(late.guarded.read).length === fine.length, 3000, "the buffered bytes");
    expect(Buffer.concat(late.guarded.read).equals(fine)).toBe(true);
    expect(late.guarded.rejections).toEqual([]);
    client.destroy();

    const header = Buffer.concat([Buffer.from([0x10]), remainingLength(268_000_000)]);
    const refused = await lateGuardedServer(header.length + 100);
    const hostile = await send(refused.port, [Buffer.concat([header, Buffer.alloc(100)])]);
    await waitFor(() => refused.guarded.closed, 3000, "the guarded socket to close");
    expect(refused.guarded.rejections).toMatchObject([{ code: "MQTT_PACKET_TOO_LARGE", packetType: 1 }]);
    expect(refused.guarded.read).toEqual([]);
    hostile.destroy();
  });
});
