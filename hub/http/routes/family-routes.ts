/**
 * `/f/<token>`: a relative's read-only status page, opened from their SMS
 * without any login. The token is the only credential, so the route tells
 * nothing to anyone without a good one: an unknown and an expired token get
 * the same 404 page, rate limiting keeps scanners and floods out, and no
 * answer is cached or sends the URL on as a Referer.
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply } from "fastify";
import type { Logger } from "pino";
import Type from "typebox";
import { FAMILY_PAGE_CSP, renderBusyPage, renderFamilyPage, renderInvalidLinkPage } from "../../family/family-html.ts";
import type { FamilyPage } from "../../family/family-page.ts";

export interface FamilyRoutesOptions {
  page: FamilyPage;
  logger: Logger;
}

/** Views per minute from one address: plenty for a family refreshing, nothing for a scanner. */
export const FAMILY_PAGE_PER_MINUTE = 60;

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-content-type-options", "nosniff")
    .header("x-robots-tag", "noindex, nofollow")
    .header("content-security-policy", FAMILY_PAGE_CSP)
    .send(html);
}

export const familyRoutes: FastifyPluginAsync<FamilyRoutesOptions> = async (app, options) => {
  const { page, logger } = options;

  // Families get pages, not the API's JSON errors: too many requests, or a plain "not available".
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode === 429) return sendHtml(reply, 429, renderBusyPage());
    if (error.validation) return sendHtml(reply, 404, renderInvalidLinkPage(page.settings.centerPhone));
    logger.error({ err: error, path: "/f/:token", ip: request.ip }, "family page failed");
    return sendHtml(reply, 500, renderInvalidLinkPage(page.settings.centerPhone));
  });

  app.get(
    "/f/:token",
    {
      config: { rateLimit: { max: FAMILY_PAGE_PER_MINUTE, timeWindow: "1 minute" } },
      schema: {
        tags: ["family"],
        summary: "A relative's read-only status page of one alarm (HTML; the token from their SMS is the credential)",
        security: [],
        params: Type.Object({ token: Type.String({ maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const result = await page.open(token, { ip: request.ip, userAgent: request.headers["user-agent"] ?? null });
      if (result.kind === "view") return sendHtml(reply, 200, renderFamilyPage(result.view));
      // Never the token in the log: it is the relative's credential.
      logger.info({ ip: request.ip, reason: result.kind }, "family link refused");
      return sendHtml(reply, 404, renderInvalidLinkPage(page.settings.centerPhone));
    },
  );
};
