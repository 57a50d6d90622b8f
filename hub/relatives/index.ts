/**
 * The relatives' cascade (issue 4), assembled: the service the pipeline stage,
 * the webhooks and alarm close-out call, the watcher that drives its
 * deadlines, the read side for the alarm detail, the voice channel the outbox
 * sender places calls through, the hang-ups it drains beside its messages once
 * a cascade stops, and the options of Twilio's webhook routes.
 * `createRelatives` only builds; `watcher.start()`/`stop()` run it.
 */
import type { Logger } from "pino";
import type { HubConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { FamilyLinkMinter } from "../family/family-links.ts";
import { CallHangups } from "../notify/call-hangups.ts";
import { ConsoleVoiceNotifier } from "../notify/console-notifier.ts";
import type { VoiceNotifier } from "../notify/notifier.ts";
import { statusCallbackUrl, twilioAccountOptions } from "../notify/twilio-account.ts";
import { TwilioVoiceNotifier } from "../notify/twilio-voice-notifier.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import { CallHangupRepository } from "../storage/call-hangup-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { RelativeCascadeService } from "./cascade-service.ts";
import { CascadeViews } from "./cascade-views.ts";
import { CascadeWatcher } from "./cascade-watcher.ts";
import { type Clock, relativeSettingsFrom } from "./types.ts";
import type { RelativesWebhookOptions } from "./webhook-options.ts";

export { CascadeWatcher } from "./cascade-watcher.ts";

export interface Relatives {
  service: RelativeCascadeService;
  watcher: CascadeWatcher;
  views: CascadeViews;
  voice: VoiceNotifier;
  /** Calls to end because their cascade stopped; the outbox sender drains them. */
  hangups: CallHangups;
  /** The relatives' part of Twilio's webhook options (hub-app.ts joins the calls' part). */
  webhooks: RelativesWebhookOptions;
}

export function createRelatives(deps: {
  sql: SqlDatabase;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  links: FamilyLinkMinter;
  bus: EventBus;
  logger: Logger;
  config: HubConfig;
  clock: Clock;
}): Relatives {
  const { config, logger } = deps;
  const hangupRepo = new CallHangupRepository(deps.sql);
  const service = new RelativeCascadeService({
    ...deps,
    hangups: hangupRepo,
    logger: logger.child({ part: "relatives" }),
    settings: relativeSettingsFrom(config),
  });
  const account = twilioAccountOptions(config);
  const voice: VoiceNotifier = account
    ? new TwilioVoiceNotifier({ ...account, statusCallbackUrl: statusCallbackUrl(config) })
    : new ConsoleVoiceNotifier(logger.child({ part: "voice-console" }));
  return {
    service,
    watcher: new CascadeWatcher({ service, logger: logger.child({ part: "relatives-watcher" }) }, { intervalMs: 1000 }),
    views: new CascadeViews(service.repo),
    voice,
    hangups: new CallHangups(
      { repo: hangupRepo, alarms: deps.alarms, bus: deps.bus, logger: logger.child({ part: "call-hangups" }) },
      { maxBackoffMs: config.outboxMaxBackoffMs },
    ),
    webhooks: {
      account: account ? { accountSid: account.accountSid, authToken: account.authToken } : null,
      publicUrl: config.publicUrl,
      relatives: service,
      logger: logger.child({ part: "twilio-webhook" }),
    },
  };
}
