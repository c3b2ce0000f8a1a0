import type { TContactCard } from "@coffer/db/archive-pim/index";
import { formatAtInput } from "@/modules/archive/lib/snapshot-query";

/** Contact cards at T, each with its vCard download. Every phone Graph beta returned is listed with its type. */
export function ContactsView({
  mailboxId,
  at,
  cards,
}: {
  mailboxId: string;
  at: Date | undefined;
  cards: TContactCard[];
}) {
  if (!cards.length) return <p className="text-slate-700">No contacts in this folder at the chosen time.</p>;
  const qs = at ? `?at=${encodeURIComponent(formatAtInput(at))}` : "";
  const sorted = [...cards].sort((a, b) => a.displayName.localeCompare(b.displayName));
  return (
    <ul aria-label="Contacts" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {sorted.map((c) => {
        const name = c.displayName || [c.givenName, c.surname].filter(Boolean).join(" ") || "(no name)";
        return (
          <li key={c.graphId} className="rounded-md border border-slate-200 p-4">
            <article aria-label={name}>
              <h2 className="text-base font-semibold text-slate-900">{name}</h2>
              {c.jobTitle || c.companyName ? (
                <p className="text-sm text-slate-700">
                  {[c.jobTitle, c.department, c.companyName].filter(Boolean).join(", ")}
                </p>
              ) : null}
              <dl className="mt-2 space-y-1 text-sm">
                {c.emails.map((e) => (
                  <div key={`e-${e.address}`} className="flex gap-2">
                    <dt className="w-24 shrink-0 text-slate-600">E-mail{e.type ? ` (${e.type})` : ""}</dt>
                    <dd className="break-all">{e.address}</dd>
                  </div>
                ))}
                {c.phones.map((p) => (
                  <div key={`p-${p.type}-${p.number}`} className="flex gap-2">
                    <dt className="w-24 shrink-0 text-slate-600">{p.type || "phone"}</dt>
                    <dd>{p.number}</dd>
                  </div>
                ))}
                {c.addresses.map((a) => (
                  <div key={`a-${a.type}-${a.street}`} className="flex gap-2">
                    <dt className="w-24 shrink-0 text-slate-600">{a.type || "address"}</dt>
                    <dd>
                      {[a.street, a.postalCode, a.city, a.state, a.countryOrRegion]
                        .filter(Boolean)
                        .join(", ")}
                    </dd>
                  </div>
                ))}
                {c.websites.map((w) => (
                  <div key={`w-${w}`} className="flex gap-2">
                    <dt className="w-24 shrink-0 text-slate-600">Website</dt>
                    <dd className="break-all">{w}</dd>
                  </div>
                ))}
                {c.birthday ? (
                  <div className="flex gap-2">
                    <dt className="w-24 shrink-0 text-slate-600">Birthday</dt>
                    <dd>{c.birthday}</dd>
                  </div>
                ) : null}
              </dl>
              {c.notes ? <p className="mt-2 whitespace-pre-wrap text-sm text-slate-800">{c.notes}</p> : null}
              <p className="mt-3">
                <a
                  href={`/archive/${encodeURIComponent(mailboxId)}/contacts/${encodeURIComponent(c.graphId)}/vcf${qs}`}
                  download
                  className="text-sm font-semibold text-brand-800 underline"
                  aria-label={`Download .vcf of ${name}`}
                >
                  Download .vcf
                </a>
              </p>
            </article>
          </li>
        );
      })}
    </ul>
  );
}
