import type { TokenCredentialOptions } from "@azure/identity";
import type { Transport } from "./transport.js";

type AdditionalPolicy = NonNullable<TokenCredentialOptions["additionalPolicies"]>[number];

/**
 * A perCall pipeline policy for @azure/identity that puts our agent (custom CA, proxy, keep-alive) on every https
 * token request. NODE_EXTRA_CA_CERTS is read only at process start, so trust must be injected per request;
 * @typespec/ts-http-runtime's node client uses `request.agent` when set, and perCall policies run after the
 * pipeline's own proxyPolicy, so ours is the agent that connects.
 */
export function identityAgentPolicy(transport: Transport): AdditionalPolicy {
  return {
    position: "perCall",
    policy: {
      name: "autopilotImportAgentPolicy",
      sendRequest(request, next) {
        // Managed identity endpoints are plain http on the host: leave them to the SDK.
        if (request.url.startsWith("https:")) request.agent = transport.agentFor(request.url);
        return next(request);
      },
    },
  };
}
