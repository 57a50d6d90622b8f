/**
 * What the domain asks of a household's button: show where its call stands,
 * and run a command. The broker's DeviceChannel implements it; the domain
 * names only this, so dependencies point from the broker to the domain.
 */
import type { CommandMessage, FeedbackState } from "../../protocol/index.ts";

export interface DevicePort {
  /**
   * Publishes the device's feedback (read again from storage when it is the device's turn), and that of
   * every other button that pressed for the alarm. `deviceId` is null for an alarm a phone call raised:
   * then only the buttons that pressed for it since.
   */
  feedback(deviceId: string | null, state: FeedbackState, alarmId: number | null): Promise<void>;
  command(deviceId: string, command: CommandMessage): Promise<void>;
}
