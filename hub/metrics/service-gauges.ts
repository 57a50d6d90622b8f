/**
 * What keeps the service itself running for years, read at each scrape: the hub's own backups
 * (ANXIN_BACKUP_DIR) and the TLS certificate in service. Neither fails loudly on the day it matters:
 * a backup that stopped being taken is only missed at the restore, and an expired certificate locks
 * every button and console out at once. The alert rules (deploy/prometheus/anxin-alerts.yml) watch both.
 *
 * The newest backup is read from the directory's names, as the schedule itself reads it
 * (hub/backup/scheduled-backups.ts): it survives restarts, and a failed backup leaves no file, so
 * the newest name is the newest backup that passed its checks.
 */
import { Gauge, type Registry } from "prom-client";
import { listScheduledBackups } from "../backup/backup-files.ts";

export interface BackupWatch {
  /** ANXIN_BACKUP_DIR. */
  dir: string;
  /** ANXIN_BACKUP_EVERY_H. */
  everyH: number;
}

export interface ServiceWatch {
  backup: BackupWatch | null;
  /** The end of validity (ISO time) of the certificate in service, asked at each scrape (SIGHUP changes it); null without TLS. */
  certificateValidTo: (() => string) | null;
}

export class ServiceGauges {
  constructor(registry: Registry, watch: ServiceWatch) {
    const registers = [registry];
    const { backup, certificateValidTo } = watch;
    if (backup !== null) {
      new Gauge({
        name: "anxin_backup_newest_timestamp_seconds",
        help: "When the newest scheduled backup in ANXIN_BACKUP_DIR was taken (Unix time); 0 when there is none",
        registers,
        collect() {
          // A directory it cannot read counts as no backup (the overdue alert fires; the schedule logs
          // BACKUP_FAILED with the reason), never as a failed scrape, which would read as the hub down.
          let newest: { at: Date } | undefined;
          try {
            newest = listScheduledBackups(backup.dir)[0];
          } catch {
            newest = undefined;
          }
          this.set(newest ? newest.at.getTime() / 1000 : 0);
        },
      });
      new Gauge({
        name: "anxin_backup_interval_seconds",
        help: "ANXIN_BACKUP_EVERY_H in seconds: a scheduled backup is due once the newest is this old",
        registers,
      }).set(backup.everyH * 3600);
    }
    if (certificateValidTo === null) return;
    new Gauge({
      name: "anxin_tls_certificate_expiry_timestamp_seconds",
      help: "When the TLS certificate in service (ANXIN_TLS_CERT, as last loaded) expires (Unix time); absent without TLS",
      registers,
      collect() {
        this.set(Date.parse(certificateValidTo()) / 1000);
      },
    });
  }
}
