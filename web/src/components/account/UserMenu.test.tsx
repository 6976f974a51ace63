/** Tests of the user menu: its items (the admin page for admins only), Escape, and signing out. */
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../../api";
import { user } from "../../testing";
import { UserMenu } from "./UserMenu";

afterEach(cleanup);

describe("the user menu", () => {
  it("shows the user's name, offers files and usage to everyone and the admin page only to admins, and closes on Escape", () => {
    const onAccount = vi.fn();
    const onUsage = vi.fn();
    const onFiles = vi.fn();
    const screen = render(<UserMenu user={user()} onAccount={onAccount} onFiles={onFiles} onUsage={onUsage} onAdmin={vi.fn()} onStatus={vi.fn()} onSignOut={vi.fn()} />);
    expect(screen.getByTestId("user-name").textContent).toBe("Ada");
    fireEvent.click(screen.getByTestId("user-menu-button"));
    expect(screen.queryByTestId("menu-admin")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("menu-account"));
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("user-menu")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("user-menu-button"));

    fireEvent.click(screen.getByTestId("user-menu-button"));
    fireEvent.click(screen.getByTestId("menu-account"));
    expect(onAccount).toHaveBeenCalled();
    expect(screen.queryByTestId("user-menu")).toBeNull();
    fireEvent.click(screen.getByTestId("user-menu-button"));
    fireEvent.click(screen.getByRole("menuitem", { name: "Usage and limits" }));
    expect(onUsage).toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("user-menu-button"));
    fireEvent.click(screen.getByRole("menuitem", { name: "Files" }));
    expect(onFiles).toHaveBeenCalled();
    expect(screen.queryByTestId("user-menu")).toBeNull();

    expect(screen.queryByTestId("menu-status")).toBeNull();
    const onStatus = vi.fn();
    screen.rerender(<UserMenu user={user({ role: "admin" })} onAccount={onAccount} onFiles={vi.fn()} onUsage={vi.fn()} onAdmin={vi.fn()} onStatus={onStatus} onSignOut={vi.fn()} />);
    fireEvent.click(screen.getByTestId("user-menu-button"));
    expect(screen.getByTestId("menu-admin")).toBeTruthy();
    fireEvent.click(screen.getByRole("menuitem", { name: "Status: queue, workers and answers" }));
    expect(onStatus).toHaveBeenCalled();
  });

  it("says why signing out failed", async () => {
    const onSignOut = vi.fn(() => Promise.reject(new ApiError(0, "The server cannot be reached. Check your connection.")));
    const screen = render(<UserMenu user={user()} onAccount={vi.fn()} onFiles={vi.fn()} onUsage={vi.fn()} onAdmin={vi.fn()} onStatus={vi.fn()} onSignOut={onSignOut} />);
    fireEvent.click(screen.getByTestId("user-menu-button"));
    fireEvent.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(screen.getByTestId("sign-out-error").textContent).toBe("The server cannot be reached. Check your connection."));
  });
});
