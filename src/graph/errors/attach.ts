/** What an error remembers of the exchange; kept non-enumerable so loggers and JSON.stringify skip it. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly clientRequestId: string;
  /** Request headers without Authorization. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ResponseInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

// Non-enumerable: pino's error serializer and JSON.stringify copy enumerable fields only.
export function attachHidden<T extends object>(target: T, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
  }
}

/** Method and path (no host, no query) for one-line messages: queries can carry serial numbers and tokens do not belong there. */
export function describeRequest(request: RequestInfo): string {
  try {
    const url = new URL(request.url);
    return `${request.method} ${url.pathname}`;
  } catch {
    return request.method;
  }
}
