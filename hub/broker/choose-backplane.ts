/**
 * The broker's backplane for this hub's configuration (broker-backplane.ts):
 * Redis when ANXIN_REDIS_URL is set, otherwise the hub alone. Its own file, as
 * the Redis backplane implements the interface broker-backplane.ts declares.
 */
import type { Logger } from "pino";
import { type BrokerBackplane, brokerNodeId, SoleBroker } from "./broker-backplane.ts";
import { RedisBackplane } from "./redis-backplane.ts";

export function createBackplane(
  config: { redisUrl: string | null; brokerHeartbeatMs: number },
  logger: Logger,
): BrokerBackplane {
  const node = brokerNodeId();
  return config.redisUrl === null
    ? new SoleBroker(node)
    : new RedisBackplane({ url: config.redisUrl, node, heartbeatMs: config.brokerHeartbeatMs, logger });
}
