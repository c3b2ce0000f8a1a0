import type { SimControl } from "../../m365-sim/src/client";
import type { TE2EFixture, TFixtureMessage, TRole } from "./fixture";
import { buildMime, type TMimeMessage } from "./mime";

/**
 * The e2e tenant: six people and a few dozen hand-written messages, the same on every run (fixed dates,
 * ids and boundaries). Seeded through the simulator's control API, then archived by the real sync.
 */
export const DOMAIN = "contoso-e2e.com";
export const PASSWORD = "Coffer-E2E-Pass-1";

const PEOPLE: Record<TRole | "leo", { upn: string; displayName: string; appRoles: string[] }> = {
  alice: { upn: `alice.archer@${DOMAIN}`, displayName: "Alice Archer", appRoles: [] },
  bob: { upn: `bob.brown@${DOMAIN}`, displayName: "Bob Brown", appRoles: [] },
  carol: { upn: `carol.chen@${DOMAIN}`, displayName: "Carol Chen", appRoles: [] },
  dave: { upn: `dave.admin@${DOMAIN}`, displayName: "Dave Admin", appRoles: ["Coffer.Admin"] },
  erin: {
    upn: `erin.admin@${DOMAIN}`,
    displayName: "Erin Admin",
    appRoles: ["Coffer.Admin", "Coffer.ContentView", "Coffer.ProtectedContent"],
  },
  leo: { upn: `leo.leaver@${DOMAIN}`, displayName: "Leo Leaver", appRoles: [] },
};

export const MARKERS = {
  aliceBody: "ALICE-BODY-MARKER-4412",
  bobBody: "BOB-SECRET-7731",
  bobSubject: "Salary review for Bob",
  bobAttachment: "bob-contract-2026.pdf",
};

const BASE = Date.parse("2026-09-01T08:00:00Z");
const hours = (h: number) => new Date(BASE + h * 3_600_000);

/** A one-pixel PNG (for inline images and the canary's remote images). */
export const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** A small valid-looking PDF: only its bytes matter (downloads are compared byte for byte). */
function fakePdf(title: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    "latin1",
  );
}

export function hostileHtml(canary: string): string {
  return `<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url=${canary}/refresh">
<link rel="stylesheet" href="${canary}/link.css">
<style>@import url(${canary}/import.css); .x { background: url('${canary}/css-bg.png') }</style>
<base href="${canary}/base/">
</head><body onload="parent.__cofferPwned='onload'">
<script>window.parent.__cofferPwned = 'script'; top.__cofferPwned = 'script'; document.title = 'pwned';</script>
<p id="hostile-text">Hostile but harmless text</p>
<img src="${canary}/remote.png" alt="tracker" width="1" height="1">
<img src="x" onerror="parent.__cofferPwned='onerror'">
<div class="x" style="background-image:url(${canary}/style-bg.png)">Styled block</div>
<form action="${canary}/form" method="post"><input name="q" value="secret"><button type="submit">Send</button></form>
<iframe src="${canary}/frame"></iframe>
<object data="${canary}/object"></object>
<embed src="${canary}/embed">
<svg onload="parent.__cofferPwned='svg'"><image href="${canary}/svg.png"/></svg>
<a href="javascript:parent.__cofferPwned='link'">A javascript: link</a>
<a href="${canary}/clicked" onclick="parent.__cofferPwned='onclick'">A remote link</a>
<video src="${canary}/video.mp4" autoplay></video>
<audio src="${canary}/audio.mp3" autoplay></audio>
</body></html>`;
}

type TPlan = { key?: keyof TE2EFixture["messages"]; folder: string; message: TMimeMessage; isRead?: boolean };

