import {
  DAY,
  EPOCH_MS,
  graphDateTime,
  HOUR,
  isoDate,
  isoUtc,
  MINUTE,
  startOfDay,
  type WindowsTimeZone,
  wallClockToUtc,
} from "./dates";
import type { Correspondent } from "./mail-context";
import type { Rng } from "./random";

/**
 * Calendar events as Graph v1.0 event JSON (the creation shape plus the read-only fields an
 * archive cares about). Series masters carry `recurrence` and `cancelledOccurrences`; exceptions
 * are separate objects of type "exception" with `originalStart`.
 *
 * There are no ids. References between events use the placeholder `events[<n>]` — the index of
 * the master in the mailbox's `events` array — in `seriesMasterId` and inside the
 * `cancelledOccurrences` strings (`OID.events[<n>].<yyyy-mm-dd>`); the simulator replaces it with
 * the id it assigns to that master.
 */

type Json = Record<string, unknown>;

export interface EventPeople {
  owner: Correspondent;
  colleagues: Correspondent[];
  externals: Correspondent[];
  room?: Correspondent;
  isResource: boolean;
}

function emailAddress(c: Correspondent) {
  return { name: c.name, address: c.address };
}

function attendee(
  c: Correspondent,
  type: "required" | "optional" | "resource",
  response: string,
  atMs: number,
) {
  return {
    type,
    status: { response, time: response === "none" ? "0001-01-01T00:00:00Z" : isoUtc(atMs) },
    emailAddress: emailAddress(c),
  };
}

