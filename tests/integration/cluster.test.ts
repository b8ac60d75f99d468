import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "~/config.server";
import { type Cluster, findNginx, startCluster } from "../../tools/cluster/cluster";
import { apiUser } from "../support/api";
import { makeShow, seatIdsByLabel } from "../support/factories";
import { TEST_SECRET } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const nginx = findNginx();
if (!nginx)
  console.warn("SKIPPED tests/integration/cluster.test.ts: nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)");

const t = useTestDatabase();

describe.skipIf(!nginx)("two instances behind nginx (npm run cluster)", () => {
  let cluster: Cluster;
  let prefix: string;
  beforeAll(async () => {
    prefix = await mkdtemp(path.join(os.tmpdir(), "holdfast-nginx-test-"));
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    cluster = await startCluster({
      instances: 2,
      port,
      projectRoot: PROJECT_ROOT,
      env: {
        DATABASE_URL: t.url,
        SESSION_SECRET: TEST_SECRET,
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
        AUTH_RATE_LIMIT_PER_MINUTE: "0",
        MAIL_DIR: path.join(prefix, "mail"),
      },
      prefix,
      output: "ignore",
    });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(prefix, { recursive: true, force: true });
  }, 30_000);

  it("spreads requests over both instances, and the app's request id is nginx's", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${cluster.url}/healthz`);
      const { instance } = (await response.json()) as { instance: string };
      seen.add(instance);
      expect(response.headers.get("x-holdfast-instance")).toBe(instance);
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(seen.size).toBe(2);
  });

  it("passes a live seat map's stream through unbuffered: a hold made through nginx reaches it within a second", async () => {
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const ids = await seatIdsByLabel(t.db, show.id);
    const abort = new AbortController();
    const stream = await fetch(`${cluster.url}/shows/${show.id}/events`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain("retry: 2000");
    const buyer = await apiUser(t.db);
    // Through nginx: whichever instance takes it, the stream hears of it.
    for (const seat of [ids.A1, ids.A2]) {
      const started = Date.now();
      const held = await fetch(`${cluster.url}/api/v1/shows/${show.id}/holds`, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ seatIds: [seat] }),
      });
      expect(held.status).toBe(201);
      while (!new RegExp(`"${seat}": ?"H"`).test(text)) {
        const next = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event: ${text}`)), 1_000)),
        ]);
        text += decoder.decode(next.value);
      }
      expect(Date.now() - started).toBeLessThan(1_000);
      // Release it, so the next hold (same buyer) is a new one.
      const booking = ((await held.json()) as { booking: { id: string } }).booking;
      await fetch(`${cluster.url}/api/v1/bookings/${booking.id}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${buyer.token}` },
      });
    }
    abort.abort();
  });
});
