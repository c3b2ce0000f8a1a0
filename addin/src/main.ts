/**
 * Task pane entry point: the one place that joins the Office adapter and the UI.
 */
import "./ui/task-pane.css";
import { connectToOffice } from "./office/mailbox";
import { renderTaskPane, type TPaneView } from "./ui/task-pane";

async function currentView(): Promise<TPaneView> {
  const connection = await connectToOffice();
  if (connection.kind === "outside") return connection;
  const item = connection.mailbox.currentItem();
  if (!item) return { kind: "no-item" };
  return { kind: "item", subject: item.subject, internetMessageId: item.internetMessageId };
}

const root = document.getElementById("pane-state");
if (root) {
  renderTaskPane(root, { kind: "connecting" });
  currentView().then(
    (view) => renderTaskPane(root, view),
    (error: unknown) =>
      renderTaskPane(root, {
        kind: "error",
        message: error instanceof Error ? error.message : String(error),
      }),
  );
}
