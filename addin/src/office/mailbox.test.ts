import { describe, expect, it } from "vitest";
import {
  connectToOffice,
  MailboxReader,
  OfficeCallError,
  type TAsyncResult,
  type TOfficeApi,
  type TReadItem,
} from "./mailbox";

// A hand-written stand-in for the `Office` namespace. The enum values are Office.js's runtime strings.
const STATUS = { Succeeded: "succeeded", Failed: "failed" } as const;

function ok<T>(value: T): TAsyncResult<T> {
  return { status: STATUS.Succeeded, value, error: null };
}
function failed<T>(message: string, code: number): TAsyncResult<T> {
  return {
    status: STATUS.Failed,
    value: undefined as T,
    error: { name: "GenericResponseError", message, code },
  };
}

type TStubOptions = {
  host?: string | null;
  item?: Partial<TReadItem> | null;
  sets?: Record<string, string>;
};

function stubOffice({ host = "Outlook", item, sets = { Mailbox: "1.8" } }: TStubOptions = {}): TOfficeApi & {
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    HostType: { Outlook: "Outlook" },
    AsyncResultStatus: STATUS,
    onReady: async () => ({ host, platform: host ? "OfficeOnline" : null }),
    context: {
      requirements: {
        isSetSupported: (name, minVersion) => Number(sets[name] ?? 0) >= Number(minVersion ?? "1.1"),
      },
      mailbox:
        item === null
          ? { item: null }
          : {
              item: {
                itemId: "AAMkAGI2TG93AAA=",
                internetMessageId: "<invoice-42@example.com>",
                subject: "Invoice 42",
                loadCustomPropertiesAsync: (cb) => {
                  calls.push("loadCustomPropertiesAsync");
                  const values: Record<string, unknown> = { archiveRef: "sha256:ab12", flag: 0 };
                  cb(ok({ get: (name: string) => values[name] }));
                },
                getAllInternetHeadersAsync: (cb) => {
                  calls.push("getAllInternetHeadersAsync");
                  cb(ok("Received: from mx\r\nSubject: Invoice 42\r\n"));
                },
                ...item,
              },
            },
    },
  };
}

describe("connectToOffice", () => {
  it("reports a page without Office.js as outside Outlook", async () => {
    await expect(connectToOffice(undefined)).resolves.toEqual({
      kind: "outside",
      reason: "office-js-unavailable",
      host: null,
    });
  });

  it("reports host null (Office.js in a plain browser) as outside Outlook", async () => {
    await expect(connectToOffice(stubOffice({ host: null }))).resolves.toEqual({
      kind: "outside",
      reason: "not-outlook",
      host: null,
    });
  });

  it("names another Office host", async () => {
    const connection = await connectToOffice(stubOffice({ host: "Word" }));
    expect(connection).toEqual({ kind: "outside", reason: "not-outlook", host: "Word" });
  });

  it("gives up on an onReady that never answers instead of waiting forever", async () => {
    const office = stubOffice();
    office.onReady = () => new Promise(() => {});
    await expect(connectToOffice(office, 5)).resolves.toMatchObject({ kind: "outside", reason: "no-answer" });
  });

  it("connects inside Outlook and reads the current item", async () => {
    const connection = await connectToOffice(stubOffice());
    expect(connection.kind).toBe("outlook");
    if (connection.kind !== "outlook") return;
    expect(connection.mailbox.currentItem()).toEqual({
      itemId: "AAMkAGI2TG93AAA=",
      internetMessageId: "<invoice-42@example.com>",
      subject: "Invoice 42",
    });
  });
});

describe("MailboxReader", () => {
  it("returns null when no item is open", () => {
    expect(new MailboxReader(stubOffice({ item: null })).currentItem()).toBeNull();
  });

  it("resolves the requested custom properties and leaves out missing ones", async () => {
    const reader = new MailboxReader(stubOffice());
    await expect(reader.customProperties(["archiveRef", "flag", "absent"])).resolves.toEqual({
      archiveRef: "sha256:ab12",
      flag: 0,
    });
  });

  it("rejects with Office's message and code when custom properties fail to load", async () => {
    const reader = new MailboxReader(
      stubOffice({
        item: { loadCustomPropertiesAsync: (cb) => cb(failed("The item could not be found.", 9015)) },
      }),
    );
    const error = await reader.customProperties(["archiveRef"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfficeCallError);
    expect(error).toMatchObject({ message: "The item could not be found.", code: 9015 });
  });

  it("rejects when Office throws instead of calling back", async () => {
    const reader = new MailboxReader(
      stubOffice({
        item: {
          loadCustomPropertiesAsync: () => {
            throw new Error("loadCustomPropertiesAsync is not a function");
          },
        },
      }),
    );
    await expect(reader.customProperties(["x"])).rejects.toThrow(
      "loadCustomPropertiesAsync is not a function",
    );
  });

  it("rejects custom property reads when no item is open", async () => {
    await expect(new MailboxReader(stubOffice({ item: null })).customProperties(["x"])).rejects.toThrow(
      "No message is selected",
    );
  });

  it("resolves the raw internet headers", async () => {
    const reader = new MailboxReader(stubOffice());
    await expect(reader.internetHeaders()).resolves.toBe("Received: from mx\r\nSubject: Invoice 42\r\n");
  });

  it("rejects with Office's message when the headers cannot be read", async () => {
    const reader = new MailboxReader(
      stubOffice({
        item: {
          getAllInternetHeadersAsync: (cb) => cb(failed("Internal protocol error: -2147467259", 5001)),
        },
      }),
    );
    await expect(reader.internetHeaders()).rejects.toMatchObject({
      name: "OfficeCallError",
      message: "Internal protocol error: -2147467259",
      code: 5001,
    });
  });

  it("refuses to read headers on clients below Mailbox 1.8 without calling Office", async () => {
    const office = stubOffice({ sets: { Mailbox: "1.5" } });
    await expect(new MailboxReader(office).internetHeaders()).rejects.toThrow(/Mailbox requirement set 1\.8/);
    expect(office.calls).not.toContain("getAllInternetHeadersAsync");
  });
});
