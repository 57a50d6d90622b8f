/**
 * The maximum MQTT packet size, enforced before anything is buffered.
 *
 * Aedes parses with mqtt-packet, which has no size limit: it keeps appending
 * bytes until a packet's declared "remaining length" (up to 256 MB) has arrived.
 * A client that declares 268 MB in a CONNECT and streams it is held in memory,
 * before it has even logged in. Neither library has an option for this, and no
 * Aedes hook runs before a packet is complete, so each socket is wrapped here
 * before Aedes sees it: the wrapper reads every packet's fixed header (one type
 * byte, then a 1–4 byte length) as the bytes pass and closes the connection as
 * soon as a declared length is over the limit. Body bytes are only counted, so
 * the cost is a few comparisons per chunk, and at most one socket read of a
 * rejected packet is ever in memory (and never handed to Aedes).
 */
import { Duplex } from "node:stream";

/** Why a connection's byte stream was rejected. */
export type FrameRejection =
  | { code: "MQTT_PACKET_TOO_LARGE"; declaredBytes: number; packetType: number }
  | { code: "MQTT_FRAME_MALFORMED"; declaredBytes: null; packetType: number };

/**
 * Follows MQTT framing across chunks: header byte, variable-length "remaining
 * length", body. `scan` returns a rejection at the first packet that declares
 * more than the limit (even before its length field is complete, since further
 * length bytes only add to it), or null.
 */
export class FrameScanner {
  private readonly maxPacketBytes: number;
  private stage: "header" | "length" | "body" = "header";
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(maxPacketBytes: number) {
    this.maxPacketBytes = maxPacketBytes;
  }

  scan(chunk: Buffer): FrameRejection | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.stage === "body") {
        const step = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= step;
        i += step;
        if (this.bodyLeft === 0) this.stage = "header";
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.stage === "header") {
        this.packetType = byte >> 4;
        this.stage = "length";
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (this.length > this.maxPacketBytes) {
        return { code: "MQTT_PACKET_TOO_LARGE", declaredBytes: this.length, packetType: this.packetType };
      }
      if (byte & 0x80) {
        // MQTT 3.1.1 §2.2.3: at most four length bytes.
        if (this.lengthBytes === 4)
          return { code: "MQTT_FRAME_MALFORMED", declaredBytes: null, packetType: this.packetType };
        continue;
      }
      this.bodyLeft = this.length;
      this.stage = this.length === 0 ? "header" : "body";
    }
    return null;
  }
}

/** A socket as Aedes sees it: the same bytes both ways, but packets over the limit never get through. */
export class GuardedConnection extends Duplex {
  private readonly socket: Duplex;
  private readonly scanner: FrameScanner;
  private readonly onReject: (rejection: FrameRejection) => void;

  constructor(socket: Duplex, scanner: FrameScanner, onReject: (rejection: FrameRejection) => void) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.scanner = scanner;
    this.onReject = onReject;
  }

  /** One chunk from the socket: scanned first, handed on only when every packet in it is within the limit. */
  accept(chunk: Buffer): void {
    const rejection = this.scanner.scan(chunk);
    if (rejection) {
      this.socket.destroy();
      this.destroy();
      this.onReject(rejection);
      return;
    }
    if (!this.push(chunk)) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once("drain", () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    // mqtt-packet writes a packet in several pieces under cork(): send them as one.
    this.socket.cork();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.socket.write(chunk);
    this.socket.uncork();
    if (flowing) callback();
    else this.socket.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

/** Wraps an accepted socket; hand the result to `aedes.handle`. */
export function guardConnection(
  socket: Duplex,
  maxPacketBytes: number,
  onReject: (rejection: FrameRejection) => void,
): GuardedConnection {
  const guarded = new GuardedConnection(socket, new FrameScanner(maxPacketBytes), onReject);
  socket.on("data", (chunk: Buffer) => guarded.accept(chunk));
  socket.on("end", () => guarded.push(null));
  socket.on("error", (error: Error) => guarded.destroy(error));
  socket.on("close", () => guarded.destroy());
  return guarded;
}
