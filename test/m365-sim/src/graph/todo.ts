import { notFound, type SimResponse } from "../http";
import type { ChecklistRec, ContainerRec, PimItem, PimStore, TaskAttachmentRec } from "../model/pim-store";
import { pimOf } from "../model/pim-store";
import {
  containerCollection,
  contextUrl,
  deltaResponse,
  etag,
  itemCollection,
  listPage,
  type PimView,
  removed,
  select,
  viewOf,
} from "../model/pim-view";
import { parseExpand, parseSelect } from "../odata";
import { type GraphCtx, type GraphRouter, json, mailboxOf, q } from "./context";

/**
 * Microsoft To Do: lists, tasks (with `$expand=checklistItems`), steps, file attachments (`$value`),
 * and the list and task deltas. Changing a step or an attachment changes its task (new change key,
 * reported by the task delta) — a choice, see README.
 */

type Json = Record<string, unknown>;

export function listJson(store: PimStore, c: ContainerRec, odataType = false): Json {
  const out: Json = {};
  if (odataType) out["@odata.type"] = "#microsoft.graph.todoTaskList";
  out["@odata.etag"] = etag(c.version, c.key);
  out.displayName = c.displayName;
  out.isOwner = true;
  out.isShared = false;
  out.wellknownListName = c.wellKnown ?? "none";
  out.id = store.containerId(c);
  return out;
}

export function checklistJson(store: PimStore, c: ChecklistRec): Json {
  const out: Json = { displayName: c.displayName, createdDateTime: c.createdDateTime };
  if (c.checkedDateTime) out.checkedDateTime = c.checkedDateTime;
  out.isChecked = c.isChecked;
  out.id = store.checklistId(c);
  return out;
}

const OPTIONAL_TIMES = ["dueDateTime", "startDateTime", "completedDateTime", "reminderDateTime"];

export function taskJson(
  v: PimView,
  store: PimStore,
  it: PimItem,
  o: { expandChecklist?: boolean; odataType?: boolean } = {},
): Json {
  const p = it.props;
  const out: Json = {};
  if (o.odataType) out["@odata.type"] = "#microsoft.graph.todoTask";
  out["@odata.etag"] = etag(it.version, it.key);
  Object.assign(out, {
    importance: p.importance ?? "normal",
    isReminderOn: p.isReminderOn ?? false,
    status: p.status ?? "notStarted",
    title: p.title ?? "",
    createdDateTime: it.created,
    lastModifiedDateTime: it.modified,
    hasAttachments: (it.attachments?.length ?? 0) > 0,
    categories: p.categories ?? [],
    id: store.itemId(it, v.format),
    body: p.body ?? { content: "", contentType: "text" },
  });
  for (const k of OPTIONAL_TIMES) if (p[k]) out[k] = p[k];
  if (p.recurrence) out.recurrence = p.recurrence;
  out.bodyLastModifiedDateTime = p.bodyLastModifiedDateTime ?? it.created;
  if (o.expandChecklist) {
    const list = store.containers.get(it.container);
    out["checklistItems@odata.context"] = contextUrl(
      v,
      `users('${v.userId}')/todo/lists('${list ? store.containerId(list) : ""}')/tasks('${store.itemId(it)}')/checklistItems`,
    );
    out.checklistItems = (it.checklist ?? []).map((c) => checklistJson(store, c));
  }
  return out;
}

/** The canonical GET the worker archives: `GET /v1.0/users/{oid}/todo/lists/{lid}/tasks/{tid}?$expand=checklistItems`. */
export function taskGetBody(v: PimView, store: PimStore, it: PimItem): Json {
  const list = store.containers.get(it.container);
  return {
    "@odata.context": contextUrl(
      v,
      `users('${v.userId}')/todo/lists('${list ? store.containerId(list) : ""}')/tasks(checklistItems())/$entity`,
    ),
    ...taskJson(v, store, it, { expandChecklist: true }),
  };
}

export function attachmentJson(
  store: PimStore,
  task: PimItem,
  a: TaskAttachmentRec,
  withBytes: boolean,
): Json {
  const out: Json = {
    "@odata.type": "#microsoft.graph.taskFileAttachment",
    id: store.attachmentId(task, a),
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    lastModifiedDateTime: a.lastModifiedDateTime,
  };
  if (withBytes) out.contentBytes = store.mbx.sources.blobs.get(a.sha).toString("base64");
  return out;
}

function ctxStore(ctx: GraphCtx) {
  const { user, mbx } = mailboxOf(ctx);
  return { mbx, store: pimOf(mbx), v: viewOf(ctx, user.id) };
}

function listOr404(store: PimStore, id: string | undefined): ContainerRec {
  const c = store.findContainer("todoList", id ?? "");
  if (!c) throw notFound("The requested list was not found.");
  return c;
}

function taskOr404(store: PimStore, list: ContainerRec, id: string | undefined): PimItem {
  const it = store.findItem("task", id ?? "");
  if (!it || it.container !== list.key) throw notFound();
  return it;
}

function attachmentOr404(store: PimStore, task: PimItem, id: string | undefined): TaskAttachmentRec {
  const a = (task.attachments ?? []).find((x) => store.attachmentId(task, x) === id);
  if (!a) throw notFound();
  return a;
}