function teams(rng: Rng) {
  const id = rng.hex(12);
  return {
    isOnlineMeeting: true,
    onlineMeetingProvider: "teamsForBusiness",
    onlineMeeting: { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${id}%40thread.v2/0` },
  };
}

const NOT_ONLINE = { isOnlineMeeting: false, onlineMeetingProvider: "unknown", onlineMeeting: null };

interface Base {
  subject: string;
  zone: WindowsTimeZone;
  startWall: number;
  minutes: number;
  organizer: Correspondent;
  attendees: Correspondent[];
  location: string;
  online: boolean;
  createdMs: number;
  body: string;
}

function eventJson(people: EventPeople, rng: Rng, b: Base, extra: Json = {}): Json {
  const isOrganizer = b.organizer.address === people.owner.address;
  const attendees = b.attendees
    .filter((a) => a.address !== b.organizer.address)
    .map((a, i) =>
      attendee(
        a,
        i === 0 || rng.chance(0.7) ? "required" : "optional",
        rng.pick(["accepted", "tentativelyAccepted", "none", "accepted"]),
        b.createdMs + HOUR,
      ),
    );
  if (people.room && !people.isResource && rng.chance(0.4))
    attendees.push(attendee(people.room, "resource", "accepted", b.createdMs));
  return {
    subject: b.subject,
    body: { contentType: "html", content: `<html><body><p>${b.body}</p></body></html>` },
    start: graphDateTime(b.startWall, b.zone),
    end: graphDateTime(b.startWall + b.minutes * MINUTE, b.zone),
    originalStartTimeZone: b.zone,
    originalEndTimeZone: b.zone,
    isAllDay: false,
    location: { displayName: b.location, locationType: b.online ? "default" : "conferenceRoom" },
    organizer: { emailAddress: emailAddress(b.organizer) },
    isOrganizer,
    attendees,
    responseStatus: {
      response: isOrganizer
        ? "organizer"
        : people.isResource
          ? "accepted"
          : rng.pick(["accepted", "tentativelyAccepted", "notResponded"]),
      time: isoUtc(b.createdMs + 2 * HOUR),
    },
    responseRequested: true,
    allowNewTimeProposals: true,
    showAs: "busy",
    importance: "normal",
    sensitivity: "normal",
    categories: [],
    isReminderOn: true,
    reminderMinutesBeforeStart: 15,
    isCancelled: false,
    hideAttendees: false,
    ...(b.online ? teams(rng) : NOT_ONLINE),
    createdDateTime: isoUtc(b.createdMs),
    lastModifiedDateTime: isoUtc(b.createdMs + DAY),
    ...extra,
  };
}

/** Wall-clock midnight of a day offset from the epoch, plus hours/minutes. */
function wall(dayOffset: number, hour: number, minute = 0): number {
  return startOfDay(EPOCH_MS) + dayOffset * DAY + hour * HOUR + minute * MINUTE;
}

function mondayOnOrAfter(ms: number): number {
  const day = new Date(ms).getUTCDay();
  return startOfDay(ms) + ((8 - day) % 7) * DAY;
}

interface Series {
  master: Json;
  exceptions: Json[];
}

function series(
  events: Json[],
  people: EventPeople,
  rng: Rng,
  b: Base,
  recurrence: Json,
  occurrences: number[],
  options: { cancel: number; except: number },
): Series {
  const masterIndex = events.length;
  const ref = `events[${masterIndex}]`;
  const past = occurrences.filter((o) => o < EPOCH_MS + 30 * DAY);
  const picked = rng.sample(past, options.cancel + options.except);
  const cancelled = picked.slice(0, options.cancel).sort((a, c) => a - c);
  const excepted = picked.slice(options.cancel).sort((a, c) => a - c);
  const master = eventJson(people, rng, b, {
    type: "seriesMaster",
    recurrence,
    cancelledOccurrences: cancelled.map((o) => `OID.${ref}.${isoDate(o)}`),
  });
  events.push(master);
  const exceptions = excepted.map((occurrence) => {
    const moved = occurrence + rng.pick([-1, 1, 2]) * HOUR;
    const exception = eventJson(
      people,
      rng,
      { ...b, startWall: moved, createdMs: occurrence - 3 * DAY },
      {
        type: "exception",
        seriesMasterId: ref,
        originalStart: isoUtc(wallClockToUtc(occurrence, b.zone)),
        subject: rng.chance(0.5) ? `${b.subject} (moved)` : b.subject,
        location: {
          displayName: rng.pick(["Fjord Room", "Café Zürich, 2nd floor", b.location]),
          locationType: "default",
        },
      },
    );
    events.push(exception);
    return exception;
  });
  return { master, exceptions };
}

export function buildEvents(people: EventPeople, rng: Rng): Json[] {
  const events: Json[] = [];
  const team = people.colleagues.slice(0, 6);
  const organizerOf = (fallback: Correspondent) => (people.isResource ? fallback : people.owner);
  const someone = team[0] ?? people.externals[0]!;

  // Weekly team meeting since early 2025, Mondays 09:30 Berlin time, on Teams
  const weeklyStart = mondayOnOrAfter(Date.parse("2025-01-06T00:00:00Z")) + 9 * HOUR + 30 * MINUTE;
  const weeklyEnd = Date.parse("2027-06-28T00:00:00Z");
  const weekly: number[] = [];
  for (let t = weeklyStart; t < weeklyEnd; t += 7 * DAY) weekly.push(t);
  series(
    events,
    people,
    rng,
    {
      subject: "Weekly team sync",
      zone: "W. Europe Standard Time",
      startWall: weeklyStart,
      minutes: 30,
      organizer: organizerOf(someone),
      attendees: [people.owner, ...team],
      location: "Microsoft Teams Meeting",
      online: true,
      createdMs: weeklyStart - 10 * DAY,
      body: "Agenda: updates, blockers, next steps.",
    },
    {
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "monday" },
      range: {
        type: "endDate",
        startDate: isoDate(weeklyStart),
        endDate: isoDate(weeklyEnd),
        recurrenceTimeZone: "W. Europe Standard Time",
        numberOfOccurrences: 0,
      },
    },
    weekly,
    { cancel: 3, except: 2 },
  );

  // Daily stand-up for a six-week sprint around the epoch
  const dailyStart = wall(-28, 9, 0);
  const daily = Array.from({ length: 42 }, (_, i) => dailyStart + i * DAY);
  series(
    events,
    people,
    rng,
    {
      subject: "Phoenix stand-up",
      zone: "GMT Standard Time",
      startWall: dailyStart,
      minutes: 15,
      organizer: organizerOf(someone),
      attendees: [people.owner, ...team.slice(0, 4)],
      location: "Microsoft Teams Meeting",
      online: true,
      createdMs: wall(-35, 12),
      body: "15 minutes, cameras on if you can.",
    },
    {
      pattern: { type: "daily", interval: 1 },
      range: {
        type: "numbered",
        startDate: isoDate(dailyStart),
        endDate: "0001-01-01",
        recurrenceTimeZone: "GMT Standard Time",
        numberOfOccurrences: 42,
      },
    },
    daily,
    { cancel: 2, except: 1 },
  );

  // Monthly finance close on the 15th, no end date
  const monthlyStart = Date.parse("2024-03-15T14:00:00Z");
  const monthly: number[] = [];
  for (let m = 0; m < 40; m++) monthly.push(Date.UTC(2024, 2 + m, 15, 14, 0));
  series(
    events,
    people,
    rng,
    {
      subject: "Monthly close review",
      zone: "W. Europe Standard Time",
      startWall: monthlyStart,
      minutes: 60,
      organizer: organizerOf(someone),
      attendees: [people.owner, ...team.slice(1, 3)],
      location: "Harbour Room",
      online: false,
      createdMs: monthlyStart - 20 * DAY,
      body: "Review of the month-end figures.",
    },
    {
      pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 15, firstDayOfWeek: "sunday" },
      range: {
        type: "noEnd",
        startDate: isoDate(monthlyStart),
        endDate: "0001-01-01",
        recurrenceTimeZone: "W. Europe Standard Time",
        numberOfOccurrences: 0,
      },
    },
    monthly,
    { cancel: 1, except: 1 },
  );

  if (!people.isResource) {
    // A yearly all-day reminder (a colleague's birthday) and multi-day all-day events
    const birthday = team[1] ?? someone;
    events.push({
      ...eventJson(people, rng, {
        subject: `🎂 ${birthday.name}`,
        zone: "UTC",
        startWall: Date.UTC(2024, 4, 17),
        minutes: 24 * 60,
        organizer: people.owner,
        attendees: [],
        location: "",
        online: false,
        createdMs: Date.UTC(2024, 3, 1),
        body: "",
      }),
      isAllDay: true,
      showAs: "free",
      isReminderOn: false,
      type: "seriesMaster",
      recurrence: {
        pattern: { type: "absoluteYearly", interval: 1, month: 5, dayOfMonth: 17, firstDayOfWeek: "sunday" },
        range: {
          type: "noEnd",
          startDate: "2024-05-17",
          endDate: "0001-01-01",
          recurrenceTimeZone: "UTC",
          numberOfOccurrences: 0,
        },
      },
      cancelledOccurrences: [],
    });
    for (const [subject, day, days] of [
      ["Offsite Lisbon", 17, 3],
      ["Public holiday – Tag der Deutschen Einheit", -29, 1],
      ["Vacation ☀️", -200, 10],
    ] as const) {
      const start = wall(day, 0);
      events.push({
        ...eventJson(people, rng, {
          subject,
          zone: "UTC",
          startWall: start,
          minutes: days * 24 * 60,
          organizer: people.owner,
          attendees: [],
          location: subject === "Offsite Lisbon" ? "Lisboa, Portugal" : "",
          online: false,
          createdMs: start - 30 * DAY,
          body: "",
        }),
        isAllDay: true,
        showAs: subject.startsWith("Vacation") ? "oof" : "free",
        type: "singleInstance",
      });
    }
  }

  // One-off meetings over the last three years and the next two months, in several time zones
  const zones: WindowsTimeZone[] = [
    "W. Europe Standard Time",
    "Pacific Standard Time",
    "China Standard Time",
    "Tokyo Standard Time",
    "Eastern Standard Time",
    "UTC",
  ];
  const topics = [
    "Quarterly business review",
    "Contract negotiation",
    "Interview: senior engineer",
    "Lunch & learn: Copilot",
    "Budget planning 2027",
    "Kundentermin Müller & Söhne",
    "Démo produit",
    "1:1",
  ];
  const count = people.isResource ? 25 : 18;
  for (let i = 0; i < count; i++) {
    const external = rng.chance(0.3);
    const guest = external
      ? rng.pick(people.externals)
      : (rng.pick(team.length > 0 ? team : people.externals) as Correspondent);
    const organizer = people.isResource ? guest : rng.chance(0.6) ? people.owner : guest;
    const day = -rng.int(-60, 3 * 365);
    const zone = rng.pick(zones);
    const startWall = wall(day, rng.int(8, 16), rng.pick([0, 30]));
    const isPrivate = !people.isResource && rng.chance(0.1);
    events.push(
      eventJson(
        people,
        rng,
        {
          subject: isPrivate ? "Doctor's appointment" : rng.pick(topics),
          zone,
          startWall,
          minutes: rng.pick([30, 45, 60, 90]),
          organizer,
          attendees: isPrivate ? [] : [people.owner, guest, ...(rng.chance(0.5) ? team.slice(2, 4) : [])],
          location: external
            ? rng.pick(["Microsoft Teams Meeting", "Fabrikam HQ, Redmond"])
            : rng.pick(["Harbour Room", "Fjord Room", "Microsoft Teams Meeting"]),
          online: !isPrivate && rng.chance(0.6),
          createdMs: wallClockToUtc(startWall, zone) - rng.int(1, 20) * DAY,
          body: isPrivate ? "Private." : "Let's use the time to align on the open points.",
        },
        {
          type: "singleInstance",
          ...(isPrivate
            ? { sensitivity: "private", showAs: "oof" }
            : rng.chance(0.15)
              ? { showAs: "tentative" }
              : {}),
          ...(rng.chance(0.2) ? { categories: [rng.pick(["Red category", "Blue category", "Kunde"])] } : {}),
          ...(rng.chance(0.1) ? { importance: "high" } : {}),
        },
      ),
    );
  }
  return events;
}
