/**
 * Clients that attack the broker, for tests and `bench/hostile-clients.ts`:
 * raw TCP sockets that never log in, packets that declare huge lengths, and
 * MQTT logins from a chosen loopback address (all of 127.0.0.0/8 is this
 * machine on Linux, so one test can play many hosts).
 */
import net from "node:net";
import { type IClientOptions, MqttClient } from "mqtt";

/** MQTT's variable-length "remaining length" field. */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** The start of a CONNECT that declares `declaredBytes` (the rest is never valid; it only has to arrive). */
export function hugeConnectHeader(declaredBytes: number): Buffer {
  return Buffer.concat([Buffer.from([0x10]), remainingLength(declaredBytes)]);
}

export interface SocketCrowd {
  sockets: net.Socket[];
  /** How many the hub has closed (or refused) so far. */
  closed(): number;
  /** How many finished their TCP handshake. */
  connected(): number;
  /** How many either finished their handshake or were closed: the rest are still on their way. */
  settled(): number;
  destroy(): void;
}

/** Opens `count` TCP connections from `localAddress` that never send anything. */
export function openIdleSockets(port: number, count: number, localAddress = "127.0.0.1"): SocketCrowd {
  let closed = 0;
  let connected = 0;
  let settled = 0;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i += 1) {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    let seen = false;
    const settle = () => {
      if (!seen) settled += 1;
      seen = true;
    };
    socket.on("connect", () => {
      connected += 1;
      settle();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed += 1;
      settle();
    });
    sockets.push(socket);
  }
  return {
    sockets,
    closed: () => closed,
    connected: () => connected,
    settled: () => settled,
    destroy: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Streams a packet that declares `declaredBytes` in chunks of `chunkBytes`, up
 * to `maxSendBytes`, and resolves with how much was written before the hub
 * closed the connection (or `maxSendBytes` if it never did).
 */
export function streamHugePacket(
  port: number,
  options: { prefix?: Buffer; declaredBytes: number; chunkBytes: number; maxSendBytes: number },
): Promise<{ sent: number; closedByHub: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunk = Buffer.alloc(options.chunkBytes, 0x41);
    let sent = 0;
    let finished = false;
    const finish = (closedByHub: boolean) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve({ sent, closedByHub });
    };
    const pump = () => {
      while (!finished && sent < options.maxSendBytes) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
      if (sent >= options.maxSendBytes) finish(false);
    };
    socket.on("connect", () => {
      if (options.prefix) socket.write(options.prefix);
      socket.write(hugeConnectHeader(options.declaredBytes));
      pump();
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
  });
}

/** "connected" (and the client, to end), or the CONNACK code the broker refused with (-1: no answer). */
export async function mqttLoginFrom(
  port: number,
  localAddress: string,
  options: IClientOptions,
): Promise<{ result: "connected" | number; client: MqttClient | null }> {
  const client = new MqttClient(() => net.createConnection({ port, host: "127.0.0.1", localAddress }), {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  return new Promise((resolve) => {
    client.once("connect", () => resolve({ result: "connected", client }));
    client.once("error", (error: Error & { code?: number | string }) => {
      client.end(true);
      resolve({ result: typeof error.code === "number" ? error.code : -1, client: null });
    });
    client.once("close", () => {
      if (!client.connected) resolve({ result: -1, client: null });
    });
  });
}

/** Like mqttLoginFrom, but ends a successful connection at once. */
export async function mqttLoginResult(
  port: number,
  localAddress: string,
  options: IClientOptions,
): Promise<"connected" | number> {
  const { result, client } = await mqttLoginFrom(port, localAddress, options);
  await client?.endAsync(true);
  return result;
}

/** Resolves with the promise's value, or fails after `timeoutMs` naming what it waited for. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
