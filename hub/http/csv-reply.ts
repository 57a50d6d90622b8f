/** CSV downloads (KPIs, alarm history, audit log): one way to send them and one size limit. */
import type { FastifyReply } from "fastify";
import { AnxinError } from "../errors.ts";

/** Sends `body` (UTF-8; the CSV writers put the BOM Excel needs at its start) as a file download. */
export function sendCsv(reply: FastifyReply, fileName: string, body: string): FastifyReply {
  return reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${fileName}"`)
    .send(body);
}

/** Refuses an export of `total` rows when one file holds at most `max` (`EXPORT_TOO_LARGE`, 400). */
export function assertExportFits(total: number, max: number, rowsName: string, narrow: string): void {
  if (total <= max) return;
  throw new AnxinError(
    "EXPORT_TOO_LARGE",
    `the filters match ${total} ${rowsName}; one export holds at most ${max}: ${narrow}`,
    { total, max },
  );
}
