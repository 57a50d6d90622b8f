/**
 * A device whose connection goes half-open: a raw TCP socket that completes an
 * MQTT 3.1.1 CONNECT (optionally with the device's Last Will) and then sends
 * nothing at all, not even PINGREQ, while the socket stays open. This is what
 * the hub sees when a home router drops the device's NAT mapping or the
 * device's radio dies without a FIN. Written by hand so that no MQTT library
 * answers keep-alives behind the test's back.
 */
import net from "node:net";
import { deviceTopic, encodeMessage } from "../../protocol/index.ts";

export interface HalfOpenOptions {
  port: number;
  deviceId: string;
  secret: string;
  clientSuffix?: string;
  /** Seconds; 0 switches the broker's keep-alive timeout off for this connection. */
  keepaliveS: number;
  /** Register the `status offline` Last Will, as firmware must. */
  will: boolean;
}

function mqttString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function remainingLength(length: number): Buffer {
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

export function connectPacket(options: HalfOpenOptions): Buffer {
  const clientId = options.clientSuffix ? `${options.deviceId}:${options.clientSuffix}` : options.deviceId;
  // username, password, clean session; with the Will: will flag, will QoS 1, will retain.
  const flags = 0x80 | 0x40 | 0x02 | (options.will ? 0x04 | 0x08 | 0x20 : 0);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepaliveS);
  const will = options.will
    ? [mqttString(deviceTopic(options.deviceId, "status")), mqttString(encodeMessage("status", { state: "offline" }))]
    : [];
  const body = Buffer.concat([
    mqttString("MQTT"),
    Buffer.from([4, flags]),
    keepalive,
    mqttString(clientId),
    ...will,
    mqttString(options.deviceId),
    mqttString(options.secret),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** Connects, waits for CONNACK 0, and from then on never writes again. Returns the open socket. */
export async function connectHalfOpen(options: HalfOpenOptions): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port: options.port });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => resolve());
  });
  const connack = new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no CONNACK within 3 s")), 3000);
    socket.once("data", (data: Buffer) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
  socket.write(connectPacket(options));
  const reply = await connack;
  if (reply[0] !== 0x20 || reply[3] !== 0) throw new Error(`CONNACK refused: ${reply.toString("hex")}`);
  // Whatever the broker sends from now on is left unread and unanswered.
  socket.on("error", () => undefined);
  return socket;
}
