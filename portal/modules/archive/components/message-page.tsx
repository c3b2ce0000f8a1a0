import Link from "next/link";
import type { ReactNode } from "react";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { formatDateTime, formatDateTimeSeconds, formatSize } from "../lib/format";
import { messageHref, snapshotHref } from "../lib/snapshot-query";
import type { TMessagePageData } from "../lib/view-message";
import { ItemStatusBadge } from "./status-badge";

type TAddress = { name: string; address: string };

function addressList(value: unknown): TAddress[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((a) => (a ?? {}) as Record<string, unknown>)
    .map((a) => ({
      name: typeof a.name === "string" ? a.name : "",
      address: typeof a.address === "string" ? a.address : "",
    }))
    .filter((a) => a.name || a.address);
}

function Addresses({ list }: { list: TAddress[] }) {
  if (!list.length) return <>—</>;
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1">
      {list.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the same address may legitimately appear twice
        <li key={i}>
          {a.name ? (
            <>
              <span className="text-slate-900">{a.name}</span>{" "}
              {a.address ? <span className="text-slate-600">&lt;{a.address}&gt;</span> : null}
            </>
          ) : (
            <span className="text-slate-900">{a.address}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[9rem_1fr]">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </div>
  );
}

const BUTTON =
  "inline-flex items-center rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";

/** A message's details page: who, when, where; the body in a sandboxed frame; attachments; history. */
export function MessagePage({
  access,
  data,
  at,
  fullView,
  folder,
  allowRemote,
}: {
  access: TMailboxAccess;
  data: TMessagePageData;
  at: Date | undefined;
  fullView: boolean;
  folder: string | undefined;
  allowRemote: boolean;
}) {
  const { item, folderPaths, attachments, remoteReferences } = data;
  const { mailbox } = access;
  const state = { at, fullView, folder };
  const meta = item.contentMeta;
  const from = meta.from && typeof meta.from === "object" ? addressList([meta.from]) : [];
  const listFolder = folder ?? item.folderGraphId;
  const backHref = snapshotHref(mailbox.id, { at, fullView, folder: listFolder });
  const bodySrc = messageHref(mailbox.id, item.graphId, state, "/body", allowRemote ? { remote: "1" } : {});
  const lastVersion = item.versions[item.versions.length - 1];

  return (
    <div className="mx-auto max-w-5xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/archive" className="underline hover:text-slate-900">
          Archive
        </Link>{" "}
        <span aria-hidden="true">›</span>{" "}
        <Link href={snapshotHref(mailbox.id, { at, fullView })} className="underline hover:text-slate-900">
          {mailbox.display_name || mailbox.upn}
        </Link>{" "}
        <span aria-hidden="true">›</span>{" "}
        <Link href={backHref} className="underline hover:text-slate-900">
          {folderPaths.get(listFolder) ?? "Folder"}
        </Link>
      </nav>
      <h1 className="mt-2 break-words text-2xl font-bold tracking-tight text-slate-900">
        {item.subject || "(no subject)"}
      </h1>
      {item.status !== "current" ? (
        <p className="mt-3 flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <ItemStatusBadge status={item.status} />
          {item.status === "deleted"
            ? `This message was deleted from the mailbox at ${formatDateTime(lastVersion?.validTo ?? null)}. Full View shows it because the archive kept it.`
            : "This message was in another folder at the chosen time."}
        </p>
      ) : null}
      {at ? (
        <p className="mt-2 text-sm text-slate-700">As the mailbox was at {formatDateTimeSeconds(at)}.</p>
      ) : null}

      <dl className="mt-4 divide-y divide-slate-100 rounded-md border border-slate-200 px-4">
        <Row label="From">
          <Addresses
            list={
              from.length
                ? from
                : item.fromAddress
                  ? [{ name: item.fromName ?? "", address: item.fromAddress }]
                  : []
            }
          />
        </Row>
        <Row label="To">
          <Addresses list={addressList(meta.to)} />
        </Row>
        {addressList(meta.cc).length ? (
          <Row label="Cc">
            <Addresses list={addressList(meta.cc)} />
          </Row>
        ) : null}
        {addressList(meta.bcc).length ? (
          <Row label="Bcc">
            <Addresses list={addressList(meta.bcc)} />
          </Row>
        ) : null}
        <Row label="Sent">{formatDateTimeSeconds(item.sentAt)}</Row>
        <Row label="Received">{formatDateTimeSeconds(item.receivedAt)}</Row>
        <Row label="Folder">{folderPaths.get(item.folderGraphId) ?? "—"}</Row>
        <Row label="Size">{formatSize(item.size)}</Row>
        <Row label="Message ID">
          <code className="break-all font-mono text-xs">{item.internetMessageId ?? "—"}</code>
        </Row>
        {item.parseError ? (
          <Row label="Note">
            Parts of this message could not be read ({item.parseError}); the original is archived byte for
            byte.
          </Row>
        ) : null}
      </dl>

      {access.canReadContent ? (
        <>
          <div className="mt-4 flex flex-wrap gap-2">
            <Link href={messageHref(mailbox.id, item.graphId, state, "/headers")} className={BUTTON}>
              View original headers
            </Link>
            <a href={messageHref(mailbox.id, item.graphId, state, "/eml")} className={BUTTON} download>
              Download EML
            </a>
          </div>
          <section aria-labelledby="body-title" className="mt-6">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h2 id="body-title" className="text-lg font-semibold text-slate-900">
                Message
              </h2>
              {allowRemote ? (
                <Link href={messageHref(mailbox.id, item.graphId, state)} className={BUTTON}>
                  Block remote content
                </Link>
              ) : remoteReferences === undefined || remoteReferences > 0 ? (
                <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
                  <span>
                    {remoteReferences
                      ? `${remoteReferences} remote image${remoteReferences === 1 ? "" : "s"} blocked to protect your privacy.`
                      : "Remote content is blocked."}
                  </span>
                  <Link
                    href={messageHref(mailbox.id, item.graphId, state, "", { remote: "1" })}
                    className={BUTTON}
                  >
                    Load remote content
                  </Link>
                </p>
              ) : null}
            </div>
            <iframe
              title={`Message body: ${item.subject || "(no subject)"}`}
              src={bodySrc}
              sandbox="allow-popups allow-popups-to-escape-sandbox"
              referrerPolicy="no-referrer"
              className="mt-2 h-[70vh] min-h-80 w-full rounded-md border border-slate-300 bg-white"
            />
          </section>
        </>
      ) : (
        <p className="mt-6 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          The message body, original headers, attachments and the EML file need the content view permission.
        </p>
      )}

      {attachments.length ? (
        <section aria-labelledby="attachments-title" className="mt-6">
          <h2 id="attachments-title" className="text-lg font-semibold text-slate-900">
            Attachments
          </h2>
          <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200">
            {attachments.map((a) => (
              <li
                key={a.index}
                className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm"
              >
                <span className="min-w-0 break-all">
                  <span className="font-medium text-slate-900">{a.name}</span>{" "}
                  <span className="text-slate-600">
                    {a.contentType}, {formatSize(a.size)}
                    {a.isInline ? ", inline" : ""}
                  </span>
                </span>
                {access.canReadContent ? (
                  <a
                    href={messageHref(mailbox.id, item.graphId, state, `/attachments/${a.index}`)}
                    className={BUTTON}
                    download
                    aria-label={`Download ${a.name}`}
                  >
                    Download
                  </a>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="history-title" className="mt-6">
        <h2 id="history-title" className="text-lg font-semibold text-slate-900">
          History in the archive
        </h2>
        <ol className="mt-2 space-y-1 text-sm text-slate-700">
          {item.versions.map((v) => (
            <li key={v.versionId}>
              In{" "}
              <span className="font-medium text-slate-900">
                {folderPaths.get(v.folderGraphId) ?? "a folder"}
              </span>{" "}
              from {formatDateTimeSeconds(v.validFrom)}
              {v.validTo ? ` until ${formatDateTimeSeconds(v.validTo)}` : " until now"}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
