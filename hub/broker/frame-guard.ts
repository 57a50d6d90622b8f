/**
 * The maximum MQTT packet size, enforced before anything is buffered.
 *
 * Aedes parses with mqtt-packet, which has no size limit: it keeps appending
 * bytes until a packet's declared "remaining length" (up to 256 MB) has arrived.
 * A client that declares 268 MB in a CONNECT and streams it is held in memory,
 * before it has even logged in. Neither library has an option for this, and no
 * Aedes hook runs before a packet is complete, so each socket is guarded here
 * before Aedes sees it: the guard reads every packet's fixed header (one type
 * byte, then a 1–4 byte length) as the bytes arrive and closes the connection as
 * soon as a declared length is over the limit. Body bytes are only counted, so
 * the cost is a few comparisons per chunk, and at most one socket read of a
 * rejected packet is ever in memory (and never handed to Aedes).
 */
import type { Duplex } from "node:stream";

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

/**
 * Guards an accepted socket in place; hand the same socket to `aedes.handle`.
 *
 * A socket's bytes enter its readable buffer through `push()` (Node's stream
 * base calls `socket.push(chunk)` for every read), so the check sits there:
 * each chunk is scanned before it is buffered, and a chunk with a packet over
 * the limit is never buffered at all: the socket is destroyed instead. An
 * earlier version wrapped the socket in a second Duplex stream; that cost
 * ~1 KB and a second pass through stream machinery per connection, which a
 * fleet of 20,000 buttons pays 20,000 times (issue 12).
 */
export function guardSocket<S extends Duplex>(
  socket: S,
  maxPacketBytes: number,
  onReject: (rejection: FrameRejection) => void,
): S {
  const scanner = new FrameScanner(maxPacketBytes);
  const push = socket.push;
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk !== null && chunk !== undefined) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding);
      const rejection = scanner.scan(bytes);
      if (rejection) {
        socket.destroy();
        onReject(rejection);
        return false;
      }
    }
    return push.call(socket, chunk, encoding);
  };
  // A TLS socket is guarded once its handshake is done: should cleartext have been buffered by then, it is
  // scanned before anything reads it (a plain socket is guarded as it is accepted, with nothing buffered).
  if (socket.readableLength > 0) {
    const buffered: unknown = socket.read();
    if (Buffer.isBuffer(buffered)) {
      const rejection = scanner.scan(buffered);
      if (rejection) {
        socket.destroy();
        onReject(rejection);
      } else socket.unshift(buffered);
    }
  }
  return socket;
}
