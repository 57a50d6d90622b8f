/** Storage of end-to-end test requests and of each device's test schedule. */
import { jsonArrayLength } from "../storage/sql/dialect-sql.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

export type TestTrigger = "schedule" | "drill" | "manual";
export type TestStatus = "requested" | "answered" | "completed" | "failed";

export interface TestRow {
  id: number;
  request_id: string;
  device_id: string;
  trigger: TestTrigger;
  requested_by: string;
  requested_at: string;
  deadline: string;
  status: TestStatus;
  alarm_id: number | null;
  answered_at: string | null;
  finished_at: string | null;
}

export interface NewTest {
  requestId: string;
  deviceId: string;
  trigger: TestTrigger;
  requestedBy: string;
  requestedAt: string;
  deadline: string;
}

export interface DueDeviceRow {
  device_id: string;
  next_due_at: string;
  online: number;
  status: string;
}

export class TestRepository {
  private readonly sql: SqlSession;

  constructor(sql: SqlSession) {
    this.sql = sql;
  }

  async insert(test: NewTest): Promise<TestRow> {
    const row = await this.sql.get<TestRow>(
      `INSERT INTO device_tests (request_id, device_id, trigger, requested_by, requested_at, deadline)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      [test.requestId, test.deviceId, test.trigger, test.requestedBy, test.requestedAt, test.deadline],
    );
    return row as TestRow;
  }

  get(id: number): Promise<TestRow | undefined> {
    return this.sql.get<TestRow>("SELECT * FROM device_tests WHERE id = ?", [id]);
  }

  /** The device's test that is requested or answered but not finished (at most one, by a unique index). */
  pending(deviceId: string): Promise<TestRow | undefined> {
    return this.sql.get<TestRow>(
      "SELECT * FROM device_tests WHERE device_id = ? AND status IN ('requested', 'answered')",
      [deviceId],
    );
  }

  latest(deviceId: string): Promise<TestRow | undefined> {
    return this.sql.get<TestRow>("SELECT * FROM device_tests WHERE device_id = ? ORDER BY id DESC LIMIT 1", [deviceId]);
  }

  withStatus(status: "requested" | "answered"): Promise<TestRow[]> {
    // The literal IN lets the partial index `device_tests_pending` serve it: the scan reads only tests
    // still pending, not every test the fleet ever made.
    return this.sql.all<TestRow>(
      "SELECT * FROM device_tests WHERE status IN ('requested', 'answered') AND status = ? ORDER BY id",
      [status],
    );
  }

  /** The first `test` alarm of the device received inside [from, to] that answers no other request. */
  findAnswer(deviceId: string, from: string, to: string): Promise<{ id: number; received_at: string } | undefined> {
    return this.sql.get<{ id: number; received_at: string }>(
      `SELECT a.id, a.received_at FROM alarms a
       WHERE a.device_id = ? AND a.kind = 'test' AND a.received_at >= ? AND a.received_at <= ?
         AND NOT EXISTS (SELECT 1 FROM device_tests t WHERE t.alarm_id = a.id)
       ORDER BY a.id LIMIT 1`,
      [deviceId, from, to],
    );
  }

  /**
   * Open `test` alarms whose pipeline is done and that answer no request: none
   * claimed them, and no request that was waiting when they came could. Open
   * as the list of open states, which the partial index `alarms_open_tests`
   * (migration 17) matches: this runs at every supervision scan.
   */
  unrequestedOpenTests(
    stageCount: number,
    only: { deviceId?: string; alarmId?: number } = {},
  ): Promise<{ id: number; device_id: string; received_at: string }[]> {
    // One device's or one alarm's, by their indexes: a press must not scan every open test alarm (under a
    // backlog of test presses that made each press's cost grow with the backlog, issue 12).
    const [narrow, args]: [string, (string | number)[]] =
      only.alarmId !== undefined
        ? ["a.id = ? AND ", [only.alarmId]]
        : only.deviceId !== undefined
          ? ["a.device_id = ? AND ", [only.deviceId]]
          : ["", []];
    return this.sql.all<{ id: number; device_id: string; received_at: string }>(
      `SELECT a.id, a.device_id, a.received_at FROM alarms a
       WHERE ${narrow}a.kind = 'test' AND a.status IN ('unassigned', 'offered', 'accepted', 'on_scene')
         AND ${jsonArrayLength(this.sql.dialect, "a.stages_done")} >= ?
         AND NOT EXISTS (SELECT 1 FROM device_tests t WHERE t.alarm_id = a.id)
         AND NOT EXISTS (SELECT 1 FROM device_tests t WHERE t.device_id = a.device_id AND t.status = 'requested'
                           AND a.received_at >= t.requested_at AND a.received_at <= t.deadline)
       ORDER BY a.id`,
      [...args, stageCount],
    );
  }

  /** A test press nobody asked for, recorded as a `manual` test that was already answered and is now complete. */
  async insertManual(test: {
    requestId: string;
    deviceId: string;
    alarmId: number;
    receivedAt: string;
    at: string;
  }): Promise<TestRow> {
    const row = await this.sql.get<TestRow>(
      `INSERT INTO device_tests (request_id, device_id, trigger, requested_by, requested_at, deadline, status,
                                 alarm_id, answered_at, finished_at)
       VALUES (?, ?, 'manual', ?, ?, ?, 'completed', ?, ?, ?) RETURNING *`,
      [
        test.requestId,
        test.deviceId,
        `device:${test.deviceId}`,
        test.receivedAt,
        test.receivedAt,
        test.alarmId,
        test.receivedAt,
        test.at,
      ],
    );
    return row as TestRow;
  }

  /** Conditional moves: each returns false when the test was not in the expected state any more. */
  async markAnswered(id: number, alarmId: number, at: string): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE device_tests SET status = 'answered', alarm_id = ?, answered_at = ? WHERE id = ? AND status = 'requested'",
      [alarmId, at, id],
    );
    return result.changes === 1;
  }

  async finish(id: number, from: "requested" | "answered", to: "completed" | "failed", at: string): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE device_tests SET status = ?, finished_at = ? WHERE id = ? AND status = ?",
      [to, at, id, from],
    );
    return result.changes === 1;
  }

  /** Active devices that have no place in the test schedule yet (new, or from before scheduling was on). */
  async unscheduledDevices(): Promise<string[]> {
    const rows = await this.sql.all<{ id: string }>(
      `SELECT d.id FROM devices d LEFT JOIN device_test_schedule s ON s.device_id = d.id
       WHERE d.status = 'active' AND s.device_id IS NULL`,
    );
    return rows.map((row) => row.id);
  }

  async setNextDue(deviceId: string, at: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO device_test_schedule (device_id, next_due_at) VALUES (?, ?)
       ON CONFLICT (device_id) DO UPDATE SET next_due_at = excluded.next_due_at`,
      [deviceId, at],
    );
  }

  async nextDue(deviceId: string): Promise<string | null> {
    const row = await this.sql.get<{ next_due_at: string }>(
      "SELECT next_due_at FROM device_test_schedule WHERE device_id = ?",
      [deviceId],
    );
    return row?.next_due_at ?? null;
  }

  /** The most overdue devices whose scheduled test is due at `now`, at most `limit`. */
  due(now: string, limit: number): Promise<DueDeviceRow[]> {
    return this.sql.all<DueDeviceRow>(
      `SELECT s.device_id, s.next_due_at, d.online, d.status FROM device_test_schedule s
       JOIN devices d ON d.id = s.device_id WHERE s.next_due_at <= ? ORDER BY s.next_due_at LIMIT ?`,
      [now, limit],
    );
  }
}
