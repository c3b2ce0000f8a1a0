import { describe, expect, it } from "vitest";
import { isLoopbackUrl } from "./loopback";

describe("isLoopbackUrl (integration tests refuse anything else)", () => {
  it.each([
    "postgres://postgres@127.0.0.1:55432/coffer",
    "postgres://postgres@localhost/coffer",
    "redis://[::1]:56379",
    "redis://127.0.0.2:6379",
    "postgres:///coffer?host=/var/run/postgresql",
  ])("accepts %s", (url) => expect(isLoopbackUrl(url)).toBe(true));

  it.each([
    "postgres://postgres@db.internal:5432/coffer",
    "redis://10.0.0.5:6379",
    "postgres://postgres@127.0.0.1.evil.example/coffer",
    "not a url",
  ])("refuses %s", (url) => expect(isLoopbackUrl(url)).toBe(false));
});
