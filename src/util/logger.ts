/** The slice of a pino logger the library writes to: pino's Logger satisfies it, and tests pass their own. */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}
