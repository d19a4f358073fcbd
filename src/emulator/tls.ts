import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface CertificatePair {
  /** PEM; also the trust anchor clients load (self-signed). */
  readonly cert: string;
  readonly key: string;
}

/**
 * A fresh self-signed certificate for loopback: a CA (so OpenSSL accepts it as a trust anchor) that is also the
 * server certificate, valid for 127.0.0.1, ::1 and localhost. EC keys keep generation to a few milliseconds.
 */
export async function createLoopbackCertificate(now = Date.now()): Promise<CertificatePair> {
  const pems = await generate([{ name: "commonName", value: "autopilot-import Graph emulator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes the CA to its own temporary directory (for NODE_EXTRA_CA_CERTS); `remove` deletes it. */
export async function writeCaFile(pem: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "autopilot-emulator-"));
  const path = join(dir, "ca.pem");
  await writeFile(path, pem, { mode: 0o644 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
