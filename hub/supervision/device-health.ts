/** Read side of supervision for the API: the fault list and one device's health. */
import type { DeviceFault, DeviceHealth } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
import type { FaultRepository } from "./fault-repo.ts";
import type { SupervisionSettings } from "./settings.ts";
import { faultView, parseJson, testView } from "./supervision-views.ts";
import type { TestRepository } from "./test-repo.ts";

const RECENT_FAULTS = 20;
const RECENT_EVENTS = 50;

export class DeviceHealthViews {
  private readonly faults: FaultRepository;
  private readonly tests: TestRepository;
  private readonly settings: SupervisionSettings;

  constructor(deps: { faults: FaultRepository; tests: TestRepository; settings: SupervisionSettings }) {
    this.faults = deps.faults;
    this.tests = deps.tests;
    this.settings = deps.settings;
  }

  async list(filter: { openOnly: boolean; deviceId?: string; limit: number }): Promise<DeviceFault[]> {
    return (await this.faults.list(filter)).map(faultView);
  }

  async health(deviceId: string, now = new Date()): Promise<DeviceHealth> {
    const device = await this.faults.device(deviceId);
    if (!device) throw new AnxinError("DEVICE_UNKNOWN", `device ${deviceId} is not in the registry`, { deviceId });
    const recent = (await this.faults.list({ openOnly: false, deviceId, limit: RECENT_FAULTS })).map(faultView);
    const open = (await this.faults.list({ openOnly: true, deviceId, limit: 100 })).map(faultView);
    const latest = await this.tests.latest(deviceId);
    const nextTestDueAt = this.settings.testIntervalMs > 0 ? await this.tests.nextDue(deviceId) : null;
    const events = await this.faults.events(deviceId, RECENT_EVENTS);
    const health =
      device.status !== "active"
        ? "revoked"
        : open.length > 0
          ? "fault"
          : device.last_seen_at === null
            ? "never_seen"
            : "ok";
    return {
      deviceId,
      registryStatus: device.status,
      health,
      online: device.online === 1,
      lastSeenAt: device.last_seen_at,
      silentForS:
        device.last_seen_at === null
          ? null
          : Math.max(0, Math.round((now.getTime() - Date.parse(device.last_seen_at)) / 1000)),
      heartbeatIntervalS: this.settings.heartbeatIntervalS,
      battery: device.battery,
      firmware: device.firmware,
      openFaults: open,
      recentFaults: recent,
      lastTest: latest ? testView(latest) : null,
      nextTestDueAt,
      events: events.map((e) => ({
        at: e.at,
        type: e.type,
        actor: e.actor,
        detail: parseJson(e.detail),
      })),
    };
  }
}
