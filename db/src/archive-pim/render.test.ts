import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { renderEventIcs } from "./ics";
import { expandEvent } from "./read";
import { occurrenceDays } from "./recurrence";
import { foldLine } from "./text-format";
import { dayNumber, dayToDate } from "./time";
import { renderContactVcard } from "./vcard";

const days = (rec: Parameters<typeof occurrenceDays>[0], from: string, to: string) =>
  occurrenceDays(rec, dayNumber(from), dayNumber(to)).map(dayToDate);

describe("recurrence expansion", () => {
  it("follows every Graph pattern and range type", () => {
    expect(
      days(
        {
          pattern: { type: "daily", interval: 2 },
          range: { type: "numbered", startDate: "2026-01-30", numberOfOccurrences: 3 },
        },
        "2026-01-01",
        "2026-12-31",
      ),
    ).toEqual(["2026-01-30", "2026-02-01", "2026-02-03"]);
    expect(
      days(
        {
          pattern: {
            type: "weekly",
            interval: 2,
            daysOfWeek: ["tuesday", "thursday"],
            firstDayOfWeek: "monday",
          },
          range: { type: "endDate", startDate: "2026-03-05", endDate: "2026-03-31" },
        },
        "2026-01-01",
        "2026-12-31",
      ),
    ).toEqual(["2026-03-05", "2026-03-17", "2026-03-19", "2026-03-31"]);
    // second Tuesday of every month; the last Friday
    expect(
      days(
        {
          pattern: { type: "relativeMonthly", interval: 1, daysOfWeek: ["tuesday"], index: "second" },
          range: { type: "numbered", startDate: "2026-01-01", numberOfOccurrences: 3 },
        },
        "2026-01-01",
        "2026-12-31",
      ),
    ).toEqual(["2026-01-13", "2026-02-10", "2026-03-10"]);
    expect(
      days(
        {
          pattern: { type: "relativeMonthly", interval: 1, daysOfWeek: ["friday"], index: "last" },
          range: { type: "noEnd", startDate: "2026-01-01" },
        },
        "2026-01-01",
        "2026-03-31",
      ),
    ).toEqual(["2026-01-30", "2026-02-27", "2026-03-27"]);
    // the 31st in a short month falls on its last day
    expect(
      days(
        {
          pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 31 },
          range: { type: "numbered", startDate: "2026-01-31", numberOfOccurrences: 3 },
        },
        "2026-01-01",
        "2026-12-31",
      ),
    ).toEqual(["2026-01-31", "2026-02-28", "2026-03-31"]);
    expect(
      days(
        {
          pattern: { type: "absoluteYearly", interval: 1, month: 5, dayOfMonth: 17 },
          range: { type: "noEnd", startDate: "2024-05-17" },
        },
        "2025-01-01",
        "2027-12-31",
      ),
    ).toEqual(["2025-05-17", "2026-05-17", "2027-05-17"]);
    // numbered ranges count occurrences before the window too
    expect(
      days(
        {
          pattern: { type: "daily", interval: 1 },
          range: { type: "numbered", startDate: "2026-01-01", numberOfOccurrences: 5 },
        },
        "2026-01-04",
        "2026-12-31",
      ),
    ).toEqual(["2026-01-04", "2026-01-05"]);
  });

  it("keeps a series at its wall-clock time across DST and replaces/cancels occurrences", () => {
    const meta = {
      subject: "Stand-up",
      start: "2026-03-27T08:00:00.000Z", // 08:00 in London (GMT, before the change to BST)
      end: "2026-03-27T08:15:00.000Z",
      originalStartTimeZone: "GMT Standard Time",
      recurrence: {
        pattern: { type: "daily", interval: 1 },
        range: {
          type: "numbered",
          startDate: "2026-03-27",
          numberOfOccurrences: 4,
          recurrenceTimeZone: "GMT Standard Time",
        },
      },
      cancelledDates: ["2026-03-28"],
      exceptions: [
        {
          originalStart: "2026-03-30T07:00:00Z",
          start: "2026-03-30T12:00:00Z",
          end: "2026-03-30T12:15:00Z",
          subject: "Stand-up (late)",
          location: "",
          isCancelled: false,
          showAs: null,
        },
      ],
    };
    const got = expandEvent(
      { graphId: "m", containerGraphId: "c" },
      meta,
      Date.parse("2026-03-01T00:00:00Z"),
      Date.parse("2026-04-30T00:00:00Z"),
    );
    // 27 March 08:00 GMT; 28 cancelled; 29 (BST from 01:00) 08:00 local = 07:00 UTC; 30 replaced by the exception
    expect(got.map((g) => [g.kind, g.start.toISOString()])).toEqual([
      ["occurrence", "2026-03-27T08:00:00.000Z"],
      ["occurrence", "2026-03-29T07:00:00.000Z"],
      ["exception", "2026-03-30T12:00:00.000Z"],
    ]);
  });
});

