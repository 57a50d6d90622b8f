/**
 * The metrics that keep the service up for years (hub/metrics/service-gauges.ts), scraped from a real hub:
 * the newest scheduled backup, read from ANXIN_BACKUP_DIR's names as the schedule reads them, and the
 * TLS certificate's expiry, which follows a reload. A hub with neither reports neither (an alert on a
 * series that is absent never fires; one on a zero would).
 */
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listScheduledBackups } from "../hub/backup/backup-files.ts";
import { scrape } from "./support/scrape.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";
import { install, makeTestPki, mqttTlsEnv, type TestPki } from "./support/tls-certs.ts";

const expiryS = (certFile: string) => Date.parse(new X509Certificate(fs.readFileSync(certFile)).validTo) / 1000;

let pki: TestPki;
let backupDir: string;
let th: TestHub;
const live = { cert: "", key: "" };

beforeAll(async () => {
  pki = await makeTestPki();
  live.cert = path.join(pki.dir, "hub.pem");
  live.key = path.join(pki.dir, "hub.key");
  install(await pki.server("6001", 2), live);
  backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-metrics-backups-"));
  // An older backup already there, as after a restart: the newest counts.
  fs.writeFileSync(path.join(backupDir, "anxin-20200101T000000Z.db"), "");
  th = await startTestHub({
    twilio: false,
    env: {
      ANXIN_SEED_DEMO: "false",
      ANXIN_BACKUP_DIR: backupDir,
      ANXIN_BACKUP_EVERY_H: "6",
      ...mqttTlsEnv(live),
    },
  });
}, 60_000);

afterAll(async () => {
  await th?.stop();
  pki?.remove();
  if (backupDir) fs.rmSync(backupDir, { recursive: true, force: true });
});

describe("the service's own metrics", () => {
  it("report the newest scheduled backup once the hub has taken one, and the interval", async () => {
    const before = await scrape(th.httpUrl);
    expect(before.value("anxin_backup_interval_seconds")).toBe(6 * 3600);
    expect(before.value("anxin_backup_newest_timestamp_seconds")).toBeGreaterThanOrEqual(Date.UTC(2020, 0, 1) / 1000);
    // The 2020 backup is older than the interval: the hub takes one at start, in a child process.
    const taken = await waitFor(
      () => listScheduledBackups(backupDir).find((backup) => backup.at.getUTCFullYear() > 2020),
      90_000,
      "the hub's first scheduled backup",
    );
    const after = await waitFor(
      async () => {
        const value = (await scrape(th.httpUrl)).value("anxin_backup_newest_timestamp_seconds");
        return value > Date.UTC(2020, 0, 1) / 1000 ? value : undefined;
      },
      10_000,
      "the metric to show the new backup",
    );
    expect(after).toBe(taken.at.getTime() / 1000);
  }, 120_000);

  it("report the certificate in service, and the new one after a reload", async () => {
    expect((await scrape(th.httpUrl)).value("anxin_tls_certificate_expiry_timestamp_seconds")).toBe(expiryS(live.cert));
    const renewal = await pki.server("6002", 90);
    install(renewal, live);
    expect(th.hub.reloadTls()).toMatchObject({ ok: true });
    const renewed = expiryS(live.cert);
    expect(renewed - Date.now() / 1000).toBeGreaterThan(80 * 86400);
    expect((await scrape(th.httpUrl)).value("anxin_tls_certificate_expiry_timestamp_seconds")).toBe(renewed);
  }, 60_000);

  it("count a backup directory the hub cannot read as no backup, and the scrape still answers", async () => {
    // A file where the directory should be: listing it fails (ENOTDIR), as an unreadable one would.
    const notADir = path.join(backupDir, "not-a-directory");
    fs.writeFileSync(notADir, "");
    const broken = await startTestHub({ twilio: false, env: { ANXIN_SEED_DEMO: "false", ANXIN_BACKUP_DIR: notADir } });
    try {
      const scraped = await scrape(broken.httpUrl);
      expect(scraped.value("anxin_backup_newest_timestamp_seconds")).toBe(0);
      expect(scraped.value("anxin_devices_connected")).toBe(0);
      await broken.waitForLog((line) => line.code === "BACKUP_FAILED", 90_000);
    } finally {
      await broken.stop();
    }
  }, 120_000);

  it("are absent from a hub without backups or TLS", async () => {
    const plain = await startTestHub({ twilio: false, env: { ANXIN_SEED_DEMO: "false" } });
    try {
      const names = (await scrape(plain.httpUrl)).seriesNames();
      expect(names.has("anxin_devices_connected")).toBe(true);
      for (const name of [
        "anxin_backup_newest_timestamp_seconds",
        "anxin_backup_interval_seconds",
        "anxin_tls_certificate_expiry_timestamp_seconds",
      ]) {
        expect(names.has(name), name).toBe(false);
      }
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
