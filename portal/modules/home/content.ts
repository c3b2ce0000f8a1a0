/** The words of the home page, kept apart from its markup. */

export type TAudience = { id: string; title: string; lead: string; points: readonly string[] };

export const AUDIENCES: readonly TAudience[] = [
  {
    id: "users",
    title: "For everyone with a mailbox",
    lead: "Find any message you ever had, even after it was deleted or moved.",
    points: [
      "Browse your mailbox as it was at any date and time.",
      "Search by sender, recipient, subject, body or attachment name.",
      "Read a message with its original headers, or download the original .eml.",
    ],
  },
  {
    id: "delegates",
    title: "For delegates",
    lead: "Work in the archives of the mailboxes shared with you, and only those.",
    points: [
      "The same point-in-time view and search as the mailbox owner.",
      "Delegation follows the mailbox permissions in Microsoft 365.",
      "Every read of someone else's mail is written to the audit log.",
    ],
  },
  {
    id: "admins",
    title: "For administrators",
    lead: "Run the archive for the whole organisation.",
    points: [
      "Schedule Exchange tasks for a group, a list of mailboxes or one mailbox.",
      "Set retention per data type, from 1 day to 99 years, and place legal holds.",
      "Restore or export mailboxes with an audit trail; restores need the Protected Content permission.",
    ],
  },
];

export type TStep = { title: string; text: string };

export const STEPS: readonly TStep[] = [
  {
    title: "Sync",
    text:
      "Coffer reads mail, calendars, contacts, tasks and notes through Microsoft Graph, protecting the last " +
      "14 days of the whole organisation first and then filling in older history.",
  },
  {
    title: "Keep",
    text:
      "Each item is stored once, compressed and encrypted, with its full history of moves, edits and " +
      "deletions, so any mailbox can be shown exactly as it was at any moment.",
  },
  {
    title: "Recover",
    text:
      "Browse, search and export the archive, or restore messages and whole mailboxes back into " +
      "Microsoft 365.",
  },
];
