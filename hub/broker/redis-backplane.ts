/**
 * The brokers of several hubs as one MQTT service, over Redis (broker-backplane.ts
 * says what is shared). Three connections: Aedes' bus publishes and subscribes
 * on two (mqemitter-redis), its persistence commands on a third
 * (aedes-persistence-redis), and this file's own commands (connection epochs,
 * the readiness ping) on the third's twin.
 *
 * Redis away: the hub keeps running and says so on `/health` (503, so HAProxy
 * sends nobody new); a press still arrives on its connection and is stored,
 * but its ack cannot be published, so the device sends it again and gets its
 * ack once Redis is back (the hub acks a repeated press as a duplicate). A
 * device cannot log in meanwhile (its epoch cannot be counted): it retries.
 */
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Redis } from "ioredis";
import MQEmitterRedis from "mqemitter-redis";
import type { Logger } from "pino";
import { withinDeadline } from "../storage/write-probe.ts";
import type { BackplaneAedesOptions, BrokerBackplane } from "./broker-backplane.ts";
import { type DeviceConnections, epochFloor, type LatestConnection } from "./device-connections.ts";

/** aedes-persistence-redis, as Aedes 1.x calls it; the package ships no types. */
interface RedisPersistence {
  /** Without a callback: a promise (with one, it would wait for a 'ready' that Aedes' `setup()` never emits). */
  destroy(): Promise<void>;
}
// A CommonJS module: the API Aedes 1.x calls (promises, and streams of retained messages) over the async store.
const redisPersistence = createRequire(import.meta.url)("aedes-persistence-redis") as (options: {
  conn: Redis;
}) => RedisPersistence;

/** Messages Aedes' bus delivers at once: no bound, as alone (mqtt-broker.ts says why). */
const MQ_CONCURRENCY = 0;
/** A readiness ping slower than this counts as Redis away. */
const PING_TIMEOUT_MS = 1000;
/** While Redis cannot be reached at start, a warning this often (not one per reconnect attempt). */
const WAIT_WARNING_MS = 5000;

const EPOCH_KEY = "anxin:connection-epoch";
const LATEST_KEY = "anxin:connections";
/**
 * Counts the new connection's epoch (at least the caller's clock, in µs) and records it, with the hub's
 * broker, as the device's latest, in one step. `%d`: Lua would print a number this large as 1.7e+15.
 */
const OPEN_CONNECTION_LUA = `
local epoch = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[3])
if epoch < floor then
  redis.call('SET', KEYS[1], ARGV[3])
  epoch = floor
end
redis.call('HSET', KEYS[2], ARGV[1], string.format('%d %s', epoch, ARGV[2]))
return epoch`;

interface EpochCommands {
  anxinOpenConnection(
    epochKey: string,
    latestKey: string,
    deviceId: string,
    node: string,
    floor: string,
  ): Promise<number>;
}

export class RedisBackplane implements BrokerBackplane {
  readonly node: string;
  readonly shared = true;
  readonly connections: DeviceConnections;
  private readonly url: string;
  private readonly heartbeatMs: number;
  private readonly logger: Logger;
  private commands: (Redis & EpochCommands) | null = null;
  private persistence: RedisPersistence | null = null;
  private mq: ReturnType<typeof MQEmitterRedis> | null = null;
  private lastWarning = 0;

  constructor(options: { url: string; node: string; heartbeatMs: number; logger: Logger }) {
    this.url = options.url;
    this.node = options.node;
    this.heartbeatMs = options.heartbeatMs;
    this.logger = options.logger;
    this.connections = {
      opened: (deviceId) => this.open(deviceId),
      latest: (deviceId) => this.latest(deviceId),
    };
  }

  async start(): Promise<void> {
    const commands = this.connect("commands") as Redis & EpochCommands;
    commands.defineCommand("anxinOpenConnection", { numberOfKeys: 2, lua: OPEN_CONNECTION_LUA });
    this.commands = commands;
    await this.waitForRedis(commands);
    this.persistence = redisPersistence({ conn: this.connect("persistence") });
    const mq = MQEmitterRedis({
      subConn: this.connect("bus-subscribe"),
      pubConn: this.connect("bus-publish"),
      concurrency: MQ_CONCURRENCY,
    });
    // Its errors are emitted on `state` (untyped): unheard, a Redis outage would be an unhandled 'error' event.
    (mq as unknown as { state: EventEmitter }).state.on("error", (error: Error) =>
      this.warn("Redis bus failed", error),
    );
    this.mq = mq;
    this.logger.info({ node: this.node, heartbeatMs: this.heartbeatMs }, "MQTT brokers joined over Redis");
  }

  aedesOptions(): BackplaneAedesOptions {
    if (!this.persistence || !this.mq) throw new Error("the Redis backplane is not started");
    return { id: this.node, persistence: this.persistence, mq: this.mq, heartbeatInterval: this.heartbeatMs };
  }

  async problem(): Promise<string | null> {
    const commands = this.commands;
    if (commands?.status !== "ready") return "Redis is unreachable: this hub's broker is cut off from the others";
    try {
      const answer = await withinDeadline(commands.ping(), PING_TIMEOUT_MS);
      return answer === "PONG" ? null : "Redis does not answer: this hub's broker is cut off from the others";
    } catch (error) {
      return (error as { code?: unknown }).code === "ETIMEDOUT"
        ? "Redis does not answer: this hub's broker is cut off from the others"
        : "Redis refuses commands: this hub's broker is cut off from the others";
    }
  }

  async stop(): Promise<void> {
    const { mq, persistence, commands } = this;
    this.mq = null;
    this.persistence = null;
    this.commands = null;
    // Aedes closed its bus already (mq.close quits both connections).
    if (mq) await new Promise<void>((resolve) => mq.close(() => resolve()));
    await persistence?.destroy();
    if (commands) commands.disconnect();
  }

  private async open(deviceId: string): Promise<number> {
    if (!this.commands) throw new Error("the Redis backplane is not started");
    return this.commands.anxinOpenConnection(EPOCH_KEY, LATEST_KEY, deviceId, this.node, String(epochFloor()));
  }

  private async latest(deviceId: string): Promise<LatestConnection | null> {
    if (!this.commands) throw new Error("the Redis backplane is not started");
    const value = await this.commands.hget(LATEST_KEY, deviceId);
    if (value === null) return null;
    const space = value.indexOf(" ");
    const epoch = Number(value.slice(0, space));
    return space > 0 && Number.isSafeInteger(epoch) ? { epoch, node: value.slice(space + 1) } : null;
  }

  /** A connection to Redis; its errors are logged at most every few seconds (it reconnects by itself). */
  private connect(role: string): Redis {
    const redis = new Redis(this.url, { connectionName: `anxin-${role}` });
    redis.on("error", (error: Error) => this.warn(`Redis connection (${role}) failed`, error));
    return redis;
  }

  private async waitForRedis(commands: Redis): Promise<void> {
    for (;;) {
      try {
        await commands.ping();
        return;
      } catch (error) {
        this.warn("waiting for Redis", error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** One warning per WAIT_WARNING_MS: a Redis that is away fails every reconnect attempt. */
  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WAIT_WARNING_MS) return;
    this.lastWarning = now;
    this.logger.warn({ code: "REDIS_UNAVAILABLE", reason: String(error) }, message);
  }
}
