/**
 * What `/health` says (no login): `ok` only while the database can commit a
 * write, the broker listens and the outbox can be read. Otherwise `degraded`,
 * answered with 503 and the reasons, in words for whoever is on call. Nothing
 * here names a file, a resident or a secret.
 */
import type { MqttBroker } from "./broker/mqtt-broker.ts";
import type { HealthReport } from "./http/routes/health-routes.ts";
import type { Db } from "./storage/database.ts";
import type { DatabaseWriteProbe } from "./storage/write-probe.ts";

export function healthReporter(
  deps: { db: Db; broker: MqttBroker; writeProbe: DatabaseWriteProbe },
  startedAt: number,
): () => HealthReport {
  const { db, broker, writeProbe } = deps;
  return () => {
    const reasons: string[] = [];
    const databaseWrite = writeProbe.check();
    if (!databaseWrite.ok) reasons.push(`database refuses writes (${databaseWrite.code}): new alarms cannot be stored`);
    let port: number | null = null;
    try {
      port = broker.port;
    } catch {
      reasons.push("MQTT broker is not listening: buttons cannot connect");
    }
    let outboxPending: number | null = null;
    try {
      outboxPending = (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number })
        .n;
    } catch {
      reasons.push("database cannot be read");
    }
    return {
      status: reasons.length === 0 ? "ok" : "degraded",
      reasons,
      database: db.open && databaseWrite.ok && outboxPending !== null,
      databaseWrite,
      mqtt: { listening: port !== null, port },
      outboxPending,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
    };
  };
}