function aliceMessages(canary: string): TPlan[] {
  const alice = PEOPLE.alice.upn;
  const senders = [
    "Grace Hopper <grace@partner-e2e.net>",
    "Linus Example <linus@partner-e2e.net>",
    "Ada Lovelace <ada@partner-e2e.net>",
  ];
  const plans: TPlan[] = [];
  for (let i = 1; i <= 60; i++) {
    plans.push({
      folder: "Inbox",
      isRead: i % 3 !== 0,
      message: {
        from: senders[i % senders.length]!,
        to: [`Alice Archer <${alice}>`],
        subject: `Weekly status report #${String(i).padStart(2, "0")}`,
        date: hours(i),
        messageId: `status-${i}@partner-e2e.net`,
        text: `Status report number ${i}.\r\n${"Progress is steady. ".repeat(i)}\r\n`,
      },
    });
  }
  plans.push(
    {
      key: "quarterly",
      folder: "Inbox",
      message: {
        from: `Bob Brown <${PEOPLE.bob.upn}>`,
        to: [`Alice Archer <${alice}>`],
        cc: [`Carol Chen <${PEOPLE.carol.upn}>`],
        subject: "Quarterly planning notes",
        date: hours(70),
        messageId: "quarterly-planning@contoso-e2e.com",
        text: `Hi Alice,\r\n\r\nThe zebra migration plan is attached to the wiki. ${MARKERS.aliceBody}\r\n\r\nBob\r\n`,
      },
    },
    {
      key: "invoice",
      folder: "Inbox",
      message: {
        from: "Müller & Söhne Billing <billing@mueller-e2e.de>",
        to: [`Alice Archer <${alice}>`],
        subject: "Rechnung Oktober / invoice October",
        date: hours(72),
        messageId: "invoice-october@mueller-e2e.de",
        text: "Please find the invoice attached.\r\n",
        attachments: [
          {
            name: "Rechnung_Müller_&_Söhne.pdf",
            contentType: "application/pdf",
            content: fakePdf("Rechnung Oktober"),
          },
          {
            name: "notes.txt",
            contentType: "text/plain",
            content: Buffer.from("Payable within 30 days.\r\n", "utf8"),
          },
        ],
      },
    },
    {
      key: "newsletter",
      folder: "Inbox",
      message: {
        from: "Contoso News <news@news-e2e.example>",
        to: [`Alice Archer <${alice}>`],
        subject: "Contoso Newsletter: autumn edition",
        date: hours(74),
        messageId: "newsletter-autumn@news-e2e.example",
        html: `<html><body><h1>Autumn edition</h1><p>Inline logo: <img src="cid:logo@news-e2e" alt="Contoso logo"></p><p>Remote banner: <img src="${canary}/newsletter-banner.png" alt="banner"></p><p><a href="https://news-e2e.example/read">Read online</a></p></body></html>`,
        attachments: [
          { name: "logo.png", contentType: "image/png", content: PIXEL_PNG, inlineCid: "logo@news-e2e" },
        ],
      },
    },
    {
      key: "hostile",
      folder: "Inbox",
      isRead: false,
      message: {
        from: "Mallory <mallory@evil-e2e.example>",
        to: [`Alice Archer <${alice}>`],
        subject: "Hostile HTML test",
        date: hours(76),
        messageId: "hostile@evil-e2e.example",
        html: hostileHtml(canary),
      },
    },
    {
      key: "deleted",
      folder: "Inbox",
      message: {
        from: `Carol Chen <${PEOPLE.carol.upn}>`,
        to: [`Alice Archer <${alice}>`],
        subject: "Lunch on Friday?",
        date: hours(78),
        messageId: "lunch-friday@contoso-e2e.com",
        text: "Shall we try the new place on Friday? — Carol\r\n",
      },
    },
    {
      key: "moved",
      folder: "Inbox",
      message: {
        from: `Bob Brown <${PEOPLE.bob.upn}>`,
        to: [`Alice Archer <${alice}>`],
        subject: "Phoenix kickoff agenda",
        date: hours(80),
        messageId: "phoenix-kickoff@contoso-e2e.com",
        text: "Agenda: scope, budget, timeline.\r\n",
      },
    },
    {
      folder: "Inbox/Projects",
      message: {
        from: `Bob Brown <${PEOPLE.bob.upn}>`,
        to: [`Alice Archer <${alice}>`],
        subject: "Project Phoenix budget",
        date: hours(82),
        messageId: "phoenix-budget@contoso-e2e.com",
        text: "The budget is approved.\r\n",
      },
    },
  );
  return plans;
}

