import type { TPimSection } from "../lib/pim-query";

/** Per type, in plain words, what Microsoft Graph does not return (docs/data-types.md). */
export const GRAPH_LIMITS: Record<TPimSection, string[]> = {
  calendar: [
    "Attached e-mails or events and cloud-link attachments: Graph has no bytes for them, so they are not archived (file attachments are, and are in the .ics).",
    "Attachments of single changed occurrences of a series are not fetched; the series' own attachments are.",
    "Attendees' private comments and reminder snooze state are not in Graph's event.",
    "Occurrences are not stored one by one: the series is archived once and expanded here as it was at the chosen time.",
  ],
  contacts: [
    "Car phone, callback, company main phone, ISDN, telex and TTY/TDD numbers: Outlook has them, Graph has no property for them.",
    "The contact photo is a separate request that Coffer does not fetch yet.",
  ],
  tasks: [
    "Linked resources (links to the app a task came from) are not archived.",
    "Whether Graph reports a change to a step or an attachment on its own is not confirmed for a real tenant.",
  ],
  notes: [
    "Notes exist only in Graph's beta API; inline images of notes are not archived.",
    "Whether the beta notes API works with application permissions is not confirmed for a real tenant.",
  ],
};
