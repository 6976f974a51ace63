/** Tests of the account page against a stubbed fetch: the profile's change, sessions, and a key shown once. */
import { cleanup, fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { refused, serve, updatesFeed, user } from "../../testing";
import type { ApiKey, SignIn } from "../../types";
import { AccountPage } from "./AccountPage";
import { profileChange } from "./ProfileForm";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const session = (id: string, current = false): SignIn => ({
  id, current, address: "127.0.0.1", created_at: "2026-11-24T10:00:00Z", last_seen_at: "2026-11-24T10:00:00Z",
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
});
const key = (id: string, name: string): ApiKey => ({ id, name, created_at: "2026-11-24T10:00:00Z", last_used_at: null });
const type = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });

function renderPage(onUserChanged = vi.fn()) {
  const screen = render(
    <AccountPage user={user()} onUserChanged={onUserChanged} updates={updatesFeed().subscribe} theme="light" onToggleTheme={vi.fn()} onOpenSidebar={vi.fn()} onBack={vi.fn()} />,
  );
  return { screen, onUserChanged };
}

describe("profileChange", () => {
  it("sends only what changed, and says why nothing can be sent", () => {
    expect(profileChange(user(), " Ada L. ", "", "", "pw")).toEqual({ current_password: "pw", name: "Ada L." });
    expect(profileChange(user(), "Ada", "new password", "new password", "pw")).toEqual({ current_password: "pw", new_password: "new password" });
    expect(profileChange(user(), "Ada", "new password", "new pasword", "pw")).toBe("The two new passwords differ.");
    expect(profileChange(user(), "Ada", "", "", "pw")).toBe("Change the name or the password first.");
  });
});

describe("the account page", () => {
  it("marks this browser, signs another out, and lists the sessions again after a new password", async () => {
    let sessions = [session("s1", true), session("s2")];
    const { requests } = serve({
      "GET /api/auth/sessions": () => Response.json(sessions),
      "DELETE /api/auth/sessions/s2": () => new Response(null, { status: 204 }),
      "GET /api/keys": () => Response.json([]),
      "PATCH /api/auth/me": () => Response.json(user()),
    });
    const { screen, onUserChanged } = renderPage();
    const rows = await screen.findAllByTestId("session-row");
    expect(rows.map((row) => row.dataset.current)).toEqual(["true", "false"]);
    expect(within(rows[0]!).getByTestId("current-session").textContent).toBe("This browser");
    expect(within(rows[0]!).queryByTestId("revoke-session")).toBeNull();
    expect(rows[1]!.textContent).toContain("Chrome on Linux");

    fireEvent.click(within(rows[1]!).getByTestId("revoke-session"));
    await waitFor(() => expect(screen.getAllByTestId("session-row")).toHaveLength(1));

    sessions = [session("s1", true)];
    type(screen.getByTestId("profile-new-password"), "another long passphrase");
    type(screen.getByTestId("profile-repeat-password"), "another long passphrase");
    type(screen.getByTestId("profile-current-password"), "the old passphrase");
    fireEvent.submit(screen.getByTestId("profile-form"));
    expect((await screen.findByTestId("profile-saved")).textContent).toBe("Saved. Your other sessions were signed out.");
    expect(requests.find((r) => r.route === "PATCH /api/auth/me")?.body).toEqual({
      current_password: "the old passphrase", new_password: "another long passphrase",
    });
    expect(onUserChanged).toHaveBeenCalledWith(user());
    expect((screen.getByTestId("profile-current-password") as HTMLInputElement).value).toBe("");
    await waitFor(() => expect(requests.filter((r) => r.route === "GET /api/auth/sessions")).toHaveLength(2));
  });

  it("shows the server's sentence for a wrong current password", async () => {
    serve({
      "GET /api/auth/sessions": () => Response.json([]),
      "GET /api/keys": () => Response.json([]),
      "PATCH /api/auth/me": refused(403, "The current password is wrong."),
    });
    const { screen } = renderPage();
    type(screen.getByTestId("profile-name"), "Ada L.");
    type(screen.getByTestId("profile-current-password"), "not it");
    fireEvent.submit(screen.getByTestId("profile-form"));
    expect((await screen.findByTestId("profile-error")).textContent).toBe("The current password is wrong.");
  });

  it("shows a new key once, with a copy button, and lists it without its secret", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    serve({
      "GET /api/auth/sessions": () => Response.json([]),
      "GET /api/keys": () => Response.json([key("k1", "old script")]),
      "POST /api/keys": () => Response.json({ ...key("k2", "laptop"), key: "rck_secret" }, { status: 201 }),
      "DELETE /api/keys/k1": () => new Response(null, { status: 204 }),
    });
    const { screen } = renderPage();
    await screen.findByText("old script");
    type(screen.getByTestId("key-name"), "laptop");
    fireEvent.submit(screen.getByTestId("key-form"));

    expect((await screen.findByTestId("new-key-value")).textContent).toBe("rck_secret");
    expect((screen.getByTestId("key-name") as HTMLInputElement).value).toBe("");
    fireEvent.click(screen.getByTestId("copy-new-key"));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("rck_secret"));
    expect(screen.getAllByTestId("key-row").map((row) => row.dataset.name)).toEqual(["laptop", "old script"]);
    expect(screen.getByTestId("key-list").textContent).not.toContain("rck_secret");

    fireEvent.click(screen.getByTestId("dismiss-new-key"));
    expect(screen.queryByTestId("new-key")).toBeNull();
    fireEvent.click(within(screen.getAllByTestId("key-row")[1]!).getByTestId("delete-key"));
    fireEvent.click(screen.getByTestId("confirm-delete-key"));
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(1));
  });
});
