import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { scrubbedStream } from "../../../src/cli/output/scrubbed-stream.js";
import { forgetSecrets, isRememberedSecret, rememberSecrets, scrubSecrets } from "../../../src/redact.js";

const SECRET = "Xy8Q~abcDEF123.ghi\"JKL456";

function sink(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = "";
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  stream.isTTY = true;
  return { stream, text: () => text };
}

describe("scrubbedStream and the remembered secrets", () => {
  it("censors remembered secrets in every string written or ended, raw, in JSON, in quoted CSV and shortened", async () => {
    rememberSecrets(`${SECRET}\n`);
    try {
      const out = sink();
      const wrapped = scrubbedStream(out.stream);
      expect(wrapped.isTTY).toBe(true);
      wrapped.write(`line with ${SECRET} in it\n`);
      wrapped.write(`${JSON.stringify({ error: SECRET })}\n`);
      wrapped.write(`"${SECRET.replaceAll('"', '""')}",x\n`);
      wrapped.write(`shortened '${SECRET.slice(0, 12)}…'\n`);
      await new Promise<void>((resolve) => wrapped.end("the end\n", resolve));
      expect(out.text()).not.toContain("abcDEF");
      expect(out.text()).toContain("line with [redacted] in it\n");
      expect(out.text()).toContain('{"error":"[redacted]"}');
      expect(out.text()).toContain("shortened '[redacted]…'");
      expect(out.text().endsWith("the end\n")).toBe(true);
    } finally {
      forgetSecrets();
    }
  });

  it("censors a short secret (under 16 characters) only where it stands alone: numbers and longer words stay intact", () => {
    rememberSecrets("123456", "hunter22");
    try {
      const json = JSON.stringify({ durationMs: 1234567, requests: 123456, serial: "SN-hunter22x", note: "pw hunter22." });
      const scrubbed = scrubSecrets(json);
      expect(scrubbed).toContain('"durationMs":1234567');
      expect(scrubbed).toContain('"serial":"SN-hunter22x"');
      expect(scrubbed).toContain('"note":"pw [redacted]."');
      expect(scrubbed).toContain('"requests":[redacted]'); // the value itself, standing alone, is censored
      expect(scrubSecrets("a 123456 b")).toBe("a [redacted] b");
    } finally {
      forgetSecrets();
    }
  });

  it("knows a remembered secret as a value (trimmed), and never a value shorter than a secret", () => {
    rememberSecrets(SECRET);
    try {
      expect(isRememberedSecret(` ${SECRET} `)).toBe(true);
      expect(isRememberedSecret(SECRET.slice(1))).toBe(false);
    } finally {
      forgetSecrets();
    }
  });

  it("leaves text alone when no secret is remembered, and ignores values too short to be secrets", () => {
    expect(scrubSecrets("nothing to hide")).toBe("nothing to hide");
    rememberSecrets("abc", undefined);
    try {
      expect(scrubSecrets("abc abc")).toBe("abc abc");
    } finally {
      forgetSecrets();
    }
  });
});
