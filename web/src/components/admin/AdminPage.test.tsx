/** Tests of the admin page against a stubbed fetch: approving, refusals in the server's words, adding, deleting, sign-ups,
 * limits (each role's, and a user's own) and the usage table's order. */
import { cleanup, fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { LIMITS, type Route, refused, serve, user } from "../../testing";
import type { Limits, McpServer, RoleLimits, User, UserUsage } from "../../types";
import { AdminPage } from "./AdminPage";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const admin = user({ id: "u1", role: "admin", email: "admin@example.com", name: "Admin" });
const waiting = user({ id: "u2", email: "bo@example.com", name: "Bo", status: "pending" });
const header = { theme: "light" as const, onToggleTheme: vi.fn(), onOpenSidebar: vi.fn(), onBack: vi.fn() };
const type = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });
const row = (screen: ReturnType<typeof render>, email: string) =>
  screen.getAllByTestId("user-row").find((r) => r.dataset.email === email)!;
const value = (screen: ReturnType<typeof render>, testId: string) => (screen.getByTestId(testId) as HTMLInputElement).value;

const UNLIMITED: Limits = { running_answers: null, waiting_answers: null, tokens_per_day: null, cost_per_month_usd: null, storage_mb: null };
const ROLES: RoleLimits = { admin: UNLIMITED, user: LIMITS };
const usage = (account: User, tokens: number, answers: number, cost: number): UserUsage => ({
  user_id: account.id, email: account.email, name: account.name, prompt_tokens: tokens, completion_tokens: 0, cost_usd: cost, answers,
});

/** What every admin page reads when it opens, besides the accounts. */
const opening = (rows: UserUsage[] = []): Record<string, Route> => ({
  "GET /api/admin/settings": () => Response.json({ signup: "approval" }),
  "GET /api/admin/limits": () => Response.json(ROLES),
  "GET /api/admin/usage?days=30&sort=cost": () => Response.json(rows),
  "GET /api/admin/mcp-servers": () => Response.json([]),
});

