/** The outcome of checking one field: the normalized value, or a machine code and the predicate of a sentence. */
export type FieldCheck<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** Machine-readable reason, e.g. "hash_not_base64". */
      readonly code: string;
      /** Completes "<column> …", e.g. "is not valid base64 (character '#' at position 17)". */
      readonly reason: string;
    };

export function accept<T>(value: T): FieldCheck<T> {
  return { ok: true, value };
}

export function reject<T>(code: string, reason: string): FieldCheck<T> {
  return { ok: false, code, reason };
}
