import { getFolderTree, iterateMailboxItems } from "@coffer/db/archive/index";
import type { Db } from "@coffer/db/client";

/** One mailbox as archived at a point in time, in the shape of the simulator's `/_sim/users/{upn}/state`. */
export type TMailboxListing = {
  at: string;
  folders: Array<{ id: string; path: string }>;
  items: Array<{
    id: string;
    folderPath: string;
    internetMessageId: string | null;
    sha256: string;
    size: number;
  }>;
};

/** Folders (with paths) and items of a mailbox at `at` (default now), ordered by path then id. */
export async function listMailboxAt(db: Db, mailboxId: string, at?: Date): Promise<TMailboxListing> {
  const tree = await getFolderTree(db, mailboxId, at ? { at } : {});
  const pathOf = new Map(tree.map((f) => [f.graphId, f.path]));
  const items: TMailboxListing["items"] = [];
  for await (const it of iterateMailboxItems(db, mailboxId, at ? { at } : {})) {
    items.push({
      id: it.graphId,
      // An item whose folder is not in the tree at T cannot happen in a consistent archive; show its id.
      folderPath: pathOf.get(it.folderGraphId) ?? `?${it.folderGraphId}`,
      internetMessageId: it.internetMessageId,
      sha256: it.sha256,
      size: it.size,
    });
  }
  items.sort((a, b) =>
    a.folderPath < b.folderPath ? -1 : a.folderPath > b.folderPath ? 1 : a.id < b.id ? -1 : 1,
  );
  return {
    at: (at ?? new Date()).toISOString(),
    folders: tree.map((f) => ({ id: f.graphId, path: f.path })),
    items,
  };
}
