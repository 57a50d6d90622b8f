/**
 * Calling back from the console (issue 14), under `/api/alarms`:
 * - `POST /:id/calls`: ring the operator's own phone, then the person named
 *   (the hub finds the number: the operator never types one);
 * - `POST /:id/calls/:callId/mark`: the result, one click;
 * - `GET /:id/calls/:callId/recording`: supervisors play a recording, each play
 *   audited; the audio is fetched from Twilio with the account's credentials
 *   and passed through (at most RECORDING_MAX_BYTES), so the console never holds them.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { CallPlacedReply, ErrorBody, MarkCallBody, PlaceCallBody } from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { AnxinError } from "../../errors.ts";
import { RECORDING_MAX_BYTES } from "../../notify/twilio-recordings.ts";
import type { ConsoleCalls } from "../../voice/console-calls.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface ConsoleCallRoutesOptions {
  sessions: SessionService;
  calls: Pick<ConsoleCalls, "place" | "mark" | "recordingToPlay">;
  /** Fetches a recording's audio from Twilio; null without Twilio (no recording can exist). */
  recordings: { fetch(url: string): Promise<Response> } | null;
}

/** The body, or null once it passes `max` bytes (then the download is cancelled). */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Buffer | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) {
      await body.cancel().catch(() => {});
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const CallParams = Type.Object({ id: Type.Integer({ minimum: 1 }), callId: Type.Integer({ minimum: 1 }) });
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const consoleCallRoutes: FastifyPluginAsyncTypebox<ConsoleCallRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions, ["operator", "supervisor"]));

  app.post(
    "/:id/calls",
    {
      schema: {
        tags: ["alarms"],
        summary:
          "Call someone of the alarm through the operator's own phone (resident, household phone, relative, worker, key holder)",
        params: Params,
        body: PlaceCallBody,
        response: { 202: CallPlacedReply, ...Errors },
      },
    },
    async (request, reply) => {
      const { target, relativeId } = request.body;
      if (target === "relative" && relativeId === undefined) {
        throw new AnxinError("VALIDATION_FAILED", "body.relativeId: say which relative to call");
      }
      const callId = await options.calls.place(request.params.id, currentUser(request), target, relativeId ?? null);
      return reply.code(202).send({ callId });
    },
  );

  app.post(
    "/:id/calls/:callId/mark",
    {
      schema: {
        tags: ["alarms"],
        summary:
          "The result of a call: resident OK / needs help / no answer, or relative reached (stops the relatives' cascade)",
        params: CallParams,
        body: MarkCallBody,
        response: { 204: Type.Null(), ...Errors },
      },
    },
    async (request, reply) => {
      await options.calls.mark(request.params.id, request.params.callId, currentUser(request), request.body.mark);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/:id/calls/:callId/recording",
    {
      onRequest: requireRole(options.sessions, ["supervisor"]),
      schema: {
        tags: ["alarms"],
        summary: "Play a call's recording (supervisors; every play is audited)",
        params: CallParams,
      },
    },
    async (request, reply) => {
      const url = await options.calls.recordingToPlay(request.params.id, request.params.callId, currentUser(request));
      if (!options.recordings) throw new AnxinError("CALL_NOT_FOUND", "Twilio is not configured");
      const audio = await options.recordings.fetch(url);
      if (!audio.ok || !audio.body) {
        request.log.warn(
          { code: "CALL_RECORDING_UNAVAILABLE", status: audio.status },
          "Twilio did not give the recording",
        );
        throw new AnxinError("CALL_NOT_FOUND", `Twilio answered ${audio.status} for the recording`);
      }
      const bytes = await readAtMost(audio.body, RECORDING_MAX_BYTES);
      if (bytes === null) throw new AnxinError("CALL_NOT_FOUND", "the recording is too long to play here");
      reply.header("cache-control", "no-store");
      reply.type(audio.headers.get("content-type") ?? "audio/mpeg");
      return reply.send(bytes);
    },
  );
};
