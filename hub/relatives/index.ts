/**
 * The relatives' cascade (issue 4), assembled: the service the pipeline stage,
 * the webhooks and alarm close-out call, the watcher that drives its
 * deadlines, the read side for the alarm detail, the voice channel the outbox
 * sender places calls through, and the options of Twilio's webhook routes.
 * `createRelatives` only builds; `watcher.start()`/`stop()` run it.
 */
import type { Logger } from "pino";
import type { HubConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { TwilioWebhookOptions } from "../http/routes/twilio-routes.ts";
import { ConsoleVoiceNotifier } from "../notify/console-notifier.ts";
import type { VoiceNotifier } from "../notify/notifier.ts";
import { TwilioVoiceNotifier } from "../notify/twilio-voice-notifier.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { Db } from "../storage/database.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import { RelativeCascadeService } from "./cascade-service.ts";
import { CascadeViews } from "./cascade-views.ts";
import { CascadeWatcher } from "./cascade-watcher.ts";
import { type Clock, relativeSettingsFrom } from "./types.ts";

export { CascadeWatcher } from "./cascade-watcher.ts";

export interface Relatives {
  service: RelativeCascadeService;
  watcher: CascadeWatcher;
  views: CascadeViews;
  voice: VoiceNotifier;
  webhooks: TwilioWebhookOptions;
}

/** Where Twilio posts status callbacks for our messages and calls. */
export function statusCallbackUrl(config: HubConfig): string {
  return `${config.publicUrl.replace(/\/+$/, "")}/api/twilio/status`;
}

export function createRelatives(deps: {
  db: Db;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  bus: EventBus;
  logger: Logger;
  config: HubConfig;
  clock: Clock;
}): Relatives {
  const { config, logger } = deps;
  const service = new RelativeCascadeService({
    ...deps,
    logger: logger.child({ part: "relatives" }),
    settings: relativeSettingsFrom(config),
  });
  const twilio = config.twilio;
  const voice: VoiceNotifier = twilio
    ? new TwilioVoiceNotifier({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: twilio.from,
        statusCallbackUrl: statusCallbackUrl(config),
        ...(twilio.apiBaseUrl ? { apiBaseUrl: twilio.apiBaseUrl } : {}),
      })
    : new ConsoleVoiceNotifier(logger.child({ part: "voice-console" }));
  return {
    service,
    watcher: new CascadeWatcher({ service, logger: logger.child({ part: "relatives-watcher" }) }, { intervalMs: 1000 }),
    views: new CascadeViews(service.repo),
    voice,
    webhooks: {
      account: twilio ? { accountSid: twilio.accountSid, authToken: twilio.authToken } : null,
      publicUrl: config.publicUrl,
      relatives: service,
      logger: logger.child({ part: "twilio-webhook" }),
    },
  };
}
