/**
 * The alert rules in deploy/prometheus/ name only metrics a hub really exposes: every `anxin_`, `nodejs_`
 * and `process_` name in the rules file (expressions and annotations) must be a series of a real hub's
 * scrape, so a renamed metric cannot leave an alert that never fires. The rules' own logic is tested
 * by Prometheus (`promtool test rules deploy/prometheus/anxin-alerts.test.yml`, run by .ci/run).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scrape, scrape } from "./support/scrape.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";
import { makeTestPki, mqttTlsEnv, type TestPki } from "./support/tls-certs.ts";

const RULES = new URL("../deploy/prometheus/anxin-alerts.yml", import.meta.url);
const EXAMPLE = new URL("../deploy/prometheus/prometheus.yml", import.meta.url);
/**
 * The emergencies issue 16 asks an alert for, a hub that cannot be scraped at all, and what keeps the service
 * up for years (its backups, its certificate).
 */
const ALERTS = [
  "AnxinOutboxStuck",
  "AnxinAlarmUnacknowledged",
  "AnxinDevicesDropped",
  "AnxinEventLoopLagging",
  "AnxinHubDown",
  "AnxinBackupOverdue",
  "AnxinTlsCertificateExpiring",
];

/** The metric names a text mentions (ours and the process's), each once. */
function metricNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\b(?:anxin|nodejs|process)_[a-z0-9_]*[a-z0-9]\b/g)].map((m) => m[0]))];
}

let th: TestHub;
let pki: TestPki;
let backupDir: string;
let exposed: Scrape;

beforeAll(async () => {
  // A hub with every series a rule may name: scheduled backups and TLS on.
  pki = await makeTestPki();
  const server = await pki.server("7001");
  backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-rules-backups-"));
  th = await startTestHub({
    twilio: false,
    env: {
      ANXIN_SEED_DEMO: "false",
      ANXIN_BACKUP_DIR: backupDir,
      ...mqttTlsEnv(server),
    },
  });
  exposed = await scrape(th.httpUrl);
}, 60_000);

afterAll(async () => {
  await th?.stop();
  pki?.remove();
  if (backupDir) fs.rmSync(backupDir, { recursive: true, force: true });
});

describe("deploy/prometheus alert rules", () => {
  const rules = fs.readFileSync(RULES, "utf8");

  it("has the alerts an emergency service needs", () => {
    expect([...rules.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1])).toEqual(ALERTS);
  });

  it("names only metrics a hub exposes", () => {
    const names = metricNames(rules);
    expect(names).toEqual(
      expect.arrayContaining(["anxin_outbox_oldest_pending_age_seconds", "anxin_devices_connected"]),
    );
    expect(names.filter((name) => !exposed.seriesNames().has(name))).toEqual([]);
  });

  it("can fail: a name no hub exposes is found", () => {
    const planted = `${rules}\n      - alert: Planted\n        expr: anxin_outbox_pending_total > 0\n`;
    expect(metricNames(planted).filter((name) => !exposed.seriesNames().has(name))).toEqual([
      "anxin_outbox_pending_total",
    ]);
  });

  it("is the file the example configuration loads, for the job the hub-down alert watches", () => {
    const example = fs.readFileSync(EXAMPLE, "utf8");
    expect(example).toMatch(/^rule_files:\n\s+- anxin-alerts\.yml$/m);
    expect(example).toMatch(/^\s+- job_name: anxin$/m);
    expect(rules).toContain('up{job="anxin"} == 0');
  });
});
