/**
 * Everything the gateway does for one board: keeps its MQTT link to the hub, finds and opens the
 * Arduino (and again after every unplug), turns button presses into durable, retried alarms, and
 * shows the call's progress on the LED and buzzer.
 */
import { randomUUID } from "node:crypto";
import type { AckMessage, AlarmKind, FeedbackMessage } from "../protocol/index.ts";
import { BoardConnection, type SerialStream } from "./board-connection.ts";
import type { BoardConfig, GatewayConfig, PortLocator } from "./config.ts";
import { describeError, GatewayError } from "./errors.ts";
import { type Display, type DisplayState, patternAt } from "./feedback-pattern.ts";
import { HubLink, MAINS_BATTERY } from "./hub-link.ts";
import { PressDetector } from "./press-detector.ts";
import type { PressStore } from "./press-store.ts";

export interface PortInfo {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
}

export interface PortAccess {
  openPort(path: string): SerialStream;
  listPorts(): Promise<PortInfo[]>;
}

export type LogLevel = "info" | "warn" | "error";
export type GatewayLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const GATEWAY_FIRMWARE = "anxin-gateway/0.1.0";
/** How often the LED and buzzer are recomputed: well under the shortest pattern step (60 ms). */
const TICK_MS = 20;

export class BoardSession {
  readonly deviceId: string;
  private readonly link: HubLink;
  private readonly detector: PressDetector;
  private connection: BoardConnection | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastOpenError = "";
  private feedback: Pick<FeedbackMessage, "state" | "alarmId"> | null = null;
  private disconnectedSince = Date.now();
  private shown: { state: DisplayState; callWaiting: boolean; since: number } | null = null;
  private readonly answeredRequests = new Set<string>();

  constructor(
    private readonly board: BoardConfig,
    private readonly gateway: GatewayConfig,
    private readonly store: PressStore,
    private readonly ports: PortAccess,
    private readonly log: GatewayLog,
  ) {
    this.deviceId = board.deviceId;
    this.link = new HubLink(
      {
        ...gateway,
        deviceId: board.deviceId,
        secret: board.secret,
        firmware: GATEWAY_FIRMWARE,
        ...(board.tls ? { tls: board.tls } : {}),
      },
      {
        connected: () => this.log("info", `${this.deviceId}: connected to the hub`),
        disconnected: () => {
          this.disconnectedSince = Date.now();
          this.log("warn", `${this.deviceId}: lost the hub connection; presses wait on disk`);
        },
        refused: (error) => this.log("error", error.message, { code: error.code }),
        ack: (ack) => this.handleAck(ack),
        feedback: (feedback) => (this.feedback = feedback),
        command: (command) => {
          // A drill proves board, gateway and link end to end; only a resident can prove the button.
          if (this.answeredRequests.has(command.requestId) || !this.boardReady) return;
          if (Date.parse(command.deadline) <= Date.now()) return;
          this.answeredRequests.add(command.requestId);
          this.press("test");
        },
        invalid: (topic, message) => this.log("warn", `${this.deviceId}: ${message}`, { topic }),
      },
    );
    this.detector = new PressDetector(board, (press) => this.press(press));
  }

  get boardReady(): boolean {
    return this.connection !== null;
  }

  get hubConnected(): boolean {
    return this.link.connected;
  }

  get pendingPresses(): number {
    return this.store.pendingFor(this.deviceId).length;
  }

  /** What the LED and buzzer show now (the same for the tests as for the resident). */
  display(now = Date.now()): Display {
    const waiting = this.pendingPresses > 0;
    const unreachable =
      this.link.refused !== null ||
      (!this.link.connected && (waiting || now - this.disconnectedSince >= this.gateway.unreachableAfterMs));
    if (unreachable) return { state: "unreachable", callWaiting: waiting };
    if (waiting) return { state: "sending" };
    return { state: this.feedback?.state ?? "idle" };
  }

