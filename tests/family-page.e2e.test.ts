/**
 * The family status page `/f/<token>` over real HTTP on a real hub: what a
 * relative sees (in their language, with local times, the worker's name and
 * the center's phone, never medical data), the headers that keep the link out
 * of caches and Referers, the audit row of every view, and the plain page a
 * wrong or expired link gets, which cannot tell the two apart.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FAMILY_PAGE_PER_MINUTE } from "../hub/http/routes/family-routes.ts";
import { formatTime } from "../hub/notify/sms-text.ts";
import { type FamilyHub, startFamilyHub } from "./support/family-harness.ts";

const A = { name: "王建国", phone: "+8613900000401" };
const B = { name: "Li Ming", phone: "+8613900000402", language: "en" as const };
const DEVICE = 30;
const ZONE = "Asia/Shanghai";

interface Page {
  status: number;
  body: string;
  headers: Headers;
}

describe("family status page", () => {
  let h: FamilyHub | undefined;
  let views = 0;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    views = 0;
  });

  async function open(token: string): Promise<Page> {
    if (!h) throw new Error("no hub");
    views++;
    const response = await fetch(`${h.th.httpUrl}/f/${token}`);
    return { status: response.status, body: await response.text(), headers: response.headers };
  }
  const db = () => {
    if (!h) throw new Error("no hub");
    return h.th.hub.db;
  };
  const alarmRow = (alarmId: number) =>
    db().prepare("SELECT received_at, acknowledged_at FROM alarms WHERE id = ?").get(alarmId) as {
      received_at: string;
    };
  const audits = (alarmId: number) =>
    db()
      .prepare(
        "SELECT actor, action, target, detail FROM audit_log WHERE target = ? AND action LIKE 'family_page%' ORDER BY id",
      )
      .all(`alarm:${alarmId}`) as { actor: string; action: string; target: string; detail: string }[];

  it("shows the relative the progress with local times, the worker and the center's phone, and audits every view", async () => {
    h = await startFamilyHub();
    const hub = h;
    const [idA, idB] = await hub.giveRelatives(DEVICE, [A, B]);
    // Registry text is shown as text: markup in a name is escaped, never run.
    const residentId = (
      db()
        .prepare("SELECT r.id FROM residents r JOIN devices d ON d.household_id = r.household_id WHERE d.id = ?")
        .get(hub.th.demoDevices[DEVICE]?.deviceId) as { id: number }
    ).id;
    db().prepare("UPDATE residents SET name = ? WHERE id = ?").run("王<b>秀英</b>", residentId);
    const alarmId = await hub.press(DEVICE);
    await hub.smsCount(A.phone, 1);
    await hub.smsCount(B.phone, 1);
    const tokenA = hub.tokenOf(A.phone);
    const tokenB = hub.tokenOf(B.phone);

    const waiting = await open(tokenA);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toContain("指挥中心正在处理，正在安排社区工作人员。");
    expect(waiting.body).toContain(formatTime(new Date(alarmRow(alarmId).received_at), "zh-CN", ZONE));

    const worker = await hub.accept(alarmId);
    await hub.arrive(alarmId, worker.workerId);
    const zh = await open(tokenA);
    expect(zh.status).toBe(200);
    expect(zh.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(zh.headers.get("cache-control")).toBe("no-store");
    expect(zh.headers.get("referrer-policy")).toBe("no-referrer");
    expect(zh.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain("王&#60;b&#62;秀英&#60;/b&#62;的紧急呼叫");
    expect(zh.body).not.toContain("<b>");
    expect(zh.body).toContain(`社区工作人员${worker.name}已到达。`);
    expect(zh.body).toContain(`社区工作人员${worker.name}出发`);
    expect(zh.body).toContain('href="tel:05468123456"');
    const resident = db()
      .prepare("SELECT conditions, medications, allergies, mobility FROM residents WHERE id = ?")
      .get(residentId) as Record<string, string>;
    for (const medical of Object.values(resident).filter((m) => m && m !== "无"))
      expect(zh.body).not.toContain(medical);

    const en = await open(tokenB);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain(`Community worker ${worker.name} has arrived.`);
    expect(en.body).toContain(formatTime(new Date(alarmRow(alarmId).received_at), "en", ZONE));

    // One audit row per view, naming the relative and the alarm; the token itself is written nowhere.
    const rows = audits(alarmId);
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([
      [`relative:${idA}`, "family_page_viewed", `alarm:${alarmId}`],
      [`relative:${idA}`, "family_page_viewed", `alarm:${alarmId}`],
      [`relative:${idB}`, "family_page_viewed", `alarm:${alarmId}`],
    ]);
    for (const token of [tokenA, tokenB]) {
      const anywhere = db()
        .prepare(
          `SELECT (SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%' || ? || '%')
                + (SELECT COUNT(*) FROM family_links WHERE token_hash = ?)
                + (SELECT COUNT(*) FROM alarm_events WHERE detail LIKE '%' || ? || '%') AS n`,
        )
        .get(token, token, token);
      expect(anywhere).toEqual({ n: 0 });
    }
  });

  it("a wrong link and an expired one get the same plain page; a closed alarm's link lasts the grace period", async () => {
    h = await startFamilyHub({ env: { ANXIN_FAMILY_LINK_GRACE_H: "24" } });
    const hub = h;
    const [idA] = await hub.giveRelatives(DEVICE, [A]);
    const alarmId = await hub.press(DEVICE);
    await hub.smsCount(A.phone, 1);
    const token = hub.tokenOf(A.phone);

    const unknown = await open("A".repeat(43));
    const malformed = await open("not-a-token");
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect(malformed.body).toBe(unknown.body);
    expect(unknown.body).toContain("此链接无效或已过期。");
    expect(unknown.body).toContain("This link is not valid or has expired.");
    expect(unknown.headers.get("cache-control")).toBe("no-store");

    const cancelled = await hub.operator("POST", `/api/alarms/${alarmId}/cancel`, { reason: "老人误按" });
    expect(cancelled.statusCode).toBe(200);
    hub.advance(23 * 3600);
    const late = await open(token);
    expect(late.status).toBe(200);
    expect(late.body).toContain("呼叫已解除：不是紧急情况，一切平安。");
    // Steps that never happened (no worker was needed) are left out once the alarm is closed.
    expect(late.body).not.toContain('data-step="on_the_way"');

    hub.advance(2 * 3600);
    const expired = await open(token);
    expect(expired.status).toBe(404);
    expect(expired.body).toBe(unknown.body);
    expect(audits(alarmId).map((r) => [r.actor, r.action, JSON.parse(r.detail).reason ?? null])).toEqual([
      [`relative:${idA}`, "family_page_viewed", null],
      [`relative:${idA}`, "family_page_refused", "expired"],
    ]);

    // Rate limited per address: past the limit, a plain "try again" page, still nothing else.
    let last = expired;
    while (last.status !== 429 && views <= FAMILY_PAGE_PER_MINUTE) last = await open("B".repeat(43));
    expect(last.status).toBe(429);
    expect(views).toBe(FAMILY_PAGE_PER_MINUTE + 1);
    expect(last.body).toContain("请求过多，请稍后再试。");
    expect(last.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });
});
