/**
 * Sign in before anything else: a command acquires its first token before it locks the state directory or opens a
 * journal, so a refused sign-in leaves no run behind. A user's sign-in (device code, browser) is kept for the run's
 * own client, so the user is asked once.
 */
import { createCredential } from "../graph/credential.js";
import { scopeFor, type GraphConfig } from "../graph/create.js";
import { isDelegated } from "../graph/delegated.js";
import { TokenProvider } from "../graph/token-provider.js";
import { createTransport } from "../graph/transport.js";

export interface SignedIn {
  /** The config the run's client is built from: carries the signed-in credential for a user's sign-in. */
  readonly graph: GraphConfig;
  /** Closes the sign-in's connections (after the run's client is done with its credential). */
  close(): void;
}

/** Acquires a token for the config's scope; throws the one-line AuthenticationError when the sign-in is refused. */
export async function signIn(config: GraphConfig, signal: AbortSignal): Promise<SignedIn> {
  const transport = createTransport({ caCertificate: config.caCertificate, proxy: config.proxy, maxSockets: 2 });
  const credential = createCredential(config, { transport });
  const tokens = new TokenProvider({ credential, scope: scopeFor(config), secrets: [config.clientSecret, config.certificatePassword] });
  try {
    await tokens.getToken(signal);
  } catch (error) {
    transport.destroy();
    throw error;
  }
  if (!isDelegated(config.method)) {
    // An app signs in again silently in the run's own client: nothing to keep.
    transport.destroy();
    return { graph: config, close: () => undefined };
  }
  return { graph: { ...config, credential }, close: () => transport.destroy() };
}
