/** Server-timing headers: how long the service asked us to wait before the next attempt. */

const DELAY_SECONDS = /^\d+$/;
// RFC 9110 says whole seconds, but Microsoft's own throttling sample sends "2.128": read the fraction, never guess.
const DECIMAL_SECONDS = /^\d+(?:\.\d+)?$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// RFC 9110 §5.6.7: senders MUST use IMF-fixdate; anything looser is treated as absent rather than guessed at.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

// Strict IMF-fixdate parse: Date.parse accepts far too much ("2024", "1") to be trusted with a wait time.
function parseImfFixdate(value: string): number | undefined {
  const match = IMF_FIXDATE.exec(value);
  if (!match) return undefined;
  const [day, year, hours, minutes, seconds] = [match[1], match[3], match[4], match[5], match[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const month = MONTHS.indexOf(match[2] ?? "");
  if (month === -1 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  // A leap second (":60") is read as the next second.
  const timestamp = Date.UTC(year, month, day, hours, minutes, Math.min(seconds, 59)) + (seconds === 60 ? 1000 : 0);
  // Date.UTC rolls 31 Feb over into March: reject dates that do not round-trip.
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return undefined;
  return timestamp;
}

/**
 * Milliseconds to wait according to a `Retry-After` value: delay-seconds (a fraction allowed, rounded up to the
 * millisecond), or an HTTP-date minus `now`.
 * Never below 0; `undefined` for a missing or unparseable value (the caller falls back to backoff).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (DECIMAL_SECONDS.test(trimmed)) {
    // Milliseconds, rounded up: waiting a fraction too little would be throttled again.
    const ms = Math.ceil(Number(trimmed) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  const date = parseImfFixdate(trimmed);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/** Millisecond variants some Azure front ends send; digits only. */
function parseMilliseconds(value: string | undefined): number | undefined {
  if (value === undefined || !DELAY_SECONDS.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * The server's requested wait, from lower-cased response headers (`retry-after-ms`, `x-ms-retry-after-ms`,
 * then `retry-after`, the Azure SDK's order), uncapped; `undefined` when the server gave no usable timing.
 */
export function serverRetryDelay(headers: Readonly<Record<string, string>>, now: number): number | undefined {
  return (
    parseMilliseconds(headers["retry-after-ms"]) ??
    parseMilliseconds(headers["x-ms-retry-after-ms"]) ??
    parseRetryAfter(headers["retry-after"], now)
  );
}
