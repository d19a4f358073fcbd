import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import type { RowResult } from "../../src/model/device.js";
import { reportFormatFor, type ReportColumn } from "../../src/report/columns.js";
import { formatReport } from "../../src/report/format.js";
import { validationReportColumns } from "../../src/report/validation-report.js";
import { openReportWriter } from "../../src/report/writer.js";
import { forgetSecrets, rememberSecrets } from "../../src/redact.js";
import { readExcelCsv } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";

const dir = fileTempDir();

interface Item {
  readonly id: number;
  readonly text: string;
}
const columns: readonly ReportColumn<Item>[] = [
  { header: "id", value: (item) => item.id },
  { header: "text", value: (item) => item.text },
];

/** A destination that takes 1 ms per write and records how much was ever waiting in its buffer. */
class SlowSink extends Writable {
  readonly received: string[] = [];
  maxBuffered = 0;
  constructor() {
    super({ highWaterMark: 256 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    this.received.push(chunk.toString());
    setTimeout(callback, 1);
  }
}

describe("report writer", () => {
  it("picks JSON Lines for .jsonl paths, CSV otherwise", () => {
    expect(reportFormatFor("out/report.JSONL")).toBe("jsonl");
    expect(reportFormatFor("report.csv")).toBe("csv");
    expect(reportFormatFor("report")).toBe("csv");
  });

  it("writes a CSV file with a header line and one line per row", async () => {
    const path = join(dir, "items.csv");
    const writer = await openReportWriter(path, columns);
    await writer.write({ id: 1, text: "a,b" });
    await writer.write({ id: 2, text: "=1+1" });
    await writer.close();
    expect(writer.rows).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(`\uFEFFid,text\r\n1,"a,b"\r\n2,'=1+1\r\n`);
  });

  it("writes a CSV file as Excel opens it: the UTF-8 BOM's bytes, CRLF, the given separator, formulas neutralised", async () => {
    const path = join(dir, "excel.csv");
    const writer = await openReportWriter(path, columns, { delimiter: ";" });
    await writer.write({ id: 1, text: "Zoë Müller; Ventes" });
    await writer.write({ id: 2, text: "=cmd|' /C calc'!A0" });
    await writer.write({ id: 3, text: "Gérard,Dupont" });
    await writer.close();
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Every line break is CRLF: no LF without its CR.
    expect(bytes.toString("latin1").match(/(?<!\r)\n/g)).toBeNull();
    expect(bytes.subarray(3).toString("utf8")).toBe(`id;text\r\n1;"Zoë Müller; Ventes"\r\n2;'=cmd|' /C calc'!A0\r\n3;Gérard,Dupont\r\n`);
    // Read back as Excel reads it: UTF-8 after the BOM, split by the separator: the accented names survive.
    expect(readExcelCsv(path, ";")).toEqual([
      { id: "1", text: "Zoë Müller; Ventes" },
      { id: "2", text: "'=cmd|' /C calc'!A0" },
      { id: "3", text: "Gérard,Dupont" },
    ]);
  });

  it("asks a separator function once, at the first row, so a report opened before its input is read can follow it", async () => {
    const path = join(dir, "lazy.csv");
    let asked = 0;
    let found: "," | ";" | "\t" = ",";
    const writer = await openReportWriter(path, columns, { delimiter: () => (asked++, found) });
    expect(asked).toBe(0);
    found = "\t"; // what the reader learns from the input's header, after the report was opened
    await writer.write({ id: 1, text: "a\tb" });
    await writer.write({ id: 2, text: "c" });
    await writer.close();
    expect(asked).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(`\uFEFFid\ttext\r\n1\t"a\tb"\r\n2\tc\r\n`);
  });

  it("writes the BOM and the header of a report without rows at close", async () => {
    const path = join(dir, "empty.csv");
    const writer = await openReportWriter(path, columns, { delimiter: () => ";" });
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe("\uFEFFid;text\r\n");
  });

  it("writes JSON Lines when the path ends in .jsonl", async () => {
    const path = join(dir, "items.jsonl");
    const writer = await openReportWriter(path, columns);
    await writer.write({ id: 1, text: "=1+1" });
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe(`{"id":1,"text":"=1+1"}\n`);
  });

  it("waits while the destination is saturated, so memory stays bounded", async () => {
    const sink = new SlowSink();
    const writer = await openReportWriter(sink, columns);
    for (let id = 0; id < 200; id++) await writer.write({ id, text: "x".repeat(50) });
    await writer.close();
    expect(sink.received.join("").split("\r\n")).toHaveLength(202);
    expect(sink.maxBuffered).toBeLessThan(256 + 100);
    expect(sink.writableEnded).toBe(false); // a caller's stream stays open
  });

  it("creates the file 0600 (it names serials and users) and censors remembered secrets in every line", async () => {
    const path = join(dir, "private.csv");
    rememberSecrets("Xy8Q~remembered-secret.value");
    try {
      const writer = await openReportWriter(path, columns);
      await writer.write({ id: 1, text: "Xy8Q~remembered-secret.value" });
      await writer.write({ id: 2, text: 'a "quoted" Xy8Q~remembered-secret.value, too' });
      await writer.close();
    } finally {
      forgetSecrets();
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("remembered-secret");
    expect(readExcelCsv(path).map((row) => row.text)).toEqual(["[redacted]", 'a "quoted" [redacted], too']);
  });

  it("fails with a one-line usage error when the report cannot be created", async () => {
    const path = join(dir, "no-such-folder", "r.csv");
    await expect(openReportWriter(path, columns)).rejects.toThrow(new UsageError(`cannot write the report ${path}: its folder does not exist`));
    await expect(openReportWriter(dir, columns)).rejects.toBeInstanceOf(UsageError);
  });

  it("formats rows as a pipeline stage too", async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    await pipeline(Readable.from([{ id: 7, text: "seven" }]), formatReport(columns, "csv"), sink);
    expect(chunks.join("")).toBe("id,text\r\n7,seven\r\n");
  });
});

describe("validation report columns", () => {
  it("are file, line, serialNumber, status, code, message", async () => {
    const rows: RowResult[] = [
      { status: "valid", location: { file: "a.csv", line: 2 }, device: { serialNumber: "PF3A", hardwareIdentifier: "AAAA" } },
      { status: "invalid", location: { file: "a.csv", line: 3 }, serialNumber: "", code: "serial_missing", message: "Device Serial Number is empty", column: "Device Serial Number" },
      {
        status: "duplicate",
        location: { file: "b.csv", line: 4 },
        serialNumber: "PF3A",
        code: "duplicate_serial",
        message: "Device Serial Number 'PF3A' already appears on line 2 of a.csv; only the first is used",
        firstSeen: { file: "a.csv", line: 2 },
      },
    ];
    const path = join(dir, "validation.jsonl");
    const writer = await openReportWriter(path, validationReportColumns);
    for (const row of rows) await writer.write(row);
    await writer.close();
    expect(readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      { file: "a.csv", line: 2, serialNumber: "PF3A", status: "valid", code: null, message: null },
      { file: "a.csv", line: 3, serialNumber: "", status: "invalid", code: "serial_missing", message: "Device Serial Number is empty" },
      { file: "b.csv", line: 4, serialNumber: "PF3A", status: "duplicate", code: "duplicate_serial", message: rows[2]?.status === "duplicate" ? rows[2].message : "" },
    ]);
  });
});
