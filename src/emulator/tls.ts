import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface CertificatePair {
  /** PEM; also the trust anchor clients load (self-signed). */
  readonly cert: string;
  readonly key: string;
}

/** The names a certificate is issued for (its subjectAltName). */
export interface CertificateNames {
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  /** The subject: two CAs with one subject confuse OpenSSL's issuer lookup, so a second CA needs its own. */
  readonly commonName?: string;
}

const LOOPBACK: CertificateNames = { dns: ["localhost"], ips: ["127.0.0.1", "::1"] };

/**
 * A fresh self-signed certificate: a CA (so OpenSSL accepts it as a trust anchor) that is also the server certificate,
 * valid for `names` (default loopback: 127.0.0.1, ::1 and localhost; other names let tests meet a host-name mismatch).
 * EC keys keep generation to a few milliseconds.
 */
export async function createLoopbackCertificate(now = Date.now(), names: CertificateNames = LOOPBACK): Promise<CertificatePair> {
  const pems = await generate([{ name: "commonName", value: names.commonName ?? "autopilot-import Graph emulator" }], {
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
        altNames: [...(names.dns ?? []).map((value) => ({ type: 2 as const, value })), ...(names.ips ?? []).map((ip) => ({ type: 7 as const, ip }))],
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
