import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AlarmReply, ErrorBody } from "../../../protocol/console/index.ts";
import { type AlarmNotes, NOTE_MAX_LENGTH } from "../../alarms/alarm-notes.ts";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface AlarmNoteRoutesOptions {
  sessions: SessionService;
  notes: AlarmNotes;
  views: AlarmViews;
}

const AlarmParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** `POST /:id/notes` (under `/api/alarms`): a note on an open or closed alarm. */
export const alarmNoteRoutes: FastifyPluginAsyncTypebox<AlarmNoteRoutesOptions> = async (app, options) => {
  const { notes, views } = options;
  app.addHook("onRequest", requireRole(options.sessions));

  app.post(
    "/:id/notes",
    {
      schema: {
        tags: ["alarms"],
        summary: "Add an operator's note to the alarm's timeline (open or closed alarms)",
        params: AlarmParams,
        body: Type.Object(
          {
            // The pattern (something besides whitespace) makes a blank note a field error like any
            // other, before the handler trims it; trimmed, it is then 1..max characters.
            text: Type.String({ minLength: 1, maxLength: NOTE_MAX_LENGTH, pattern: "\\S" }),
          },
          { additionalProperties: false },
        ),
        response: { 200: AlarmReply, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({
      alarm: await views.summary(await notes.add(request.params.id, currentUser(request), request.body.text.trim())),
    }),
  );
};
