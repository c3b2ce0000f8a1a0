/**
 * The task pane's UI. It knows nothing about Office.js: `main.ts` asks the Office adapter what is going
 * on and hands the result in as a `TPaneView`. Every value from the message (subject, ids) goes into the
 * DOM as text, never as HTML, because a message's subject is written by whoever sent it.
 */

export type TOutsideReason = "office-js-unavailable" | "not-outlook" | "no-answer";

export type TPaneView =
  | { kind: "connecting" }
  | { kind: "outside"; reason: TOutsideReason; host: string | null }
  | { kind: "no-item" }
  | { kind: "item"; subject: string; internetMessageId: string }
  | { kind: "error"; message: string };

type TChild = Node | string;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: TChild[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Why the pane is not inside Outlook, in words a user can act on. */
export function describeOutside(reason: TOutsideReason, host: string | null): string {
  switch (reason) {
    case "office-js-unavailable":
      return "Office.js could not be loaded from Microsoft's servers, so this page cannot talk to Outlook.";
    case "no-answer":
      return "Office.js loaded but did not answer, so this page cannot talk to Outlook.";
    case "not-outlook":
      return host
        ? `This page is running in ${host}; the Coffer task pane works only in Outlook.`
        : "No Office application is hosting this page.";
  }
}

function outsideView(reason: TOutsideReason, host: string | null): Node[] {
  return [
    el("h2", {}, "Opened outside Outlook"),
    el("p", {}, describeOutside(reason, host)),
    el(
      "p",
      {},
      "To use it, open a message in Outlook and choose ",
      el("strong", {}, "Coffer archive"),
      " on the ribbon. Your administrator installs the add-in from Coffer's manifest.",
    ),
    el("p", {}, el("a", { href: "/" }, "Go to the Coffer portal")),
  ];
}

function itemView(subject: string, internetMessageId: string): Node[] {
  return [
    el("h2", {}, "This message"),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "Subject"),
      el("dd", { "data-field": "subject" }, subject || "(no subject)"),
      el("dt", {}, "Internet message ID"),
      el("dd", { "data-field": "internet-message-id", class: "mono" }, internetMessageId || "(none)"),
    ),
    el(
      "p",
      { class: "note" },
      "Archive lookup is not connected yet: this version of the add-in reads the message's identifiers " +
        "but does not ask the Coffer archive about them.",
    ),
  ];
}

function viewNodes(view: TPaneView): Node[] {
  switch (view.kind) {
    case "connecting":
      return [el("p", {}, "Connecting to Outlook…")];
    case "outside":
      return outsideView(view.reason, view.host);
    case "no-item":
      return [el("h2", {}, "No message open"), el("p", {}, "Select a message to see its archive details.")];
    case "item":
      return itemView(view.subject, view.internetMessageId);
    case "error":
      return [el("h2", {}, "Outlook did not give us the message"), el("p", { class: "error" }, view.message)];
  }
}

/** Replaces the content of `root` (a live region) with `view`. */
export function renderTaskPane(root: HTMLElement, view: TPaneView): void {
  root.dataset.state = view.kind;
  root.replaceChildren(...viewNodes(view));
}
