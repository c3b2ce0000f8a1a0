import type { TaskTargetKind } from "@coffer/db/schema";
import { z } from "zod";

/**
 * What a task runs on (seed 004 "A Group"): a directory group looked up by id, a group DN typed by hand,
 * a group e-mail address (or a mailbox's), one mailbox, a `;`-separated list of mailboxes, or every
 * licensed mailbox. These schemas check the form only; whether the group or mailbox exists is checked
 * against the directory when the task is saved (directory/resolve-target.ts).
 */

const EMAIL = z.email();

export function isEmailAddress(value: string): boolean {
  return EMAIL.safeParse(value).success;
}

const ZAddress = z
  .string({ error: "Enter an e-mail address." })
  .trim()
  .min(1, { error: "Enter an e-mail address." })
  .refine(isEmailAddress, {
    error: (i) => `"${String(i.input).trim()}" is not a valid e-mail address (expected name@domain).`,
  })
  .transform((a) => a.toLowerCase());

/** The parts of a DN split at unescaped commas ("CN=Smith\, John,OU=Users" has two). */
export function splitDn(dn: string): string[] {
  return dn.split(/(?<!\\),/).map((p) => p.trim());
}

/** Why a typed DN is unusable, or undefined. A group's DN starts with CN= and has at least two parts. */
export function dnProblem(dn: string): string | undefined {
  const example = "CN=dlmmsgroup,CN=Users,DC=mcdev,DC=internal";
  const parts = splitDn(dn.trim());
  const isRdn = (p: string) => /^(CN|OU|DC|O|L|ST|C|STREET|UID)=.+$/i.test(p);
  if (parts.length < 2 || !parts.every(isRdn) || !/^CN=/i.test(parts[0] ?? "")) {
    return `"${dn.trim()}" is not a group's distinguished name: use the full DN, for example ${example}.`;
  }
  return undefined;
}

/** Splits a `;`-separated list (commas and line breaks are accepted too), trims and removes repeats. */
export function splitAddressList(value: string | readonly string[]): string[] {
  const raw = typeof value === "string" ? value.split(/[;,\n]/) : value;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of raw.map((s) => s.trim()).filter(Boolean)) {
    const key = a.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  }
  return out;
}

export const ZTaskTarget = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("group_lookup"),
      groupId: z.string({ error: "Choose a group." }).trim().min(1, { error: "Choose a group." }),
    }),
    z.object({
      kind: z.literal("group_dn"),
      dn: z
        .string({ error: "Enter the group's distinguished name." })
        .trim()
        .min(1, { error: "Enter the group's distinguished name." })
        .superRefine((dn, ctx) => {
          const problem = dnProblem(dn);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
    }),
    z.object({ kind: z.literal("group_email"), address: ZAddress }),
    z.object({ kind: z.literal("mailbox"), address: ZAddress }),
    z.object({
      kind: z.literal("mailbox_list"),
      addresses: z
        .union([z.string(), z.array(z.string())], {
          error: "Enter the mailboxes' addresses separated by ;",
        })
        .transform((v, ctx) => {
          const list = splitAddressList(v);
          if (list.length === 0) {
            ctx.addIssue({
              code: "custom",
              message: "The list of mailboxes is empty: enter at least one address.",
            });
            return z.NEVER;
          }
          const bad = list.filter((a) => !isEmailAddress(a));
          if (bad.length) {
            ctx.addIssue({
              code: "custom",
              message: `${bad.map((a) => `"${a}"`).join(", ")} ${bad.length === 1 ? "is not a valid e-mail address" : "are not valid e-mail addresses"} (expected name@domain, separated by ;).`,
            });
            return z.NEVER;
          }
          if (list.length > 1000) {
            ctx.addIssue({
              code: "custom",
              message: "A list can hold at most 1000 mailboxes; use a group instead.",
            });
            return z.NEVER;
          }
          return list.map((a) => a.toLowerCase());
        }),
    }),
    z.object({ kind: z.literal("all_licensed") }),
  ],
  {
    error: "Choose the target: group_lookup, group_dn, group_email, mailbox, mailbox_list or all_licensed.",
  },
);
export type TTaskTargetInput = z.input<typeof ZTaskTarget>;
export type TTaskTarget = z.output<typeof ZTaskTarget>;

/** How a stored task's target reads back as the form's target. */
export function targetOfRow(row: {
  target_kind: TaskTargetKind;
  target_value: string;
  target_group_id: string | null;
}): TTaskTarget {
  switch (row.target_kind) {
    case "group_lookup":
      return { kind: "group_lookup", groupId: row.target_group_id ?? row.target_value };
    case "group_dn":
      return { kind: "group_dn", dn: row.target_value };
    case "group_email":
      return { kind: "group_email", address: row.target_value };
    case "mailbox":
      return { kind: "mailbox", address: row.target_value };
    case "mailbox_list":
      return { kind: "mailbox_list", addresses: splitAddressList(row.target_value) };
    case "all_licensed":
      return { kind: "all_licensed" };
  }
}

/** One line for lists and logs: "Group Sales (sales@contoso.com)", "3 mailboxes", "All licensed mailboxes". */
export function describeTarget(row: { target_kind: TaskTargetKind; target_value: string }): string {
  switch (row.target_kind) {
    case "group_lookup":
      return `Group ${row.target_value}`;
    case "group_dn":
      return `Group ${row.target_value}`;
    case "group_email":
      return `Address ${row.target_value}`;
    case "mailbox":
      return `Mailbox ${row.target_value}`;
    case "mailbox_list": {
      const n = splitAddressList(row.target_value).length;
      return n === 1 ? `Mailbox ${row.target_value}` : `${n} mailboxes`;
    }
    case "all_licensed":
      return "All licensed mailboxes";
  }
}
