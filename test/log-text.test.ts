import { describe, expect, it } from "vitest";
import { formatLine, formatValue, textDestination } from "../src/log-text.js";

const TIME = "2026-12-02T11:05:09.123Z";

/** What `HH:MM:SS` the machine's time zone shows for TIME. */
function localClock(iso: string): string {
  const date = new Date(iso);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

describe("formatLine", () => {
  it("puts the local clock time, the level and the message first, then the fields in their order", () => {
    const line = formatLine(JSON.stringify({ level: "info", time: TIME, name: "autopilot-import", msg: "upload submitted", uploadId: "u-1", devices: 100 }));
    expect(line).toBe(`${localClock(TIME)} INFO  upload submitted uploadId=u-1 devices=100`);
  });

  it("quotes values a reader could not split on spaces, and prints objects as compact JSON", () => {
    const line = formatLine(
      JSON.stringify({ level: "warn", time: TIME, msg: "m", file: "C:\\data\\my devices.csv", empty: "", tag: "a=b", ok: true, none: null, list: [1, 2], nested: { a: "x y" } }),
    );
    expect(line).toBe(`${localClock(TIME)} WARN  m file="C:\\\\data\\\\my devices.csv" empty="" tag="a=b" ok=true none=null list=[1,2] nested={"a":"x y"}`);
  });

  it("shows an error as its type and message (the stack stays in the JSON log)", () => {
    const err = { type: "GraphRequestError", message: "429 Too Many Requests", stack: "GraphRequestError: 429\n    at x (y.js:1:1)" };
    expect(formatLine(JSON.stringify({ level: "error", time: TIME, msg: "upload failed", err }))).toBe(
      `${localClock(TIME)} ERROR upload failed err="GraphRequestError: 429 Too Many Requests"`,
    );
  });

  it("never hands a terminal control characters from the data: they are escaped", () => {
    const line = formatLine(JSON.stringify({ level: "info", time: TIME, msg: "row \u001b[31mred", serialNumber: "SN\u001b]0;title\u0007" }));
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(line).toContain("row \\u001b[31mred");
    expect(line).toContain('serialNumber="SN\\u001b]0;title\\u0007"');
  });

  it("passes a line that is not JSON through unchanged", () => {
    expect(formatLine("not json")).toBe("not json");
    expect(formatValue("plain-value_1.2")).toBe("plain-value_1.2");
    expect(formatValue("Zoë")).toBe("Zoë");
  });
});

describe("textDestination", () => {
  it("rewrites each line pino writes, and erases the terminal line first when asked", () => {
    const written: string[] = [];
    const sink = { write: (text: string) => written.push(text) };
    const record = JSON.stringify({ level: "error", time: TIME, msg: "boom" });
    textDestination(sink).write(`${record}\n`);
    textDestination(sink, { clearLine: true }).write(`${record}\n`);
    expect(written).toEqual([`${localClock(TIME)} ERROR boom\n`, `\r\x1b[2K${localClock(TIME)} ERROR boom\n`]);
  });

  it("hands flush on to a sink that buffers (a log file)", () => {
    let flushed = 0;
    const destination = textDestination({ write: () => true, flush: () => (flushed += 1) });
    destination.flush?.();
    expect(flushed).toBe(1);
    expect(textDestination({ write: () => true }).flush).toBeUndefined();
  });
});
