/** Tests of the admin page against a stubbed fetch: approving, refusals in the server's words, adding, deleting, sign-ups. */
import { cleanup, fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { refused, serve, user } from "../testing";
import type { User } from "../types";
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

describe("the admin page", () => {
  it("approves a pending account and shows the server's refusal to demote the last admin", async () => {
    const { requests } = serve({
      "GET /api/admin/users": () => Response.json([admin, waiting]),
      "GET /api/admin/settings": () => Response.json({ signup: "approval" }),
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
      "GET /api/admin/users": () => Response.json([admin, waiting]),
      "GET /api/admin/settings": () => Response.json({ signup: "approval" }),
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

  it("is shut to a user who is not an admin", () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const screen = render(<AdminPage user={user()} {...header} />);
    expect(screen.getByTestId("admin-only").textContent).toBe("Only an admin can see this page.");
    expect(fetch).not.toHaveBeenCalled();
  });
});
