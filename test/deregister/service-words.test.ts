/** The service's own words for a failed item: Intune's JSON-in-a-string message read out, its support ids left out. */
import { describe, expect, it } from "vitest";
import { isEnrolledRefusal, serviceWords } from "../../src/deregister/service-words.js";
import { GraphRequestError } from "../../src/graph/errors/graph-request-error.js";

const request = { method: "DELETE", url: "https://graph.example/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/1", clientRequestId: "c-1", headers: {} };
const answer = (status: number, message: string, code = "BadRequest") => new GraphRequestError(request, { status, headers: {}, body: { error: { code, message } } });

describe("serviceWords", () => {
  it("reads Intune's message out of its JSON string, without the operation and activity ids", () => {
    const intune = JSON.stringify({ _version: 3, Message: "The Autopilot device 'X1' is enrolled in Intune: delete its managed device first. - Operation ID (for customer support): 0000 - Activity ID: 1111", CustomApiErrorPhrase: "" });
    const error = answer(400, intune);
    expect(serviceWords(error)).toBe("HTTP 400 BadRequest: The Autopilot device 'X1' is enrolled in Intune: delete its managed device first.");
    expect(isEnrolledRefusal(error)).toBe(true);
  });

  it("prefers Intune's specific phrase (CustomApiErrorPhrase) to its generic lead", () => {
    const intune = JSON.stringify({ _version: 3, Message: "An error has occurred - Operation ID (for customer support): 0000 - Activity ID: 1", CustomApiErrorPhrase: "The device is enrolled in Intune." });
    expect(serviceWords(answer(400, intune))).toBe("HTTP 400 BadRequest: The device is enrolled in Intune.");
    const generic = JSON.stringify({ _version: 3, Message: "An error has occurred - Operation ID (for customer support): 0000", CustomApiErrorPhrase: "" });
    expect(serviceWords(answer(500, generic, "InternalServerError"))).toBe("HTTP 500 InternalServerError: An error has occurred");
  });

  it("keeps a plain Graph message as it is, and tells other 400s from the enrolled refusal", () => {
    const error = answer(400, "Invalid   request\nbody");
    expect(serviceWords(error)).toBe("HTTP 400 BadRequest: Invalid request body");
    expect(isEnrolledRefusal(error)).toBe(false);
    expect(isEnrolledRefusal(answer(403, "managed device"))).toBe(false);
    expect(serviceWords(new Error("the answer was lost"))).toBe("the answer was lost");
  });
});
