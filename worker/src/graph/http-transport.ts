import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { createSecureContext, rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch } from "undici";

/**
 * The one HTTPS transport for MSAL and Graph. Trust is explicit: the system roots plus the CA file from
 * configuration (the simulator's CA in development, a corporate TLS-inspection CA in production if any),
 * instead of the process-wide NODE_EXTRA_CA_CERTS, so nothing else in the process trusts it by accident.
 */
export type THttpTransportOptions = {
  /** PEM file of an extra CA to trust (M365_CA_FILE). */
  caFile?: string | undefined;
  /** Or the PEM itself (tests that start the simulator in-process). */
  caPem?: string | undefined;
  /** Time to receive response headers; Graph answers within seconds unless throttled. */
  headersTimeoutMs?: number;
  /** Longest silence inside a body (not the total): a 100 MB MIME download may take minutes. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Sockets kept per origin; above the 4-per-mailbox limit so many mailboxes can run at once. */
  connections?: number;
};

export type THttpTransport = {
  fetch: typeof globalThis.fetch;
  /**
   * The same request through undici's lean `request` API, answered as a WHATWG Response (what the Graph SDK's
   * middleware chain carries). Bodies up to `bufferLimit` arrive whole; larger ones stream. Several times
   * cheaper per call than `fetch`, which matters at hundreds of Graph requests per second.
   */
  send(
    url: string,
    init: { method?: string; headers?: HeadersInit; body?: string | Uint8Array | null; signal?: AbortSignal },
    bufferLimit: number,
  ): Promise<Response>;
  close(): Promise<void>;
};

/**
 * Bodies the transport read whole, by the Response that carries them. Readers in this package take the bytes
 * from here instead of through the Response's web stream: at hundreds of requests per second the stream
 * plumbing and the copies (`arrayBuffer()`, `new Response(bytes)` again in the middleware) cost more CPU than
 * the TLS that brought the bytes. The Response still carries the same body for any other reader.
 */
const bufferedBodies = new WeakMap<Response, Buffer>();

/** The whole body of a Response the transport buffered, or undefined (streamed, or not ours). */
export function bufferedBody(res: Response): Buffer | undefined {
  return bufferedBodies.get(res);
}

/** The body as bytes: the buffered copy when there is one, else read from the Response. */
export async function bodyBytes(res: Response): Promise<Buffer> {
  return bufferedBodies.get(res) ?? Buffer.from(await res.arrayBuffer());
}

/** The body as text (UTF-8), the buffered copy when there is one. */
export async function bodyText(res: Response): Promise<string> {
  const b = bufferedBodies.get(res);
  return b ? b.toString("utf8") : res.text();
}

export function createHttpTransport(opts: THttpTransportOptions = {}): THttpTransport {
  const extra = opts.caPem ?? (opts.caFile ? readFileSync(opts.caFile, "utf8") : undefined);
  // One secure context for every connection: building one from ~150 roots per connection costs ~1 ms.
  const secureContext = extra ? createSecureContext({ ca: [...rootCertificates, extra] }) : undefined;
  const agent = new Agent({
    connect: {
      ...(secureContext ? { secureContext } : {}),
      timeout: opts.connectTimeoutMs ?? 10_000,
    },
    headersTimeout: opts.headersTimeoutMs ?? 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
    connections: opts.connections ?? 128,
    keepAliveTimeout: 10_000,
  });
  // undici's fetch and the global fetch share the WHATWG shapes; the cast bridges their separate type
  // declarations (undici-types vs lib.dom) only.
  const fetchWithCa = ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as typeof globalThis.fetch;
  const send: THttpTransport["send"] = async (url, init, bufferLimit) => {
    const { origin } = new URL(url);
    const { statusCode, statusText, headers, body } = await agent.request({
      origin,
      path: url.slice(origin.length) || "/",
      method: (init.method ?? "GET") as "GET",
      headers: flattenHeaders(init.headers),
      body: init.body ?? null,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const h = new Headers();
    for (const [k, v] of Object.entries(headers)) {
      if (Array.isArray(v)) for (const x of v) h.append(k, x);
      else if (v !== undefined) h.set(k, v);
    }
    // 1xx/204/304 carry no body; a Response with one would throw.
    const isBodiless = statusCode === 204 || statusCode === 304 || statusCode < 200;
    if (isBodiless) {
      await body.dump();
      return new Response(null, { status: statusCode, statusText, headers: h });
    }
    const length = Number(headers["content-length"] ?? Number.NaN);
    if (length <= bufferLimit) {
      const bytes = Buffer.from(await body.arrayBuffer());
      const res = new BufferedResponse(bytes, { status: statusCode, statusText, headers: h });
      bufferedBodies.set(res, bytes);
      return res;
    }
    return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
      status: statusCode,
      statusText,
      headers: h,
    });
  };
  return {
    fetch: fetchWithCa,
    send,
    close: () => agent.close(),
  };
}

/**
 * A Response whose body is already in memory. Building a web ReadableStream around the bytes for every
 * response (what `new Response(bytes)` does) cost about a tenth of the worker's HTTP time, and our readers
 * take the bytes from {@link bufferedBody} anyway; the stream is made only if someone asks for it.
 */
class BufferedResponse extends Response {
  readonly #bytes: Buffer;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
  #isRead = false;

  constructor(bytes: Buffer, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new Response(
      new Uint8Array(this.#bytes.buffer as ArrayBuffer, this.#bytes.byteOffset, this.#bytes.byteLength),
    ).body!;
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#isRead || (this.#stream?.locked ?? false);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.#take()).buffer;
  }

  override async text(): Promise<string> {
    return this.#take().toString("utf8");
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  override async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.#take())]);
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    return new BufferedResponse(this.#bytes, this);
  }

  /** Like a stream body, it can be read once. */
  #take(): Buffer {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#isRead = true;
    return this.#bytes;
  }
}

function flattenHeaders(headers: HeadersInit | undefined): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers.map(([k, v]) => [k!, v!]));
  return headers as Record<string, string>;
}
