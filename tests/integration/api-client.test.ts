/**
 * The generated client: `npm run api:client` writes clients/typescript/v1-types.d.ts from the OpenAPI
 * document, and openapi-fetch turns it into a typed client. One flow end to end, typed by it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "~/config.server";
import { TEST_CARDS } from "~/domain/payments";
import type { paths } from "../../clients/typescript/v1-types";
import { API_CLIENT_TYPES, renderApiClientTypes } from "../../tools/api-client-types";
import { apiUser, Contract } from "../support/api";
import { FIXTURE_PASSWORD, makeShow, seatIdsByLabel } from "../support/factories";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

describe("the generated API client", () => {
  it("is up to date with the document (run `npm run api:client` after changing the contract)", async () => {
    const checkedIn = await readFile(path.join(PROJECT_ROOT, API_CLIENT_TYPES), "utf8");
    expect(checkedIn === (await renderApiClientTypes()), `${API_CLIENT_TYPES} is stale: run npm run api:client`).toBe(true);
  });

  it("drives token → shows → hold → confirm → booking, typed from the document", async () => {
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 86_400_000) });
    const { B3, B4 } = await seatIdsByLabel(t.db, show.id);
    const user = await apiUser(t.db);
    const client = createClient<paths>({ baseUrl: server.url });
    // Every answer the client gets is also checked against the served document.
    const contract = await Contract.load(server.url);
    let checked = 0;
    client.use({
      onResponse: async ({ request, response }) => {
        const url = new URL(request.url);
        const body = await response.clone().json();
        contract.check(request.method, url.pathname + url.search, { status: response.status, headers: response.headers, body });
        checked++;
        return response;
      },
    });

    const signedIn = await client.POST("/api/v1/auth/token", { body: { email: user.email, password: FIXTURE_PASSWORD } });
    expect(signedIn.error).toBeUndefined();
    const token = signedIn.data!.token;
    client.use({
      onRequest: ({ request }) => {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    });

    const listed = await client.GET("/api/v1/shows", { params: { query: { limit: 100 } } });
    expect(listed.data?.shows.map((s) => s.id)).toContain(show.id);

    const seats = await client.GET("/api/v1/shows/{showId}", { params: { path: { showId: show.id } } });
    expect(seats.data?.seats.find((s) => s.id === B3)).toMatchObject({ label: "B3", status: "AVAILABLE" });

    const held = await client.POST("/api/v1/shows/{showId}/holds", { params: { path: { showId: show.id } }, body: { seatIds: [B3] } });
    expect(held.response.status).toBe(201);
    const bookingId = held.data!.booking.id;

    const again = await client.POST("/api/v1/shows/{showId}/holds", { params: { path: { showId: show.id } }, body: { seatIds: [B3] } });
    expect(again.data?.booking.id).toBe(bookingId);
    const more = await client.POST("/api/v1/shows/{showId}/holds", { params: { path: { showId: show.id } }, body: { seatIds: [B3, B4] } });
    expect(more.response.status).toBe(409);
    expect(more.error?.error.code).toBe("seats_unavailable");

    const paid = await client.POST("/api/v1/bookings/{bookingId}/confirm", {
      params: { path: { bookingId }, header: { "Idempotency-Key": "client-test-payment-1" } },
      body: { card: TEST_CARDS.approve },
    });
    expect(paid.data?.booking).toMatchObject({ status: "CONFIRMED", seats: [{ id: B3, label: "B3" }] });

    const mine = await client.GET("/api/v1/bookings/{bookingId}", { params: { path: { bookingId } } });
    expect(mine.data?.booking.show.name).toBe(show.name);
    expect(checked).toBe(8);
  });
});