describe("ICS", () => {
  it("renders an all-day yearly series with DATE values and a UTC single event without VTIMEZONE", () => {
    const birthday = renderEventIcs({
      id: "B",
      iCalUId: "UID-B",
      subject: "🎂 Zoë",
      isAllDay: true,
      originalStartTimeZone: "UTC",
      start: { dateTime: "2024-05-17T00:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2024-05-18T00:00:00.0000000", timeZone: "UTC" },
      recurrence: {
        pattern: { type: "absoluteYearly", interval: 1, month: 5, dayOfMonth: 17 },
        range: { type: "noEnd", startDate: "2024-05-17" },
      },
      showAs: "free",
      lastModifiedDateTime: "2024-04-01T00:00:00Z",
    });
    expect(birthday).toContain("DTSTART;VALUE=DATE:20240517\r\n");
    expect(birthday).toContain("RRULE:FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=17\r\n");
    expect(birthday).toContain("TRANSP:TRANSPARENT\r\n");
    expect(birthday).not.toContain("VTIMEZONE");
    const ev = new ICAL.Event(
      new ICAL.Component(ICAL.parse(birthday)).getFirstSubcomponent("vevent") as ICAL.Component,
    );
    expect(ev.startDate.isDate).toBe(true);
    expect(ev.summary).toBe("🎂 Zoë");
    const it = ev.iterator();
    expect([it.next()?.toString(), it.next()?.toString()]).toEqual(["2024-05-17", "2025-05-17"]);

    const single = renderEventIcs({
      id: "S",
      subject: "Budget; Q1, Q2",
      start: { dateTime: "2026-04-01T10:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2026-04-01T11:00:00.0000000", timeZone: "UTC" },
      originalStartTimeZone: "UTC",
      sensitivity: "private",
      importance: "high",
    });
    expect(single).toContain("DTSTART:20260401T100000Z\r\n");
    expect(single).toContain("SUMMARY:Budget\\; Q1\\, Q2\r\n");
    expect(single).toContain("CLASS:PRIVATE\r\nPRIORITY:1\r\n");
    expect(single).not.toContain("VTIMEZONE");
    // deterministic: the same JSON gives the same bytes
    expect(renderEventIcs({ id: "S", subject: "x" })).toBe(renderEventIcs({ id: "S", subject: "x" }));
  });

  it("folds long lines at 75 octets without splitting UTF-8, and unfolds to the original", () => {
    const line = `DESCRIPTION:${"Zürich–北京 ".repeat(20)}`;
    const folded = foldLine(line);
    for (const physical of folded.split("\r\n").filter(Boolean))
      expect(Buffer.byteLength(physical, "utf8")).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, "").replace(/\r\n$/, "")).toBe(line);
  });
});

describe("vCard 4.0", () => {
  it("renders v1.0 and beta shapes with escaping, and parses back", () => {
    const v1 = renderContactVcard({
      id: "C1",
      displayName: "Müller, Jürgen",
      givenName: "Jürgen",
      surname: "Müller",
      companyName: "Müller & Söhne; GmbH",
      businessPhones: ["+49 89 123"],
      homePhones: [],
      mobilePhone: "+49 170 1",
      emailAddresses: [{ name: "J", address: "j@example.de" }],
      businessAddress: {
        street: "Leopoldstraße 12",
        city: "München",
        postalCode: "80802",
        countryOrRegion: "Deutschland",
      },
      homeAddress: {},
      birthday: "1984-06-04T11:59:00Z",
      personalNotes: "Line 1\nLine 2",
      categories: ["Kunde"],
    });
    expect(v1).toContain("FN:Müller\\, Jürgen\r\n");
    expect(v1).toContain("ORG:Müller & Söhne\\; GmbH\r\n");
    const card = new ICAL.Component(ICAL.parse(v1));
    expect(card.getFirstPropertyValue("fn")).toBe("Müller, Jürgen");
    expect(card.getFirstPropertyValue("note")).toBe("Line 1\nLine 2");
    expect(String(card.getFirstPropertyValue("bday"))).toBe("1984-06-04");
    expect(card.getAllProperties("tel").map((p) => String(p.getFirstValue()))).toEqual([
      "+49 89 123",
      "+49 170 1",
    ]);
    const adr = card.getFirstProperty("adr");
    expect(adr?.getParameter("type")).toBe("work");
    expect(adr?.getFirstValue()).toEqual(["", "", "Leopoldstraße 12", "München", "", "80802", "Deutschland"]);

    const beta = renderContactVcard({
      id: "C2",
      displayName: "Pager Person",
      phones: [
        { type: "pager", number: "123" },
        { type: "businessFax", number: "456" },
        { type: "radio", number: "789" },
      ],
      websites: [{ type: "work", address: "https://example.com", displayName: "" }],
      weddingAnniversary: "2010-09-01",
    });
    const b = new ICAL.Component(ICAL.parse(beta));
    expect(b.getAllProperties("tel").map((p) => p.getParameter("type"))).toEqual([
      "pager",
      ["work", "fax"],
      ["x-radio", "voice"],
    ]);
    expect(String(b.getFirstPropertyValue("anniversary"))).toBe("2010-09-01");
    expect(b.getFirstPropertyValue("url")).toBe("https://example.com");
  });
});
