import type { THoldView } from "@coffer/db/retention/index";
import Link from "next/link";
import { MailboxLifecycleForm, PlaceHoldForm, ReleaseHoldButton } from "./hold-forms";

function when(d: Date | null): string {
  return d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";
}

/** Admin › Legal holds: the holds (active first, then history), place, release, and mailbox de-provisioning. */
export function HoldsPage({ holds }: { holds: THoldView[] }) {
  const active = holds.filter((h) => h.isActive);
  const released = holds.filter((h) => !h.isActive);
  return (
    <div className="mx-auto max-w-5xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/admin" className="underline hover:text-slate-900">
          Admin
        </Link>{" "}
        <span aria-hidden="true">›</span> Legal holds
      </nav>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900">Legal holds</h1>
      <p className="mt-2 max-w-3xl text-sm text-slate-700">
        A mailbox on legal hold keeps every archived version: retention and policy changes delete nothing of
        it until the hold is released. See also the{" "}
        <Link href="/admin/retention" className="underline">
          retention policy
        </Link>
        .
      </p>

      <section aria-labelledby="active-holds" className="mt-6">
        <h2 id="active-holds" className="text-lg font-semibold text-slate-900">
          Mailboxes on hold
        </h2>
        {active.length ? (
          <table className="mt-2 w-full border-collapse text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300">
                <th scope="col" className="py-1 pr-4">
                  Mailbox
                </th>
                <th scope="col" className="py-1 pr-4">
                  Reason
                </th>
                <th scope="col" className="py-1 pr-4">
                  Placed
                </th>
                <th scope="col" className="py-1 pr-4">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((h) => (
                <tr key={h.id} className="border-b border-slate-100 align-top">
                  <th scope="row" className="py-2 pr-4 font-medium">
                    {h.displayName || h.upn}
                    <span className="block text-xs font-normal text-slate-600">{h.upn}</span>
                    {h.isMailboxDeprovisioned ? (
                      <span className="text-xs text-slate-700">de-provisioned</span>
                    ) : null}
                  </th>
                  <td className="py-2 pr-4">{h.reason}</td>
                  <td className="py-2 pr-4">
                    {when(h.placedAt)} by {h.placedBy}
                  </td>
                  <td className="py-2 pr-4">
                    <ReleaseHoldButton upn={h.upn} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mt-2 text-sm text-slate-700">No mailbox is on hold.</p>
        )}
      </section>

      <section aria-labelledby="place-hold" className="mt-8 max-w-lg rounded-md border border-slate-200 p-4">
        <h2 id="place-hold" className="text-lg font-semibold text-slate-900">
          Place a hold
        </h2>
        <div className="mt-3">
          <PlaceHoldForm />
        </div>
      </section>

      <section aria-labelledby="lifecycle" className="mt-8 max-w-lg rounded-md border border-slate-200 p-4">
        <h2 id="lifecycle" className="text-lg font-semibold text-slate-900">
          De-provision a mailbox
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          A de-provisioned mailbox is no longer synced; what is archived stays, under the retention policy and
          any hold. Re-provisioning starts syncing it again.
        </p>
        <div className="mt-3">
          <MailboxLifecycleForm />
        </div>
      </section>

      {released.length ? (
        <section aria-labelledby="released-holds" className="mt-8">
          <h2 id="released-holds" className="text-lg font-semibold text-slate-900">
            Released holds
          </h2>
          <ul className="mt-2 list-disc pl-5 text-sm">
            {released.map((h) => (
              <li key={h.id}>
                {h.upn}: {h.reason} (placed {when(h.placedAt)} by {h.placedBy}, released {when(h.releasedAt)}
                {h.releasedBy ? ` by ${h.releasedBy}` : ""})
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