describe("the admin page", () => {
  it("approves a pending account and shows the server's refusal to demote the last admin", async () => {
    const { requests } = serve({
      ...opening(),
      "GET /api/admin/users": () => Response.json([admin, waiting]),
      "PATCH /api/admin/users/u2": () => Response.json({ ...waiting, status: "active" }),
      "PATCH /api/admin/users/u1": refused(409, "relaychat needs at least one active admin: make another admin first."),
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findAllByTestId("user-row");
    expect(screen.getByTestId("pending-count").textContent).toBe("1 waiting for approval");

    fireEvent.click(within(row(screen, "bo@example.com")).getByTestId("approve-user"));
    await waitFor(() => expect(row(screen, "bo@example.com").dataset.status).toBe("active"));
    expect(requests.find((r) => r.route === "PATCH /api/admin/users/u2")?.body).toEqual({ status: "active" });
    expect(screen.queryByTestId("pending-count")).toBeNull();

    const role = within(row(screen, "admin@example.com")).getByLabelText("Role of Admin (admin@example.com)");
    fireEvent.change(role, { target: { value: "user" } });
    expect((await screen.findByTestId("admin-error")).textContent).toBe("relaychat needs at least one active admin: make another admin first.");
    expect(row(screen, "admin@example.com").dataset.role).toBe("admin");
  });

  it("adds an account, deletes one after a confirmation, and changes the signup mode", async () => {
    const made: User = user({ id: "u3", email: "cy@example.com", name: "Cy" });
    const { requests } = serve({
      ...opening(),
      "GET /api/admin/users": () => Response.json([admin, waiting]),
      "POST /api/admin/users": () => Response.json(made, { status: 201 }),
      "DELETE /api/admin/users/u2": () => new Response(null, { status: 204 }),
      "PATCH /api/admin/settings": (body) => Response.json(body),
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findAllByTestId("user-row");

    type(screen.getByTestId("add-user-email"), "cy@example.com");
    type(screen.getByTestId("add-user-name"), "Cy");
    type(screen.getByTestId("add-user-password"), "a long passphrase");
    fireEvent.submit(screen.getByTestId("add-user-form"));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(3));
    expect(requests.find((r) => r.route === "POST /api/admin/users")?.body).toEqual({
      email: "cy@example.com", name: "Cy", password: "a long passphrase", role: "user",
    });

    fireEvent.click(within(row(screen, "bo@example.com")).getByTestId("delete-user"));
    expect(requests.some((r) => r.route.startsWith("DELETE"))).toBe(false);
    fireEvent.click(screen.getByTestId("confirm-delete-user"));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(2));

    expect((screen.getByTestId("signup-approval") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("signup-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId("signup-closed"));
    fireEvent.submit(screen.getByTestId("signup-form"));
    await waitFor(() => expect((screen.getByTestId("signup-save") as HTMLButtonElement).disabled).toBe(true));
    expect(requests.find((r) => r.route === "PATCH /api/admin/settings")?.body).toEqual({ signup: "closed" });
    expect((screen.getByTestId("signup-closed") as HTMLInputElement).checked).toBe(true);
  });

  it("saves each role's default limits, an empty field as unlimited, and shows the server's sentence for a refusal", async () => {
    let saved: RoleLimits = ROLES;
    const { requests } = serve({
      ...opening(),
      "GET /api/admin/users": () => Response.json([admin]),
      "PUT /api/admin/limits": (body) => {
        const limits = body as RoleLimits;
        if ((limits.user.running_answers ?? 0) > 100_000) {
          return Response.json({ detail: "user.running_answers: Input should be less than or equal to 100000" }, { status: 422 });
        }
        saved = limits;
        return Response.json(saved);
      },
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findByTestId("role-limits-form");
    expect(value(screen, "limit-user-waiting_answers")).toBe("50");
    expect(value(screen, "limit-user-cost_per_month_usd")).toBe("20");
    expect(value(screen, "limit-admin-tokens_per_day")).toBe("");
    expect((screen.getByTestId("limit-admin-tokens_per_day") as HTMLInputElement).placeholder).toBe("unlimited");
    expect(screen.getByLabelText("Users' tokens per day")).toBe(screen.getByTestId("limit-user-tokens_per_day"));
    expect(value(screen, "limit-user-storage_mb")).toBe("500");
    expect(screen.getAllByText("Files kept (MB)")).toHaveLength(2); // one for each role

    type(screen.getByTestId("limit-user-tokens_per_day"), "");
    type(screen.getByTestId("limit-user-cost_per_month_usd"), "12.5");
    type(screen.getByTestId("limit-admin-running_answers"), "8");
    type(screen.getByTestId("limit-admin-storage_mb"), "2000");
    fireEvent.submit(screen.getByTestId("role-limits-form"));
    expect((await screen.findByTestId("role-limits-saved")).textContent).toContain("Saved.");
    expect(requests.find((r) => r.route === "PUT /api/admin/limits")?.body).toEqual({
      user: { running_answers: 4, waiting_answers: 50, tokens_per_day: null, cost_per_month_usd: 12.5, storage_mb: 500 },
      admin: { running_answers: 8, waiting_answers: null, tokens_per_day: null, cost_per_month_usd: null, storage_mb: 2000 },
    });
    expect(value(screen, "limit-user-tokens_per_day")).toBe("");

    type(screen.getByTestId("limit-user-running_answers"), "200000");
    fireEvent.submit(screen.getByTestId("role-limits-form"));
    expect((await screen.findByTestId("role-limits-error")).textContent).toBe("user.running_answers: Input should be less than or equal to 100000");
    expect(screen.queryByTestId("role-limits-saved")).toBeNull();
    expect(saved.user.running_answers).toBe(4);
  });

  it("opens a user's own limits with the role's as placeholders and what applies, and saves all five", async () => {
    const bo = user({ id: "u2", email: "bo@example.com", name: "Bo" });
    const own: Limits = { ...UNLIMITED, waiting_answers: 3 };
    const { requests, count } = serve({
      ...opening(),
      "PUT /api/admin/limits": (body) => Response.json(body),
      "GET /api/admin/users": () => Response.json([admin, bo]),
      "GET /api/admin/users/u2/limits": () => Response.json({ user_id: "u2", own, effective: { ...LIMITS, waiting_answers: 3 } }),
      "PUT /api/admin/users/u2/limits": (body) =>
        (body as Limits).tokens_per_day === -1
          ? Response.json({ detail: "tokens_per_day: Input should be greater than or equal to 0" }, { status: 422 })
          : Response.json({ user_id: "u2", own: body, effective: { ...LIMITS, ...Object.fromEntries(Object.entries(body as Limits).filter(([, v]) => v !== null)) } }),
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findAllByTestId("user-row");
    const open = within(row(screen, "bo@example.com")).getByRole("button", { name: "Limits of Bo (bo@example.com)" });
    expect(open.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(open);
    expect(open.getAttribute("aria-expanded")).toBe("true");

    const editor = await screen.findByTestId("user-limits-form");
    expect(value(screen, "own-limit-waiting_answers")).toBe("3");
    expect(value(screen, "own-limit-running_answers")).toBe("");
    expect((screen.getByTestId("own-limit-running_answers") as HTMLInputElement).placeholder).toBe("4");
    expect((screen.getByTestId("own-limit-cost_per_month_usd") as HTMLInputElement).placeholder).toBe("$20.00");
    expect((screen.getByTestId("own-limit-storage_mb") as HTMLInputElement).placeholder).toBe("500");
    expect(screen.getByTestId("effective-limits").textContent).toBe("Applies now: 4 answers at once, 3 waiting; 100,000 tokens a day; $20.00 a month.");

    type(screen.getByTestId("own-limit-waiting_answers"), "0");
    type(screen.getByTestId("own-limit-tokens_per_day"), "1000");
    type(screen.getByTestId("own-limit-storage_mb"), "50");
    fireEvent.submit(editor);
    await screen.findByTestId("user-limits-saved");
    expect(requests.find((r) => r.route === "PUT /api/admin/users/u2/limits")?.body).toEqual({
      running_answers: null, waiting_answers: 0, tokens_per_day: 1000, cost_per_month_usd: null, storage_mb: 50,
    });
    expect(screen.getByTestId("effective-limits").textContent).toBe("Applies now: 4 answers at once, 0 waiting; 1,000 tokens a day; $20.00 a month.");

    type(screen.getByTestId("own-limit-tokens_per_day"), "-1");
    fireEvent.submit(screen.getByTestId("user-limits-form"));
    expect((await screen.findByTestId("user-limits-error")).textContent).toBe("tokens_per_day: Input should be greater than or equal to 0");

    // New role defaults change what applies to Bo where he has no limit of his own: read again.
    type(screen.getByTestId("limit-user-running_answers"), "2");
    fireEvent.submit(screen.getByTestId("role-limits-form"));
    await waitFor(() => expect(count("GET /api/admin/users/u2/limits")).toBe(2));

    fireEvent.click(open);
    expect(screen.queryByTestId("user-limits")).toBeNull();
  });

  it("sorts every account's usage by the column chosen, as the server orders it", async () => {
    const ann = user({ id: "u2", email: "ann@example.com", name: "Ann" });
    const bo = user({ id: "u3", email: "bo@example.com", name: "Bo" });
    const rows = [usage(ann, 100, 1, 0.5), usage(bo, 9_000, 2, 0.25), usage(admin, 0, 0, 0)];
    const { requests } = serve({
      ...opening(rows),
      "GET /api/admin/users": () => Response.json([admin, ann, bo]),
      "GET /api/admin/usage?days=30&sort=tokens": () => Response.json([rows[1], rows[0], rows[2]]),
      "GET /api/admin/usage?days=30&sort=email": () => Response.json([rows[2], rows[0], rows[1]]),
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    const emails = () => screen.getAllByTestId("usage-row").map((r) => r.dataset.email);
    await waitFor(() => expect(emails()).toEqual(["ann@example.com", "bo@example.com", "admin@example.com"]));
    const table = screen.getByTestId("usage-table");
    const sortedBy = () => within(table).getAllByRole("columnheader").filter((th) => th.getAttribute("aria-sort")).map((th) => [th.textContent, th.getAttribute("aria-sort")]);
    expect(sortedBy()).toEqual([["Cost ▼, sort the most first", "descending"]]);
    expect(within(table).getAllByRole("row")[2]!.textContent).toBe("Bobo@example.com29,000$0.25");

    fireEvent.click(screen.getByTestId("sort-tokens"));
    await waitFor(() => expect(emails()).toEqual(["bo@example.com", "ann@example.com", "admin@example.com"]));
    expect(table.dataset.sort).toBe("tokens");
    expect(sortedBy()).toEqual([["Tokens ▼, sort the most first", "descending"]]);

    fireEvent.click(screen.getByRole("button", { name: "Account, sort A to Z" }));
    await waitFor(() => expect(emails()).toEqual(["admin@example.com", "ann@example.com", "bo@example.com"]));
    expect(sortedBy()).toEqual([["Account ▲, sort A to Z", "ascending"]]);
    expect(requests.filter((r) => r.route.startsWith("GET /api/admin/usage")).map((r) => r.route)).toEqual([
      "GET /api/admin/usage?days=30&sort=cost",
      "GET /api/admin/usage?days=30&sort=tokens",
      "GET /api/admin/usage?days=30&sort=email",
    ]);
  });

  it("is shut to a user who is not an admin", () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const screen = render(<AdminPage user={user()} {...header} />);
    expect(screen.getByTestId("admin-only").textContent).toBe("Only an admin can see this page.");
    expect(fetch).not.toHaveBeenCalled();
  });
});


describe("the admin's MCP servers", () => {
  const listed: McpServer = {
    id: "s1", name: "clock", transport: "stdio", url: null, command: "uvx", args: ["mcp-server-time"], has_secrets: true,
    idempotent_tools: null, status: "unknown", status_detail: null, checked_at: null, tools: [],
  };
  const connected: McpServer = {
    ...listed, status: "ok", tools: [{ name: "get_current_time", description: "The time in a zone.", input_schema: { type: "object" } }],
  };

  it("registers a command with its environment sealed, then shows the tools a worker listed", async () => {
    let reads = 0;
    const { requests } = serve({
      ...opening(),
      "GET /api/admin/users": () => Response.json([admin]),
      "GET /api/admin/mcp-servers": () => Response.json(reads++ === 0 ? [] : [connected]),
      "POST /api/admin/mcp-servers": () => Response.json(listed, { status: 201 }),
    });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findByTestId("mcp-none");
    type(screen.getByTestId("mcp-name"), "clock");
    fireEvent.change(screen.getByTestId("mcp-transport"), { target: { value: "stdio" } });
    type(screen.getByTestId("mcp-command"), "uvx");
    type(screen.getByTestId("mcp-args"), "mcp-server-time\n");
    type(screen.getByTestId("mcp-secrets"), "TZ=Europe/Oslo");
    fireEvent.submit(screen.getByTestId("mcp-form"));
    await waitFor(() => expect(screen.getByTestId("mcp-status").textContent).toBe("Listing tools…"));
    expect(requests.find((r) => r.route === "POST /api/admin/mcp-servers")?.body).toEqual({
      name: "clock", command: "uvx", args: ["mcp-server-time"], env: { TZ: "Europe/Oslo" },
    });
    // Read again while a worker lists the tools.
    await waitFor(() => expect(screen.getByTestId("mcp-status").textContent).toBe("Connected"), { timeout: 3000 });
    expect(screen.getByTestId("mcp-tool").textContent).toContain("get_current_time");
  });

  it("says which header line lacks a name, and sends nothing", async () => {
    const { requests } = serve({ ...opening(), "GET /api/admin/users": () => Response.json([admin]) });
    const screen = render(<AdminPage user={admin} {...header} />);
    await screen.findByTestId("mcp-none");
    type(screen.getByTestId("mcp-name"), "web");
    type(screen.getByTestId("mcp-url"), "https://tools.example.com/mcp");
    type(screen.getByTestId("mcp-secrets"), "Authorization: Bearer x\nno colon here");
    fireEvent.submit(screen.getByTestId("mcp-form"));
    expect((await screen.findByTestId("mcp-form-error")).textContent).toBe("Line 2 of the headers needs a name before its value.");
    expect(requests.some((r) => r.route === "POST /api/admin/mcp-servers")).toBe(false);
  });
});
