/** What a bad option or value gives: a UsageError, whose message is what the user reads. */
import { UsageError } from "../../src/errors.js";

/** Runs `action`, which must throw a UsageError, and returns its message; any other error fails the test as it is. */
export function usageMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("expected a UsageError");
}
