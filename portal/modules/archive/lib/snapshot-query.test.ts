import { describe, expect, it } from "vitest";
import { parseAt, parseDay, parseSnapshotQuery, snapshotHref } from "./snapshot-query";

const NOW = new Date("2026-11-21T10:00:00Z");

describe("snapshot query", () => {
  it("reads the picker's time as UTC and treats future or malformed times as now", () => {
    expect(parseAt("2026-11-20T08:30", NOW)?.toISOString()).toBe("2026-11-20T08:30:00.000Z");
    expect(parseAt("2026-11-20T08:30:15", NOW)?.toISOString()).toBe("2026-11-20T08:30:15.000Z");
    expect(parseAt("2026-11-20T08:30:15+02:00", NOW)?.toISOString()).toBe("2026-11-20T06:30:15.000Z");
    expect(parseAt("2027-01-01T00:00", NOW)).toBeUndefined();
    expect(parseAt("yesterday", NOW)).toBeUndefined();
    expect(parseDay("2026-02-30")).toBeUndefined();
  });

  it("falls back to defaults instead of failing on bad values", () => {
    const q = parseSnapshotQuery({ type: "bogus", sort: "evil", dir: "up", p: "-3", full: "1" }, NOW);
    expect(q).toMatchObject({
      type: "mail",
      sort: "date",
      dir: undefined,
      page: 1,
      fullView: true,
      search: undefined,
    });
  });

  it("folder links drop the search; paging links keep it", () => {
    const q = parseSnapshotQuery({ q: "zebra", from: "bob", folder: "f1", at: "2026-11-20T08:30:00" }, NOW);
    expect(q.search).toMatchObject({ text: "zebra", from: "bob", scope: "folder" });
    expect(snapshotHref("m", { at: q.at, folder: "f2" })).toBe(
      "/archive/m?at=2026-11-20T08%3A30%3A00&folder=f2",
    );
    expect(snapshotHref("m", { folder: "f1", search: q.search, cursor: "c", page: 2 })).toBe(
      "/archive/m?folder=f1&q=zebra&from=bob&cursor=c&p=2",
    );
  });
});
