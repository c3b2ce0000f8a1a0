import { makePng } from "./attachment-files";
import { DAY, EPOCH_MS, HOUR, isoDate, isoUtc } from "./dates";
import type { Rng } from "./random";

/** Microsoft To Do lists with tasks, steps (checklistItems), recurrence and small attachments; beta notes. */

type Json = Record<string, unknown>;
type TaskEntry = {
  task: object;
  checklistItems: object[];
  attachments: { name: string; contentType: string; contentBytes: string }[];
};

function dateTimeTimeZone(ms: number) {
  return { dateTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, ".0000000"), timeZone: "UTC" };
}

function task(
  rng: Rng,
  title: string,
  extra: Json = {},
  steps: string[] = [],
  attachments: TaskEntry["attachments"] = [],
): TaskEntry {
  const created = EPOCH_MS - rng.int(1, 400) * DAY;
  const status = rng.weighted([
    ["notStarted", 5],
    ["inProgress", 2],
    ["completed", 3],
    ["waitingOnOthers", 1],
  ] as const);
  const due = created + rng.int(2, 60) * DAY;
  const dueMidnight = due - (due % DAY);
  const body: Json = {
    title,
    body: { content: rng.chance(0.5) ? "Details in the shared folder." : "", contentType: "text" },
    importance: rng.weighted([
      ["normal", 6],
      ["high", 2],
      ["low", 1],
    ] as const),
    status,
    isReminderOn: false,
    categories: rng.chance(0.3) ? ["Blue category"] : [],
    createdDateTime: isoUtc(created),
    lastModifiedDateTime: isoUtc(created + rng.int(0, 5) * DAY),
    bodyLastModifiedDateTime: isoUtc(created),
    ...(rng.chance(0.7) ? { dueDateTime: dateTimeTimeZone(dueMidnight) } : {}),
    ...(status === "completed" ? { completedDateTime: dateTimeTimeZone(due - rng.int(0, 2) * DAY) } : {}),
    ...extra,
  };
  if (body.isReminderOn === false && rng.chance(0.25)) {
    Object.assign(body, { isReminderOn: true, reminderDateTime: dateTimeTimeZone(dueMidnight - 15 * HOUR) });
  }
  const checklistItems = steps.map((displayName, i) => {
    const checked = i < steps.length / 2 && rng.chance(0.7);
    return {
      displayName,
      isChecked: checked,
      createdDateTime: isoUtc(created + i * 60_000),
      ...(checked ? { checkedDateTime: isoUtc(created + (i + 1) * DAY) } : {}),
    };
  });
  return { task: body, checklistItems, attachments };
}

export function buildTodoLists(rng: Rng, key: readonly (string | number)[]) {
  const weekly = Date.parse("2026-01-02T00:00:00Z");
  const tasks: TaskEntry[] = [
    task(rng, "Submit expense report", {
      dueDateTime: dateTimeTimeZone(weekly),
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["friday"], firstDayOfWeek: "sunday" },
        range: {
          type: "noEnd",
          startDate: isoDate(weekly),
          endDate: "0001-01-01",
          recurrenceTimeZone: "UTC",
          numberOfOccurrences: 0,
        },
      },
    }),
    task(
      rng,
      "Prepare Q4 board deck",
      { importance: "high" },
      ["Collect numbers from finance", "Draft storyline", "Review with CEO", "Send to board"],
      [
        {
          name: "outline.txt",
          contentType: "text/plain",
          contentBytes: Buffer.from("1. Highlights\n2. Numbers\n3. Outlook\n").toString("base64"),
        },
      ],
    ),
    task(rng, "Book flights to Lisbon ✈", {}, ["Check budget", "Book hotel", "Share itinerary"]),
    task(rng, "Renew passport"),
    task(rng, "Call the landlord about the heating"),
  ];
  const project: TaskEntry[] = [
    task(rng, "Finalise release notes", {}, ["Collect changes", "Proofread", "Publish"]),
    task(rng, "Überprüfung der Testberichte", { importance: "high" }),
    task(
      rng,
      "Whiteboard photo from the kickoff",
      {},
      [],
      [
        {
          name: "whiteboard.png",
          contentType: "image/png",
          contentBytes: makePng(2400, [...key, "todo"]).toString("base64"),
        },
      ],
    ),
    task(rng, "客户反馈整理"),
  ];
  const shopping: TaskEntry[] = ["Milk", "Coffee beans", "Batteries (AA)", "Birthday card for Zoë"].map((t) =>
    task(rng, t),
  );
  const flagged: TaskEntry[] = [task(rng, "Re: Contract renewal 2027"), task(rng, "Invoice INV-2026-0412")];
  return [
    { displayName: "Tasks", wellknownListName: "defaultList" as const, tasks },
    { displayName: "Flagged email", wellknownListName: "flaggedEmails" as const, tasks: flagged },
    { displayName: "Projekt Phoenix 🚀", wellknownListName: "none" as const, tasks: project },
    { displayName: "Einkauf", wellknownListName: "none" as const, tasks: shopping },
  ];
}

const NOTES: readonly [string, string][] = [
  [
    "Wi-Fi guest password",
    "<p>Guest network: <b>Contoso-Guest</b><br>Password rotates monthly – ask reception.</p>",
  ],
  [
    "Ideen für das Offsite",
    "<ul><li>Workshop am Vormittag</li><li>Abendessen in der Altstadt</li><li>Fahrradtour?</li></ul>",
  ],
  ["会议室预订规则", "<p>每次预订不超过两小时。请提前取消不需要的预订。</p>"],
  ["Parking", "<p>Level −2, spot 117. Badge works after 7 pm.</p>"],
  ["Books to read", "<p>Þögnin, Le Petit Prince, Sapiens</p>"],
  ["Notatki ze spotkania", "<p>Zadania: przygotować ofertę, wysłać próbki do Łodzi.</p>"],
];

export function buildNotes(rng: Rng): object[] {
  return rng.sample(NOTES, rng.int(3, NOTES.length)).map(([subject, html]) => {
    const created = EPOCH_MS - rng.int(1, 900) * DAY;
    return {
      subject,
      body: { contentType: "html", content: `<html><body>${html}</body></html>` },
      createdDateTime: isoUtc(created),
      lastModifiedDateTime: isoUtc(created + rng.int(0, 30) * DAY),
    };
  });
}
