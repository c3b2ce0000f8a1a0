import "server-only";
import { getArchivedItem, getFolderTree, type TArchiveItemDetail } from "@coffer/db/archive/index";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

export type TAttachmentInfo = {
  index: number;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
};

export type TMessageView = {
  item: TArchiveItemDetail;
  /** Folder path per folder id, for the versions list and the "in folder" line. */
  folderPaths: Map<string, string>;
  attachments: TAttachmentInfo[];
};

const NOT_HERE = "This message is not in the mailbox at the chosen time.";

/**
 * A message as it was at `at` (default now): the version valid then, or, when it had been deleted by then,
 * its last version (status "deleted"), which only Full View shows. Without Full View a message that is
 * not in the mailbox at that time is "not found", exactly like a message that never existed.
 */
export async function loadMessage(
  access: TMailboxAccess,
  graphId: string,
  opts: { at: Date | undefined; fullView: boolean },
): Promise<TMessageView> {
  const item = await getArchivedItem(db(), access.mailbox.id, graphId, opts.at ? { at: opts.at } : {});
  if (!item || (item.status !== "current" && !opts.fullView)) throw new AppError("not_found", NOT_HERE);
  const folders = await getFolderTree(db(), access.mailbox.id, {
    fullView: true,
    ...(opts.at ? { at: opts.at } : {}),
  });
  const raw = Array.isArray(item.contentMeta.attachments) ? item.contentMeta.attachments : [];
  const attachments = raw.map((a, index): TAttachmentInfo => {
    const r = (a ?? {}) as Record<string, unknown>;
    return {
      index,
      name: typeof r.name === "string" && r.name ? r.name : `attachment-${index + 1}`,
      size: typeof r.size === "number" ? r.size : 0,
      contentType: typeof r.contentType === "string" ? r.contentType : "application/octet-stream",
      isInline: r.isInline === true,
    };
  });
  return { item, folderPaths: new Map(folders.map((f) => [f.graphId, f.path])), attachments };
}
