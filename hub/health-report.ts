/**
 * What `/health` says (no login): `ok` only while the database can commit a
 * write, the broker listens, the outbox can be read and, where the hubs share
 * Redis, Redis answers (HAProxy sends MQTT and HTTP only to hubs that are ok). Otherwise `degraded`,
 * answered with 503 and the reasons, in words for whoever is on call. Nothing
 * here names a file, a resident or a secret.
 */

import type { HealthReport } from "../protocol/console/index.ts";
import type { MqttBroker } from "./broker/mqtt-broker.ts";
import type { JobLeadership } from "./storage/job-leadership.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { type DatabaseWriteProbe, PROBE_DEADLINE_MS, withinDeadline } from "./storage/write-probe.ts";

export function healthReporter(
  deps: { sql: SqlDatabase; broker: MqttBroker; writeProbe: DatabaseWriteProbe; leadership: JobLeadership },
  startedAt: number,
): () => Promise<HealthReport> {
  const { sql, broker, writeProbe, leadership } = deps;
  return async () => {
    const reasons: string[] = [];
    const databaseWrite = await writeProbe.check();
    if (!databaseWrite.ok) reasons.push(`database refuses writes (${databaseWrite.code}): new alarms cannot be stored`);
    // Plain MQTT may be off (ANXIN_MQTT_PORT=off); the broker listens while either port does.
    const { mqtt: port, mqtts: tlsPort } = broker.ports;
    if (port === null && tlsPort === null) reasons.push("MQTT broker is not listening: buttons cannot connect");
    const redisProblem = await broker.backplane.problem();
    if (redisProblem) reasons.push(redisProblem);
    let outboxPending: number | null = null;
    try {
      const row = await withinDeadline(
        sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'"),
        PROBE_DEADLINE_MS,
      );
      outboxPending = row?.n ?? 0;
    } catch {
      reasons.push("database cannot be read");
    }
    return {
      status: reasons.length === 0 ? "ok" : "degraded",
      reasons,
      database: databaseWrite.ok && outboxPending !== null,
      databaseWrite,
      mqtt: { listening: port !== null || tlsPort !== null, port, tlsPort, node: broker.backplane.node },
      redis: broker.backplane.shared ? redisProblem === null : null,
      jobs: { leading: leadership.leading },
      outboxPending,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
    };
  };
}
