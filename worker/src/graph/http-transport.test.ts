import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyBytes, bodyText, bufferedBody, createHttpTransport } from "./http-transport";

const SMALL = Buffer.from('{"value":[1,2,3],"note":"é ✓"}', "utf8");
const LARGE = Buffer.alloc(300_000, 7);

let server: Server;
let base: string;
const transport = createHttpTransport();

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = req.url === "/large" ? LARGE : SMALL;
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length, "x-seen": "1" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await transport.close();
  await new Promise((resolve) => server.close(resolve));
});

describe("http transport", () => {
  it("hands bodies up to the limit over whole, and still answers as a Response", async () => {
    const res = await transport.send(`${base}/small`, {}, 1024);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-seen")).toBe("1");
    expect(bufferedBody(res)?.equals(SMALL)).toBe(true);
    expect(await res.json()).toEqual({ value: [1, 2, 3], note: "é ✓" });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(/already been read/);
    // Our own readers take the buffered copy, however often.
    expect(await bodyText(res)).toBe(SMALL.toString("utf8"));
  });

  it("gives a buffered body as a stream to a reader that asks for one, once", async () => {
    const res = await transport.send(`${base}/small`, {}, 1024);
    const viaStream = Buffer.from(await new Response(res.body).arrayBuffer());
    expect(viaStream.equals(SMALL)).toBe(true);
    expect(res.bodyUsed).toBe(true);
    await expect(res.arrayBuffer()).rejects.toThrow(/already been read/);
  });

  it("clones a buffered response with its own readable body", async () => {
    const res = await transport.send(`${base}/small`, {}, 1024);
    const copy = res.clone();
    expect(Buffer.from(await res.arrayBuffer()).equals(SMALL)).toBe(true);
    expect(await copy.text()).toBe(SMALL.toString("utf8"));
  });

  it("streams bodies above the limit", async () => {
    const res = await transport.send(`${base}/large`, {}, 1024);
    expect(bufferedBody(res)).toBeUndefined();
    expect((await bodyBytes(res)).equals(LARGE)).toBe(true);
  });
});
