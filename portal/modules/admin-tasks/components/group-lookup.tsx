"use client";

import { type FormEvent, useId, useState } from "react";
import { adminPaths } from "../lib/paths";
import { FieldErrors } from "./fields";
import { BUTTON_SECONDARY, INPUT, LABEL } from "./ui";

export type TGroupChoice = { id: string; label: string };
type TFoundGroup = { id: string; displayName: string; mail: string | null; kind: string };

const KIND_LABEL: Record<string, string> = {
  m365: "Microsoft 365 group",
  security: "Security group",
  mail_security: "Mail-enabled security group",
  distribution: "Distribution list",
};

/**
 * "Lookup from AD": searches the directory's groups by the start of their name (through the Exchange
 * Tasks API's directory lookup, on the server) and lets the admin pick one. The result count is
 * announced; the choice is a radio group, so arrow keys move through the results.
 */
export function GroupLookup({
  chosen,
  onChoose,
  errors,
}: {
  chosen: TGroupChoice | null;
  onChoose: (group: TGroupChoice) => void;
  errors: string[];
}) {
  const uid = useId();
  const [query, setQuery] = useState("");
  const [groups, setGroups] = useState<TFoundGroup[] | null>(null);
  const [status, setStatus] = useState("");
  const [isSearching, setIsSearching] = useState(false);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (!q) {
      setGroups(null);
      setStatus("Type the start of the group's name, then search.");
      return;
    }
    setIsSearching(true);
    setStatus("Searching…");
    try {
      const response = await fetch(`${adminPaths.groupLookup}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok) {
        setGroups(null);
        setStatus((await response.text()).trim() || `The directory lookup failed (${response.status}).`);
        return;
      }
      const body = (await response.json()) as { groups: TFoundGroup[] };
      setGroups(body.groups);
      setStatus(
        body.groups.length === 0
          ? `No group's name starts with “${q}”.`
          : `${body.groups.length} ${body.groups.length === 1 ? "group" : "groups"} found.`,
      );
    } catch {
      setStatus("The directory lookup did not answer. Try again.");
    } finally {
      setIsSearching(false);
    }
  };

  return (
    <div className="max-w-2xl rounded-md border border-slate-300 p-4">
      <search aria-label="Directory groups">
        <form onSubmit={search} className="flex flex-wrap items-end gap-2">
          <div className="min-w-56 flex-1">
            <label htmlFor={`${uid}-q`} className={LABEL}>
              Group name starts with
            </label>
            <input
              id={`${uid}-q`}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoComplete="off"
              className={INPUT}
            />
          </div>
          <button type="submit" className={BUTTON_SECONDARY} disabled={isSearching}>
            Search
          </button>
        </form>
      </search>
      <p role="status" className="mt-2 text-sm text-slate-700">
        {status}
      </p>
      {groups && groups.length > 0 ? (
        <fieldset className="mt-2">
          <legend className={LABEL}>Groups found</legend>
          <div className="mt-2 space-y-2">
            {groups.map((g) => (
              <div key={g.id} className="flex items-start gap-2">
                <input
                  id={`${uid}-g-${g.id}`}
                  type="radio"
                  name="groupId"
                  value={g.id}
                  checked={chosen?.id === g.id}
                  onChange={() =>
                    onChoose({ id: g.id, label: g.mail ? `${g.displayName} (${g.mail})` : g.displayName })
                  }
                  className="mt-1 h-4 w-4"
                />
                <label htmlFor={`${uid}-g-${g.id}`} className="text-sm text-slate-800">
                  <span className="font-medium text-slate-900">{g.displayName}</span>
                  {g.mail ? <span className="text-slate-600"> — {g.mail}</span> : null}
                  <span className="text-slate-600"> · {KIND_LABEL[g.kind] ?? g.kind}</span>
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      ) : null}
      {chosen ? (
        <p className="mt-3 text-sm text-slate-800">
          Chosen: <span className="font-medium">{chosen.label}</span>
        </p>
      ) : null}
      <FieldErrors id={`${uid}-error`} messages={errors} />
    </div>
  );
}
