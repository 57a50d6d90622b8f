/** The relatives' cascade as the alarm detail shows it (see alarm-views.ts). */

import type { RelativeCascadeView } from "../../protocol/console/index.ts";
import type { CascadeRepository, ContactRow } from "./cascade-repo.ts";

export class CascadeViews {
  private readonly repo: CascadeRepository;

  constructor(repo: CascadeRepository) {
    this.repo = repo;
  }

  async cascade(alarmId: number): Promise<RelativeCascadeView> {
    const row = await this.repo.cascade(alarmId);
    if (!row) return null;
    const confirmed = row.confirmed_contact_id ? await this.repo.contact(row.confirmed_contact_id) : undefined;
    return {
      status: row.status,
      wave: row.wave,
      deadlineAt: row.deadline_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      confirmedBy: confirmed
        ? {
            priority: confirmed.priority,
            name: confirmed.name,
            phone: confirmed.phone,
            at: confirmed.settled_at ?? row.finished_at ?? "",
          }
        : null,
    };
  }

  /** The alarm's contacts keyed by their outbox row. */
  async contactsByOutbox(alarmId: number): Promise<Map<number, ContactRow>> {
    const byOutbox = new Map<number, ContactRow>();
    for (const contact of await this.repo.contacts(alarmId)) {
      if (contact.outbox_id !== null) byOutbox.set(contact.outbox_id, contact);
    }
    return byOutbox;
  }
}
