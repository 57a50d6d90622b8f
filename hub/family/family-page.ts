/**
 * Opens a family link: the alarm's progress for the relative it was made for,
 * while the alarm is open and for ANXIN_FAMILY_LINK_GRACE_H hours after it was
 * closed. Every view is written to the audit log (actor `relative:<id>`,
 * target `alarm:<id>`); the token never is. An expired link is audited as
 * refused; an unknown token has nobody to name and is only logged by the route.
 */
import type { Clock } from "../clock.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import type { FamilyLinks } from "./family-links.ts";
import { closedAt, type FamilyProgress, familyProgress } from "./family-progress.ts";

export interface FamilyPageSettings {
  linkGraceH: number;
  centerPhone: string | null;
  timeZone: string;
}

export interface FamilyView {
  language: SmsLanguage;
  progress: FamilyProgress;
  centerPhone: string | null;
  timeZone: string;
  now: Date;
}

export type FamilyPageResult = { kind: "view"; view: FamilyView } | { kind: "unknown" } | { kind: "expired" };

export class FamilyPage {
  readonly settings: FamilyPageSettings;
  private readonly links: FamilyLinks;
  private readonly alarms: AlarmRepository;
  private readonly registry: RegistryRepository;
  private readonly users: UserRepository;
  private readonly clock: Clock;

  constructor(deps: {
    links: FamilyLinks;
    alarms: AlarmRepository;
    registry: RegistryRepository;
    users: UserRepository;
    clock: Clock;
    settings: FamilyPageSettings;
  }) {
    this.links = deps.links;
    this.alarms = deps.alarms;
    this.registry = deps.registry;
    this.users = deps.users;
    this.clock = deps.clock;
    this.settings = deps.settings;
  }

  async open(token: string, viewer: { ip: string; userAgent: string | null }): Promise<FamilyPageResult> {
    const link = await this.links.find(token);
    const alarm = link ? await this.alarms.get(link.alarm_id) : undefined;
    if (!link || !alarm) return { kind: "unknown" };
    const now = this.clock();
    const actor = `relative:${link.relative_id}`;
    const target = `alarm:${link.alarm_id}`;
    const closed = closedAt(alarm);
    const detail = { ip: viewer.ip, userAgent: viewer.userAgent?.slice(0, 200) ?? null };
    if (closed !== null && now.getTime() > Date.parse(closed) + this.settings.linkGraceH * 3_600_000) {
      await this.users.audit(actor, "family_page_refused", target, { ...detail, reason: "expired" });
      return { kind: "expired" };
    }
    await this.users.audit(actor, "family_page_viewed", target, detail);
    const resident = alarm.resident_id ? await this.registry.resident(alarm.resident_id) : undefined;
    return {
      kind: "view",
      view: {
        language: link.language === "en" ? "en" : "zh-CN",
        progress: familyProgress(alarm, await this.alarms.events(alarm.id), resident?.name ?? ""),
        centerPhone: this.settings.centerPhone,
        timeZone: this.settings.timeZone,
        now,
      },
    };
  }
}