  /** Starts the link and the search for the board; resolves with how the first hub connection went. */
  start(linkTimeoutMs: number): Promise<"connected" | "refused" | "unreachable"> {
    for (const alarm of this.store.pendingFor(this.deviceId)) this.link.send(alarm);
    const outcome = this.link.start(linkTimeoutMs);
    void this.openBoard();
    this.ticker = setInterval(() => this.render(), TICK_MS);
    return outcome;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.ticker);
    this.detector.reset();
    this.connection?.write({ led: false, buzzer: false });
    this.connection?.close();
    this.connection = null;
    await this.link.stop();
  }

  /** A press the resident made (or a drill): on disk first, then to the hub until acked. */
  private press(kind: AlarmKind): void {
    const alarm = {
      pressId: randomUUID(),
      kind,
      deviceTime: new Date().toISOString(),
      seq: this.store.takeSeq(this.deviceId),
      battery: MAINS_BATTERY,
    };
    this.store.add(this.deviceId, alarm);
    this.log("info", `${this.deviceId}: ${kind} press ${alarm.pressId}`, { seq: alarm.seq });
    // Restart the pattern so each press gets its beep, even with an earlier one still sending.
    this.shown = null;
    this.link.send(alarm);
  }

  private handleAck(ack: AckMessage): void {
    const pressed = this.store.pendingFor(this.deviceId).find((alarm) => alarm.pressId === ack.pressId);
    this.link.settled(ack.pressId);
    if (!pressed || !this.store.remove(this.deviceId, ack.pressId)) return;
    this.log("info", `${this.deviceId}: hub acked ${pressed.kind} press ${ack.pressId}`, { alarmId: ack.alarmId });
    // "received" until the hub's feedback says more, unless it already spoke about this alarm.
    if (pressed.kind !== "cancel" && ack.alarmId !== null && this.feedback?.alarmId !== ack.alarmId) {
      this.feedback = { state: "received", alarmId: ack.alarmId };
    }
  }

  private render(): void {
    const connection = this.connection;
    if (!connection) return;
    const now = Date.now();
    const display = this.display(now);
    const callWaiting = display.callWaiting ?? false;
    if (this.shown?.state !== display.state || this.shown.callWaiting !== callWaiting) {
      this.shown = { state: display.state, callWaiting, since: now };
    }
    connection.write(patternAt(display, now - this.shown.since));
  }

  private async openBoard(): Promise<void> {
    if (this.stopped || this.connection) return;
    let port: SerialStream | null = null;
    try {
      const path = await this.resolvePath(this.board.port);
      port = this.ports.openPort(path);
      const connection = new BoardConnection(port, this.board.pins, path, {
        down: () => this.detector.down(),
        up: () => this.detector.up(),
        lost: (reason) => this.boardLost(connection, reason),
      });
      await connection.open(this.gateway.readyTimeoutMs);
      if (this.stopped) return connection.close();
      this.connection = connection;
      this.lastOpenError = "";
      this.shown = null;
      this.link.setBoardPresent(true);
      this.log("info", `${this.deviceId}: board ready on ${path}`);
    } catch (error) {
      if (this.stopped) return;
      const message = describeError(error);
      // Said once, not every few seconds while the board stays away.
      if (message !== this.lastOpenError) {
        const code = error instanceof GatewayError ? error.code : "BOARD_FAILED";
        const every = this.gateway.reconnectIntervalMs;
        this.log("error", `${this.deviceId}: ${message} (retrying every ${every} ms)`, { code });
      }
      this.lastOpenError = message;
      this.retryTimer = setTimeout(() => void this.openBoard(), this.gateway.reconnectIntervalMs);
    }
  }

  private boardLost(connection: BoardConnection, reason: string): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.detector.reset();
    this.link.setBoardPresent(false);
    this.log("warn", `${this.deviceId}: board gone (${reason}); reported offline, looking for it again`);
    if (!this.stopped) this.retryTimer = setTimeout(() => void this.openBoard(), this.gateway.reconnectIntervalMs);
  }

  private async resolvePath(locator: PortLocator): Promise<string> {
    if ("path" in locator) return locator.path;
    const { vendorId, productId, serialNumber } = locator.usb;
    const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
    const ports = await this.ports.listPorts();
    const match = ports.find(
      (p) =>
        same(p.vendorId, vendorId) &&
        same(p.productId, productId) &&
        (serialNumber === undefined || p.serialNumber === serialNumber),
    );
    if (match) return match.path;
    const wanted = `${vendorId}:${productId}${serialNumber ? ` serial ${serialNumber}` : ""}`;
    throw new GatewayError("PORT_NOT_FOUND", `no serial port with USB id ${wanted} (see \`gateway list-ports\`)`);
  }
}
