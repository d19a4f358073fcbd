/** The sign-in options every Graph command shares: --device-code, --interactive and what they exclude. */
import { describe, expect, it } from "vitest";
import { loadImportConfig } from "../../../src/cli/config/import.js";
import { graphConfigFor } from "../../../src/run/graph.js";

const load = (args: string[], env: Record<string, string> = {}) => loadImportConfig(["a.csv", ...args], env, "/work", new Date(Date.UTC(2026, 0, 1)));

describe("the admin's own sign-in options", () => {
  it("maps --device-code and --interactive (or their variables) to a delegated method, with the organisation's client id when given", () => {
    expect(graphConfigFor(load(["--device-code"]).auth, 4)).toMatchObject({ method: "deviceCode" });
    expect(graphConfigFor(load(["--interactive", "--client-id", "my-public-app"]).auth, 4)).toMatchObject({ method: "interactive", clientId: "my-public-app" });
    expect(graphConfigFor(load([], { AUTOPILOT_IMPORT_DEVICE_CODE: "true" }).auth, 4)).toMatchObject({ method: "deviceCode" });
    expect(graphConfigFor(load([]).auth, 4)).toMatchObject({ method: "auto" });
  });

  it("passes the prompt through, so the code reaches this command's stderr", () => {
    const prompt = (): void => undefined;
    expect(graphConfigFor(load(["--device-code"]).auth, 4, prompt).deviceCodePrompt).toBe(prompt);
  });

  it.each([
    [["--device-code", "--interactive"], /--device-code and --interactive cannot be combined/],
    [["--device-code", "--certificate", "c.pem"], /--device-code signs you in as yourself: drop --certificate/],
    [["--interactive", "--managed-identity"], /--interactive signs you in as yourself: drop --managed-identity/],
  ])("refuses %j in one line", (args, message) => {
    expect(() => load(args)).toThrow(message);
  });
});