function bobMessages(): TPlan[] {
  return [
    {
      key: "bobSecret",
      folder: "Inbox",
      message: {
        from: `HR <hr@${DOMAIN}>`,
        to: [`Bob Brown <${PEOPLE.bob.upn}>`],
        subject: MARKERS.bobSubject,
        date: hours(90),
        messageId: "salary-bob@contoso-e2e.com",
        text: `Dear Bob, your new salary is confidential. ${MARKERS.bobBody}\r\n`,
        attachments: [
          { name: MARKERS.bobAttachment, contentType: "application/pdf", content: fakePdf(MARKERS.bobBody) },
        ],
      },
    },
  ];
}

function welcome(upn: string, displayName: string, n: number): TPlan {
  return {
    folder: "Inbox",
    message: {
      from: `IT <it@${DOMAIN}>`,
      to: [`${displayName} <${upn}>`],
      subject: `Welcome, ${displayName}`,
      date: hours(100 + n),
      messageId: `welcome-${n}@${DOMAIN}`,
      text: "Welcome to Contoso.\r\n",
    },
  };
}

export type TSeeded = {
  users: TE2EFixture["users"];
  messages: Partial<TE2EFixture["messages"]>;
  /** REST ids (for control API moves and deletes) of the keyed messages. */
  restIds: Partial<Record<keyof TE2EFixture["messages"], string>>;
  hasAdminRoles: boolean;
};

/** Creates the people and their mail in an empty simulator tenant. */
export async function seedTenant(ctl: SimControl, canary: string): Promise<TSeeded> {
  const users = {} as TE2EFixture["users"];
  for (const [role, p] of Object.entries(PEOPLE) as Array<[TRole | "leo", (typeof PEOPLE)["alice"]]>) {
    const [given, family] = p.displayName.split(" ");
    const { id } = await ctl.createUser({
      userPrincipalName: p.upn,
      displayName: p.displayName,
      givenName: given ?? p.displayName,
      surname: family ?? "",
      mail: p.upn,
      password: PASSWORD,
    });
    users[role] = { upn: p.upn, oid: id, displayName: p.displayName };
  }
  const hasAdminRoles = await assignAppRoles(ctl);

  const messages: TSeeded["messages"] = {};
  const restIds: TSeeded["restIds"] = {};
  const upload = async (upn: string, plans: TPlan[]) => {
    for (const [i, plan] of plans.entries()) {
      const mime = buildMime(plan.message, `${upn.split("@")[0]}-${i}`);
      const r = await ctl.uploadMessage(upn, mime, {
        folder: plan.folder,
        receivedDateTime: plan.message.date,
        isRead: plan.isRead ?? true,
      });
      if (plan.key) {
        const m: TFixtureMessage = {
          graphId: r.immutableId,
          subject: plan.message.subject,
          sha256: r.sha256,
          size: r.size,
        };
        messages[plan.key] = m;
        restIds[plan.key] = r.id;
      }
    }
  };
  await upload(PEOPLE.alice.upn, aliceMessages(canary));
  await upload(PEOPLE.bob.upn, bobMessages());
  for (const [n, role] of (["carol", "dave", "erin", "leo"] as const).entries()) {
    await upload(PEOPLE[role].upn, [
      welcome(PEOPLE[role].upn, PEOPLE[role].displayName, n),
      welcome(PEOPLE[role].upn, PEOPLE[role].displayName, n + 10),
    ]);
  }
  return { users, messages, restIds, hasAdminRoles };
}

/**
 * Gives dave and erin their app roles on the portal's app registration (the simulator's `appRoles` user
 * field), so their ID tokens carry a `roles` claim. Returns false when this simulator does not know it.
 */
async function assignAppRoles(ctl: SimControl): Promise<boolean> {
  for (const p of Object.values(PEOPLE)) {
    if (!p.appRoles.length) continue;
    const r = await ctl.raw("PATCH", `/_sim/users/${encodeURIComponent(p.upn)}`, { appRoles: p.appRoles });
    if (r.status >= 400) throw new Error(`assigning app roles to ${p.upn} failed: ${r.status} ${r.text}`);
  }
  const users = await ctl.raw("GET", "/_sim/users");
  return users.status === 200;
}
