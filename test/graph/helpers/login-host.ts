import type { Handler, SeenRequest, TestServer } from "../../support/test-server.js";
import { json } from "../../support/test-server.js";

export const TENANT = "00000000-0000-0000-0000-00000000aaaa";
export const CLIENT_ID = "00000000-0000-0000-0000-00000000bbbb";
export const SECRET = "right-Secret-Value-123";

/**
 * Scripts a test server as an Entra-like login host (OpenID metadata + client-credentials token endpoint) that also
 * serves Graph paths through `graph`. Issued tokens are "issued-1", "issued-2", ...
 */
export function loginHost(server: TestServer, graph: Handler): { tokenRequests: () => SeenRequest[] } {
  let issued = 0;
  server.handle((request, response, raw) => {
    const url = new URL(request.url, server.url);
    if (url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      const base = `${server.url}/${TENANT}`;
      return json(response, 200, {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      });
    }
    if (url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(request.body);
      if (form.get("client_id") !== CLIENT_ID || form.get("client_secret") !== SECRET) {
        return json(response, 401, {
          error: "invalid_client",
          error_description: `AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-01-15 12:00:00Z`,
          error_codes: [7000215],
        });
      }
      issued += 1;
      return json(response, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: `issued-${issued}` });
    }
    return graph(request, response, raw);
  });
  return { tokenRequests: () => server.seen.filter((r) => new URL(r.url, server.url).pathname === `/${TENANT}/oauth2/v2.0/token`) };
}
