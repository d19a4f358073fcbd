/**
 * Decides how to break up an upload that Graph rejected with 400, so one poison row never sinks the rest.
 * Pure: the submitter does the I/O.
 */
import type { PendingDevice } from "./types.js";

export type SplitPlan =
  /** These devices are the culprits: report them failed, resubmit the others. */
  | { readonly kind: "isolate"; readonly culprits: readonly PendingDevice[]; readonly rest: readonly PendingDevice[] }
  /** Culprit unknown: submit each half separately (bisection). */
  | { readonly kind: "bisect"; readonly halves: readonly [readonly PendingDevice[], readonly PendingDevice[]] }
  /** A single device was rejected: it is the culprit. */
  | { readonly kind: "fail"; readonly culprits: readonly PendingDevice[] };

const EDM_LITERAL = /Cannot convert the literal '([^']*)' to the expected type 'Edm\.Binary'/i;

/** The literal Graph names in its Edm.Binary conversion error, if the message has one. */
export function rejectedLiteral(message: string): string | undefined {
  return EDM_LITERAL.exec(message)?.[1];
}

/** Which of these devices carries the literal (exact, or as a prefix when Graph shortened it with an ellipsis). */
function devicesWithLiteral(devices: readonly PendingDevice[], literal: string): PendingDevice[] {
  const exact = devices.filter((d) => d.device.hardwareIdentifier === literal || d.device.serialNumber === literal);
  if (exact.length > 0 || literal.length < 16) return exact;
  const prefix = literal.replace(/(\.\.\.|…)$/u, "");
  if (prefix === literal) return [];
  return devices.filter((d) => d.device.hardwareIdentifier.startsWith(prefix));
}

/** How to proceed after a 400 for this set of devices. */
export function planSplit(devices: readonly PendingDevice[], message: string): SplitPlan {
  if (devices.length <= 1) return { kind: "fail", culprits: devices };
  const literal = rejectedLiteral(message);
  if (literal !== undefined) {
    const culprits = devicesWithLiteral(devices, literal);
    if (culprits.length > 0 && culprits.length < devices.length) {
      const bad = new Set(culprits);
      return { kind: "isolate", culprits, rest: devices.filter((d) => !bad.has(d)) };
    }
  }
  const middle = Math.ceil(devices.length / 2);
  return { kind: "bisect", halves: [devices.slice(0, middle), devices.slice(middle)] };
}
