import { createDb, type Db } from "@coffer/db/client";
import { Redis } from "ioredis";
import { settings } from "../config";
import { Directory, type TDirectorySource } from "../directory/directory";
import { MembershipCache } from "../directory/membership-cache";
import { GraphAdapter } from "../graph/graph-adapter";
import { TaskProducer } from "../jobs/producer";
import { runtimeSettings } from "../runtime/config";

/**
 * What the Exchange Tasks API functions work with (the portal's server side and the CLI): the database,
 * the directory (group lookup and validation of targets against Graph), the queue producer (run now,
 * job schedulers) and Redis (live progress). Create one per server process and reuse it.
 */
export type TTasksContext = {
  db: Db;
  directory: Directory;
  producer: TaskProducer;
  /** Commands; `subscribeTaskProgress` duplicates it for its subscriber connection. */
  redis: Redis;
  redisPrefix: string;
};

/** The context from this process's settings (.coffer/env + environment). `close()` releases everything. */
export function createTasksContext(
  onError: (e: Error) => void = () => {},
): TTasksContext & { close(): Promise<void> } {
  const rt = runtimeSettings();
  const redisUrl = settings("redis").REDIS_URL;
  const db = createDb(settings("database").DATABASE_URL, 5);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", onError);
  // Graph is only needed for group lookups and target checks: built on first use, so listing tasks or
  // reading logs works without Microsoft 365 settings (the CLI on a database-only host).
  let graph: GraphAdapter | undefined;
  const getGraph = () => {
    if (!graph) {
      const m365 = settings("m365");
      graph = new GraphAdapter({
        authority: m365.M365_AUTHORITY,
        graphUrl: m365.M365_GRAPH_URL,
        clientId: m365.M365_CLIENT_ID,
        clientSecret: m365.M365_CLIENT_SECRET,
        caFile: m365.M365_CA_FILE,
        redis,
        redisPrefix: rt.COFFER_REDIS_PREFIX,
      });
    }
    return graph;
  };
  const source: TDirectorySource = {
    searchGroups: (...a) => getGraph().searchGroups(...a),
    getGroup: (...a) => getGraph().getGroup(...a),
    findGroupsByAddress: (...a) => getGraph().findGroupsByAddress(...a),
    listGroups: (...a) => getGraph().listGroups(...a),
    listTransitiveUserMembers: (...a) => getGraph().listTransitiveUserMembers(...a),
    findUsersByAddress: (...a) => getGraph().findUsersByAddress(...a),
    listCalendarPermissions: (...a) => getGraph().listCalendarPermissions(...a),
    listUsers: (...a) => getGraph().listUsers(...a),
    getUser: (...a) => getGraph().getUser(...a),
  };
  const producer = new TaskProducer(redisUrl, rt.COFFER_REDIS_PREFIX, onError);
  return {
    db,
    directory: new Directory(source, new MembershipCache(redis, rt.COFFER_REDIS_PREFIX)),
    producer,
    redis,
    redisPrefix: rt.COFFER_REDIS_PREFIX,
    async close() {
      await producer.close();
      await graph?.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}
