/** Request pieces every notifier sends the same way. */
import { VERSION } from "../../version.js";

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json; charset=utf-8",
  "user-agent": `croncd/${VERSION}`,
};

/** The body as sent: compact JSON (a signature covers exactly these bytes). */
export function jsonText(body: unknown): string {
  return JSON.stringify(body);
}
