/// <reference types="office-js" />
/**
 * The only module of the task pane that touches Office.js (docs/CONVENTIONS.md, "Boundaries").
 *
 * Office.js reports results through callbacks carrying an `AsyncResult`; this adapter turns each call
 * into a Promise that resolves with the value or rejects with an `OfficeCallError` holding Office's own
 * message and code. It works against `TOfficeApi`, the small part of the `Office` namespace we use, so
 * unit tests can hand in a plain stub object; `officeGlobal()` checks at compile time that the real
 * namespace fits that shape.
 */

/** What Office.js passes to a callback. Office's `AsyncResult<T>` is assignable to this. */
export type TAsyncResult<T> = {
  /** Compared with `AsyncResultStatus.Failed` of the same namespace, never with a literal. */
  status: unknown;
  value: T;
  error: { name: string; message: string; code: number } | null;
};

export type TCustomProperties = {
  get(name: string): unknown;
};

/** The read-mode item members we use (Mailbox 1.1, headers 1.8). */
export type TReadItem = {
  itemId: string;
  internetMessageId: string;
  subject: string;
  loadCustomPropertiesAsync(callback: (result: TAsyncResult<TCustomProperties>) => void): void;
  getAllInternetHeadersAsync(callback: (result: TAsyncResult<string>) => void): void;
};

/** The part of the `Office` namespace this adapter uses. */
export type TOfficeApi = {
  onReady(): Promise<{ host: unknown; platform: unknown }>;
  HostType: { Outlook: unknown };
  AsyncResultStatus: { Failed: unknown };
  context: {
    requirements: { isSetSupported(name: string, minVersion?: string): boolean };
    mailbox?: { item?: TReadItem | null } | null;
  };
};

/** Office.js reported a failed call; `message` is Office's own text, `code` its numeric error code. */
export class OfficeCallError extends Error {
  override readonly name = "OfficeCallError";
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

function settle<T>(
  office: TOfficeApi,
  run: (callback: (result: TAsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      run((result) => {
        if (result.status === office.AsyncResultStatus.Failed) {
          reject(
            new OfficeCallError(
              result.error?.message ?? "Office reported a failure",
              result.error?.code ?? null,
            ),
          );
        } else {
          resolve(result.value);
        }
      });
    } catch (error) {
      // Some hosts throw synchronously (e.g. an API missing on an old client) instead of calling back.
      reject(error instanceof Error ? error : new OfficeCallError(String(error), null));
    }
  });
}

/** A summary of the message open in the reading pane. */
export type TItemSummary = {
  /** EWS-format id on desktop and web, REST-format on mobile (see graph-entra-officejs.md G.4). */
  itemId: string;
  internetMessageId: string;
  subject: string;
};

/** Read-only access to the current message, as Promises. */
export class MailboxReader {
  constructor(private readonly office: TOfficeApi) {}

  private item(): TReadItem {
    const item = this.office.context.mailbox?.item;
    if (!item) throw new OfficeCallError("No message is selected", null);
    return item;
  }

  /** The current message, or null when Outlook shows no item (e.g. an empty folder). */
  currentItem(): TItemSummary | null {
    const item = this.office.context.mailbox?.item;
    if (!item) return null;
    return { itemId: item.itemId, internetMessageId: item.internetMessageId, subject: item.subject };
  }

  /**
   * All of this add-in's custom properties on the current message (stored by Outlook in
   * `cecp-<add-in Id>`); `names` picks which ones to return, missing ones are left out.
   */
  async customProperties(names: readonly string[]): Promise<Record<string, unknown>> {
    const item = this.item();
    const props = await settle<TCustomProperties>(this.office, (cb) => item.loadCustomPropertiesAsync(cb));
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const value = props.get(name);
      if (value !== undefined && value !== null) out[name] = value;
    }
    return out;
  }

  /** The message's raw internet headers (Mailbox 1.8; older clients get a clear rejection). */
  async internetHeaders(): Promise<string> {
    const item = this.item();
    if (!this.office.context.requirements.isSetSupported("Mailbox", "1.8")) {
      throw new OfficeCallError(
        "Reading internet headers needs Outlook with Mailbox requirement set 1.8",
        null,
      );
    }
    return settle<string>(this.office, (cb) => item.getAllInternetHeadersAsync(cb));
  }
}

/** Where the task pane is running. */
export type THostConnection =
  | { kind: "outlook"; mailbox: MailboxReader }
  | { kind: "outside"; reason: "office-js-unavailable" | "not-outlook" | "no-answer"; host: string | null };

/**
 * Waits for Office.js and says whether we are inside Outlook. Outside an Office host, `Office.onReady`
 * resolves with `host: null` (initialize-add-in.md); when the Office.js script could not load at all
 * (no network, blocked CDN) `office` is undefined. `timeoutMs` guards against an onReady that never
 * answers, so the pane never spins forever.
 */
export async function connectToOffice(
  office: TOfficeApi | undefined = officeGlobal(),
  timeoutMs = 10_000,
): Promise<THostConnection> {
  if (!office) return { kind: "outside", reason: "office-js-unavailable", host: null };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const info = await Promise.race([office.onReady(), timeout]);
    if (!info) return { kind: "outside", reason: "no-answer", host: null };
    if (info.host !== office.HostType.Outlook) {
      return { kind: "outside", reason: "not-outlook", host: info.host == null ? null : String(info.host) };
    }
    return { kind: "outlook", mailbox: new MailboxReader(office) };
  } finally {
    clearTimeout(timer);
  }
}

/** The page's `Office` namespace when the Office.js script loaded, else undefined. */
export function officeGlobal(): TOfficeApi | undefined {
  if (typeof Office === "undefined") return undefined;
  const office: TOfficeApi = Office;
  return office;
}
