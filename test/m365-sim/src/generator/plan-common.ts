import type { Lang } from "./bodies";
import { DAY, EPOCH_MS } from "./dates";
import type { Correspondent, MailboxContext } from "./mail-context";
import { Memo, memoPer } from "./memo";
import type { AttachmentSpec, AttachmentType } from "./plan-types";
import { hashKey, type Rng } from "./random";

const ATTACHMENT_NAMES: Record<AttachmentType, readonly string[]> = {
  pdf: [
    "Invoice INV-2026-0412.pdf",
    "Angebot_Müller_&_Söhne.pdf",
    "Rapport annuel 2026 – résumé.pdf",
    "报价单.pdf",
    "Contract_Fabrikam_2027_signed.pdf",
  ],
  docx: [
    "Meeting notes.docx",
    "Projektplan – Überblick.docx",
    "Compte rendu réunion.docx",
    "Proposal v3 (final).docx",
  ],
  xlsx: ["Q4 budget.xlsx", "Umsatzübersicht 2026.xlsx", "Kostenaufstellung_Łódź.xlsx", "销售数据.xlsx"],
  png: ["screenshot.png", "Diagramm_Übersicht.png", "whiteboard photo.png"],
  csv: ["export.csv", "Teilnehmerliste.csv", "orders_2026-10.csv"],
  zip: ["Fotos Offsite.zip", "logs-2026-10-28.zip", "Ausschreibungsunterlagen.zip"],
  ics: ["invite.ics", "Team-Termine.ics"],
  eml: ["Original message.eml"],
};

export function attachmentsFor(rng: Rng, count: number): AttachmentSpec[] {
  return Array.from({ length: count }, (): AttachmentSpec => {
    const type = rng.weighted<AttachmentType>([
      ["pdf", 25],
      ["docx", 17],
      ["xlsx", 17],
      ["png", 12],
      ["csv", 10],
      ["zip", 7],
      ["ics", 5],
      ["eml", 7],
    ]);
    // Mostly small documents, one in twenty a few hundred KB: the size mix of ordinary office mail
    const size =
      type === "csv" || type === "ics"
        ? rng.logInt(1_000, 40_000)
        : rng.chance(0.05)
          ? rng.logInt(200_000, 900_000)
          : rng.logInt(3_000, 120_000);
    return { type, name: rng.pick(ATTACHMENT_NAMES[type]), size };
  });
}

/** Message-IDs look like the sender's system writes them: Exchange Online inside, MTAs outside. */
const idHashes = memoPer<MailboxContext, number, string>(4096);
const servers = new Memo<string, string>(4096);

export function messageIdFor(ctx: MailboxContext, index: number, sender: Correspondent): string {
  // Replies name every earlier Message-ID of their conversation: remembered, not rehashed
  const hash = idHashes(ctx).get(index, () =>
    hashKey([ctx.seed, ctx.upn, "message-id", index]).toString("hex").toUpperCase(),
  );
  if (sender.isInternal) {
    const server = servers.get(
      sender.address,
      () => `AM7PR05MB${(hashKey([sender.address]).readUInt16LE(0) % 9000) + 1000}`,
    );
    return `<${server}${hash.slice(0, 20)}@${server}.eurprd05.prod.outlook.com>`;
  }
  return `<${hash.slice(0, 24).toLowerCase()}@mail.${sender.address.split("@")[1]}>`;
}

export function replyPrefix(lang: Lang, forward: boolean): string {
  if (lang === "de") return forward ? "WG: " : "AW: ";
  return forward ? "Fwd: " : "Re: ";
}

export function isRead(rng: Rng, receivedMs: number, folder: string): boolean {
  if (folder === "Sent Items" || folder === "Drafts") return true;
  if (folder === "Junk Email") return rng.chance(0.2);
  return rng.chance(EPOCH_MS - receivedMs > 14 * DAY ? 0.96 : 0.5);
}
