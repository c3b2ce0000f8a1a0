import { describe, expect, it } from "vitest";
import { listTaskTypes } from "./api-definitions";

describe("task types", () => {
  it("lists the seed's five types with defaults, even where a type has required settings", () => {
    const types = listTaskTypes();
    expect(types.map((t) => t.type)).toEqual([
      "folder_replication",
      "calendar_replication",
      "storage_management",
      "managed_folders",
      "permissions_sync",
    ]);
    expect(types.find((t) => t.type === "managed_folders")?.defaultSettings).toEqual({});
    expect(types.find((t) => t.type === "folder_replication")?.defaultSettings).toHaveProperty("folders");
  });
});
