import type { EmulatorClock } from "./clock.js";
import type { AutopilotSettingsState } from "./settings.js";
import type { ErrorContext } from "./graph-error.js";
import type { ProcessingWorker } from "./processing.js";
import type { Random } from "../util/random.js";
import type { Scenario } from "./scenario.js";
import type { StatsCollector } from "./stats.js";
import type { DeviceStore, StagedRecord } from "./store.js";
import type { Throttler } from "./throttle.js";
import type { Principal } from "./auth/token-store.js";
import type { DirectoryState } from "./directory.js";

export type GraphVersion = "v1.0" | "beta";

/** A Graph request as the emulator read it; `path` follows the version ("/deviceManagement/…?$top=5"). */
export interface ObservedGraphRequest {
  readonly method: string;
  readonly version: GraphVersion;
  readonly path: string;
  readonly body: unknown;
}

/** One Graph request, from the wire or from a JSON batch, after authentication. */
export interface GraphCall {
  readonly method: string;
  readonly version: GraphVersion;
  /** Absolute URL as the client addressed it: the base of `@odata.nextLink`. */
  readonly url: URL;
  /** Path segments after the version, decoded, with OData key syntax split out. */
  readonly segments: readonly string[];
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  readonly requestId: string;
  readonly clientRequestId: string;
  readonly principal: Principal;
}

export interface GraphResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Everything route handlers may touch. */
export interface EmulatorState {
  readonly store: DeviceStore;
  readonly worker: ProcessingWorker;
  readonly settings: AutopilotSettingsState;
  readonly clock: EmulatorClock;
  readonly throttler: Throttler;
  /** Scheme + host + port. */
  readonly origin: string;
  scenario(): Scenario;
  stats(): StatsCollector;
  /** Seeded choices of the `service` quirks (batch order, Retry-After form). */
  serviceRandom(): Random;
  /** A staged record that belonged to an upload reached a final state or went away. */
  uploadMemberSettled(record: StagedRecord): void;
  /** Entra ID: device objects and groups. */
  readonly directory: DirectoryState;
  /** Tests' observer of every request body, $batch items included. */
  readonly onGraphRequest?: ((request: ObservedGraphRequest) => void) | undefined;
}

export type Params = Readonly<Record<string, string>>;
export type Handler = (call: GraphCall, params: Params, state: EmulatorState) => GraphResult;

export interface Route {
  /** Literal segments, or "{name}" for a key. */
  readonly pattern: readonly string[];
  readonly betaOnly?: boolean;
  /** Served only while `tenant.uploadsEnabled` is on. */
  readonly uploads?: boolean;
  readonly methods: Readonly<Partial<Record<"GET" | "POST" | "PATCH" | "DELETE", Handler>>>;
}

/** What an error body quotes of the call it answers. */
export function errorContextOf(call: GraphCall, state: EmulatorState): ErrorContext {
  return { requestId: call.requestId, clientRequestId: call.clientRequestId, now: state.clock.now() };
}

/** `{ "@odata.context": …, value, "@odata.nextLink"? }` */
export function collection(state: EmulatorState, call: GraphCall, context: string, value: unknown[], next?: string): GraphResult {
  const body: Record<string, unknown> = { "@odata.context": `${state.origin}/${call.version}/$metadata#${context}`, value };
  if (next !== undefined) body["@odata.nextLink"] = next;
  return { status: 200, body };
}

export function entity(state: EmulatorState, call: GraphCall, context: string, value: object, status = 200): GraphResult {
  return { status, body: { "@odata.context": `${state.origin}/${call.version}/$metadata#${context}/$entity`, ...value } };
}
