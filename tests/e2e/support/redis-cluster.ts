import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The Redis Cluster the tests run on: scripts/test.sh starts it (`services.sh cluster start`)
 * and sets TEST_REDIS_CLUSTER_URL; without it, the default ports of that command.
 */
export const testRedisClusterUrl = () =>
  process.env.TEST_REDIS_CLUSTER_URL ??
  `redis-cluster://${[7101, 7102, 7103, 7104, 7105, 7106].map((p) => `127.0.0.1:${p}`).join(",")}`;

export function clusterNodes(url: string): { host: string; port: number }[] {
  const hosts = url.replace(/^redis-cluster:\/\//, "").replace(/[/?].*$/, "");
  return hosts.split(",").map((entry) => {
    const [host = "", port = ""] = entry.split(":");
    return { host, port: Number(port) };
  });
}

/** Fails with what to do when no healthy cluster answers: the test must not pass by skipping. */
export async function connectCluster(url: string): Promise<Cluster> {
  const nodes = clusterNodes(url);
  const probe = new Redis({ ...nodes[0], lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  let info = "";
  try {
    await probe.connect();
    info = String(await probe.call("CLUSTER", "INFO"));
  } catch (error) {
    info = String(error);
  } finally {
    probe.disconnect();
  }
  if (!/cluster_state:ok/.test(info)) {
    throw new Error(
      `no healthy Redis Cluster at ${url} (${info.split("\n")[0]}): run \`bash scripts/services.sh cluster start\` ` +
        "(scripts/test.sh does) or set TEST_REDIS_CLUSTER_URL",
    );
  }
  return new Cluster(nodes);
}

/** The address of the master that serves a key's slot now. */
export async function masterOf(cluster: Cluster, key: string): Promise<{ host: string; port: number }> {
  const slot = Number(await cluster.call("CLUSTER", "KEYSLOT", key));
  const ranges = (await cluster.call("CLUSTER", "SLOTS")) as [number, number, [string, number, string]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return { host: range[2][0], port: range[2][1] };
}

/**
 * SIGKILLs the node on a port: a crash, not a shutdown. Only a redis-server of this
 * cluster (its command line names the port and cluster mode) is ever signalled.
 */
export async function killNode(port: number): Promise<void> {
  const node = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 0 });
  let pid: number;
  try {
    const server = String(await node.info("server"));
    pid = Number(/process_id:(\d+)/.exec(server)?.[1]);
  } finally {
    node.disconnect();
  }
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  if (!cmdline.includes(`127.0.0.1:${port}`) || !cmdline.includes("[cluster]")) {
    throw new Error(`pid ${pid} on port ${port} is not a cluster node: ${cmdline}`);
  }
  process.kill(pid, "SIGKILL");
}

/** Starts again whatever node is down (it rejoins as a replica) and waits for a healthy cluster. */
export async function restoreCluster(url: string): Promise<void> {
  const first = Math.min(...clusterNodes(url).map((n) => n.port));
  await promisify(execFile)("bash", ["scripts/services.sh", "cluster", "start"], {
    cwd: root,
    env: { ...process.env, REDIS_CLUSTER_FIRST_PORT: String(first) },
    timeout: 120_000,
  });
}

/** Deletes a test's keys; a hash-tagged prefix keeps them on one master, but look at all. */
export async function deleteKeys(cluster: Cluster, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of cluster.nodes("master")) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      for (const key of keys) deleted += await node.del(key);
      cursor = next;
    } while (cursor !== "0");
  }
  return deleted;
}
