import { describe, expect, it } from "vitest";
import { AuthenticationError, EnvironmentError, InputFileError, InterruptedError, ServiceError, StateError, UsageError } from "../../src/errors.js";
import { ExitCode, classifyFailure, exitCodeFor, exitCodeOf, failureText, rowsNotImported } from "../../src/cli/exit-codes.js";

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: something`), { code });

describe("exit codes: one mapping over outcomes and errors", () => {
  it("maps outcomes", () => {
    expect(exitCodeOf({ kind: "done" })).toBe(ExitCode.ok);
    expect(exitCodeOf({ kind: "rows", unreadableFiles: 0, rowsNotDone: 0 })).toBe(0);
    expect(exitCodeOf({ kind: "rows", unreadableFiles: 0, rowsNotDone: 3 })).toBe(1);
    // A file that cannot be read outranks rows that were not imported.
    expect(exitCodeOf({ kind: "rows", unreadableFiles: 1, rowsNotDone: 3 })).toBe(2);
    // Inputs with no device row at all (a header only): an input that cannot be used.
    expect(exitCodeOf({ kind: "rows", unreadableFiles: 0, rowsNotDone: 0, noRows: true })).toBe(2);
    expect(exitCodeOf({ kind: "rows", unreadableFiles: 0, rowsNotDone: 0, noRows: false })).toBe(0);
    expect(exitCodeOf({ kind: "partial", left: 0 })).toBe(0);
    expect(exitCodeOf({ kind: "partial", left: 5 })).toBe(1);
    expect(exitCodeOf({ kind: "stopped", error: new AuthenticationError("no") })).toBe(3);
  });

  it("maps our errors by kind", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(2);
    expect(exitCodeFor(new InputFileError("a.csv", "x"))).toBe(2);
    expect(exitCodeFor(new StateError("x"))).toBe(2);
    expect(exitCodeFor(new AuthenticationError("x"))).toBe(3);
    expect(exitCodeFor(new ServiceError("x", 500))).toBe(3);
    expect(exitCodeFor(new InterruptedError("SIGINT"))).toBe(130);
    expect(exitCodeFor(new InterruptedError("SIGTERM"))).toBe(143);
  });

  it("treats this machine's files and folders as the environment (2), the network as the service (3), anything else as a bug (4)", () => {
    for (const code of ["EACCES", "ENOSPC", "EROFS", "ENOENT", "EISDIR"]) expect(classifyFailure(errno(code)), code).toBe("environment");
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "UND_ERR_SOCKET", "CERT_HAS_EXPIRED"]) expect(exitCodeFor(errno(code)), code).toBe(3);
    expect(exitCodeFor(errno("EACCES"))).toBe(2);
    expect(exitCodeFor(new TypeError("undefined is not a function"))).toBe(ExitCode.internal);
    expect(exitCodeFor(new RangeError("maxTimeMs must be 0 or more"))).toBe(4);
    expect(exitCodeFor("a string thrown")).toBe(4);
  });

  it("tells the user's environment in one line with exit 2: our EnvironmentError, and an errno error wrapped as a cause", () => {
    const unreadable = new EnvironmentError("cannot read a.csv: permission denied", { cause: errno("EACCES") });
    expect(exitCodeFor(unreadable)).toBe(ExitCode.usage);
    expect(failureText(unreadable)).toBe("cannot read a.csv: permission denied");
    const wrapped = new Error("could not write the journal", { cause: new Error("write failed", { cause: errno("ENOSPC") }) });
    expect(classifyFailure(wrapped)).toBe("environment");
    expect(failureText(wrapped)).toBe("could not write the journal (ENOSPC)");
    expect(exitCodeFor(new Error("a bug", { cause: new TypeError("x") }))).toBe(ExitCode.internal);
  });

  it("tells a bug with its stack, everything else in its own words", () => {
    const bug = new TypeError("undefined is not a function");
    expect(failureText(bug)).toMatch(/^internal error \(please report it\): TypeError: undefined is not a function\n\s+at /);
    expect(failureText(new UsageError("--batch-size: must be at least 1"))).toBe("--batch-size: must be at least 1");
    expect(failureText(errno("EACCES"))).toBe("EACCES: something");
  });

  it("counts the rows an import did not finish", () => {
    expect(rowsNotImported({ failed: 1, timedOut: 2, invalid: 3, duplicates: 4 })).toBe(10);
  });
});
