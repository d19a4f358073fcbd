/** The time stamp in the names the tool makes: default report names, archived journals, files moved in an inbox. */
import { describe, expect, it } from "vitest";
import { timeStamp } from "../../src/util/time-stamp.js";

const AT = Date.parse("2025-01-02T03:04:05.678Z");

describe("timeStamp", () => {
  it("the time stamp is UTC to the second, without characters Windows rejects", () => {
    expect(timeStamp(AT)).toBe("20250102T030405Z");
  });
});