function nextLinkOf(ctx: GraphCtx) {
  return (skip: number) => {
    const qs = new URLSearchParams();
    for (const [k, val] of ctx.req.query)
      if (k !== "skip") qs.set(/^(top|select|filter|expand|count)$/.test(k) ? `$${k}` : k, val);
    qs.set("$skip", String(skip));
    return `${ctx.base}/${ctx.segs.join("/")}?${qs.toString().replace(/%24/g, "$").replace(/%2C/g, ",")}`;
  };
}

function expandsChecklist(ctx: GraphCtx): boolean {
  return parseExpand(q(ctx, "expand")).some((e) => e.name.toLowerCase() === "checklistitems");
}

export function registerTodo(r: GraphRouter): void {
  r.add("GET", "users/:user/todo/lists", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const fields = parseSelect(q(ctx, "select"));
    const all = [...store.containers.values()]
      .filter((c) => c.kind === "todoList")
      .sort((a, b) => a.key - b.key)
      .map((c) => select(listJson(store, c), fields));
    return listPage(ctx, all, contextUrl(v, `users('${v.userId}')/todo/lists`), nextLinkOf(ctx), 100);
  });
  r.add("GET", "users/:user/todo/lists/delta", (ctx) => {
    const { mbx, store } = ctxStore(ctx);
    return deltaResponse(ctx, mbx, {
      kind: "todoLists",
      scope: "lists",
      link: `${ctx.base}/users/${ctx.params.user}/todo/lists/delta`,
      opts: {},
      collection: () => containerCollection(store, "todoList"),
      render: (e) => {
        if (e.tomb)
          return removed(
            "#microsoft.graph.todoTaskList",
            store.containerId({ key: e.key, kind: "todoList" }),
          );
        const c = store.containers.get(e.key);
        return c ? listJson(store, c, true) : undefined;
      },
      odataType: "todoTaskList",
    });
  });
  r.add("GET", "users/:user/todo/lists/:list", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    return json(200, {
      "@odata.context": contextUrl(v, `users('${v.userId}')/todo/lists/$entity`),
      ...listJson(store, c),
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const fields = parseSelect(q(ctx, "select"));
    const expand = expandsChecklist(ctx);
    const all = store
      .itemsOf("task", c.key)
      .sort((a, b) => a.key - b.key)
      .map((i) =>
        select(
          taskJson(v, store, i, { expandChecklist: expand }),
          fields
            ? [...fields, ...(expand ? ["checklistItems", "checklistItems@odata.context"] : [])]
            : undefined,
        ),
      );
    return listPage(
      ctx,
      all,
      contextUrl(v, `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks`),
      nextLinkOf(ctx),
      100,
    );
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/delta", (ctx) => {
    const { mbx, store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const opts: Record<string, string> = {};
    const sel = q(ctx, "select");
    if (sel) opts.select = sel;
    return deltaResponse(ctx, mbx, {
      kind: "todoTasks",
      scope: String(c.key),
      link: `${ctx.base}/users/${ctx.params.user}/todo/lists/${store.containerId(c)}/tasks/delta`,
      opts,
      collection: () => itemCollection(store, "task", c.key),
      render: (e, o) => {
        if (e.tomb)
          return removed("#microsoft.graph.todoTask", store.itemId({ key: e.key, kind: "task", gen: 0 }));
        const it = store.items.get(e.key);
        return it ? select(taskJson(v, store, it, { odataType: true }), parseSelect(o.select)) : undefined;
      },
      odataType: "todoTask",
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    const expand = expandsChecklist(ctx);
    const body = expand
      ? taskGetBody(v, store, it)
      : {
          "@odata.context": contextUrl(
            v,
            `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks/$entity`,
          ),
          ...taskJson(v, store, it),
        };
    const fields = parseSelect(q(ctx, "select"));
    return json(
      200,
      select(body, fields ? [...fields, "checklistItems", "checklistItems@odata.context"] : undefined),
    );
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task/checklistItems", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    return json(200, {
      "@odata.context": contextUrl(
        v,
        `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks('${store.itemId(it)}')/checklistItems`,
      ),
      value: (it.checklist ?? []).map((x) => checklistJson(store, x)),
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task/checklistItems/:item", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    const x = (it.checklist ?? []).find((y) => store.checklistId(y) === ctx.params.item);
    if (!x) throw notFound();
    return json(200, {
      "@odata.context": contextUrl(
        v,
        `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks('${store.itemId(it)}')/checklistItems/$entity`,
      ),
      ...checklistJson(store, x),
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task/attachments", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    const fields = parseSelect(q(ctx, "select"));
    return json(200, {
      "@odata.context": contextUrl(
        v,
        `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks('${store.itemId(it)}')/attachments`,
      ),
      value: (it.attachments ?? []).map((a) => select(attachmentJson(store, it, a, false), fields)),
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task/attachments/:att", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    const a = attachmentOr404(store, it, ctx.params.att);
    return json(200, {
      "@odata.context": contextUrl(
        v,
        `users('${v.userId}')/todo/lists('${store.containerId(c)}')/tasks('${store.itemId(it)}')/attachments/$entity`,
      ),
      ...attachmentJson(store, it, a, true),
    });
  });
  r.add("GET", "users/:user/todo/lists/:list/tasks/:task/attachments/:att/$value", (ctx): SimResponse => {
    const { store } = ctxStore(ctx);
    const c = listOr404(store, ctx.params.list);
    const it = taskOr404(store, c, ctx.params.task);
    const a = attachmentOr404(store, it, ctx.params.att);
    return {
      status: 200,
      headers: { "Content-Type": a.contentType },
      body: store.mbx.sources.blobs.get(a.sha),
    };
  });
}
