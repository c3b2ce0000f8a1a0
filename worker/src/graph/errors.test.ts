import { describe, expect, it } from "vitest";
import { failureFromNetworkError, failureFromResponse, parseRetryAfter } from "./errors";

const body = (code: string) => JSON.stringify({ error: { code, message: "m", innerError: { date: "x" } } });

describe("classifying Graph failures", () => {
  it("treats throttling and server errors as transient, with Retry-After", () => {
    const t = failureFromResponse("x", 429, body("ApplicationThrottled"), "7");
    expect(t).toMatchObject({
      kind: "transient",
      status: 429,
      code: "ApplicationThrottled",
      retryAfterMs: 7000,
    });
    for (const status of [500, 502, 503, 504])
      expect(failureFromResponse("x", status, "").kind).toBe("transient");
  });

  it("recognises every form of lost delta state", () => {
    expect(failureFromResponse("x", 410, body("SyncStateNotFound")).isStaleDelta).toBe(true);
    expect(failureFromResponse("x", 400, body("syncStateInvalid")).isStaleDelta).toBe(true);
    expect(failureFromResponse("x", 400, body("resyncRequired")).isStaleDelta).toBe(true);
    expect(failureFromResponse("x", 410, "").isStaleDelta).toBe(true);
  });

  it("skips items Exchange cannot render, and marks vanished ones", () => {
    expect(failureFromResponse("x", 500, body("ErrorCorruptData")).kind).toBe("transient");
    expect(failureFromResponse("x", 400, body("ErrorCorruptData")).kind).toBe("skip");
    expect(failureFromResponse("x", 404, body("ErrorItemNotFound"))).toMatchObject({
      kind: "skip",
      isNotFound: true,
    });
  });

  it("fails permanently for a missing mailbox or a denied permission", () => {
    expect(failureFromResponse("x", 404, body("MailboxNotEnabledForRESTAPI"))).toMatchObject({
      kind: "permanent",
      isNoMailbox: true,
    });
    expect(failureFromResponse("x", 403, body("ErrorAccessDenied")).kind).toBe("permanent");
    expect(failureFromResponse("x", 403, body("ErrorQuotaExceeded")).kind).toBe("permanent");
  });

  it("retries connection resets and timeouts but not TLS trust failures", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(failureFromNetworkError("x", new TypeError("fetch failed", { cause: reset })).kind).toBe(
      "transient",
    );
    const tls = Object.assign(new Error("self-signed certificate in certificate chain"), {
      code: "SELF_SIGNED_CERT_IN_CHAIN",
    });
    expect(failureFromNetworkError("x", new TypeError("fetch failed", { cause: tls })).kind).toBe(
      "permanent",
    );
  });

  it("reads Retry-After in seconds or as an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
