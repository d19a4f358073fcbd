/**
 * Turns csv-parse's line counter into true line numbers. csv-parse reports the line a record *ends* on, and inside
 * quoted values it counts CR and LF separately, so every CRLF inside a value inflates its count by one for the
 * rest of the file. This keeps the running correction and gives the line each record *starts* on.
 */
export class LineTracker {
  #inflation = 0;

  /** The true start line of a record csv-parse reported at `reportedLine`; call once per record, in order. */
  startLine(fields: readonly string[], reportedLine: number): number {
    let counted = 0; // what csv-parse counted inside the values
    let pairs = 0; // CRLF pairs among them
    for (const field of fields) {
      // indexOf keeps the common case (no line break in a ~5,000-character hash) at native speed.
      if (field.indexOf("\n") === -1 && field.indexOf("\r") === -1) continue;
      for (let i = 0; i < field.length; i++) {
        const code = field.charCodeAt(i);
        if (code === 13) {
          counted++;
          if (field.charCodeAt(i + 1) === 10) pairs++;
        } else if (code === 10) counted++;
      }
    }
    const start = reportedLine - this.#inflation - counted;
    this.#inflation += pairs;
    return start;
  }

  /** A line csv-parse reported, corrected for the records seen so far. */
  trueLine(reportedLine: number): number {
    return reportedLine - this.#inflation;
  }
}
