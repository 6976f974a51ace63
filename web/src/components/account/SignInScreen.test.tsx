/** Tests of the sign-in screens: the admin account on a new deployment, sign-in, sign-up waiting for approval, and the server's refusals. */
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../../api";
import { user } from "../../testing";
import { SignInScreen } from "./SignInScreen";

afterEach(cleanup);

const type = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });

describe("the sign-in screens", () => {
  it("offers only the admin account on a new deployment, with fields a password manager understands", async () => {
    const onRegister = vi.fn(() => Promise.resolve(user({ role: "admin" })));
    const screen = render(<SignInScreen setupRequired signup="open" notice={null} onLogin={vi.fn()} onRegister={onRegister} />);
    expect(screen.getByRole("heading").textContent).toBe("Create the admin account");
    expect(screen.queryByTestId("signin-form")).toBeNull();
    const email = screen.getByLabelText("Email");
    const password = screen.getByLabelText("Password");
    expect([email.getAttribute("type"), email.getAttribute("autocomplete")]).toEqual(["email", "username"]);
    expect([password.getAttribute("type"), password.getAttribute("autocomplete")]).toEqual(["password", "new-password"]);
    expect(password.getAttribute("aria-describedby")).toBeTruthy();

    type(screen.getByLabelText("Name"), "Ada");
    type(email, "ada@example.com");
    type(password, "a long passphrase");
    fireEvent.submit(screen.getByTestId("register-form"));
    await waitFor(() => expect(onRegister).toHaveBeenCalledWith({ email: "ada@example.com", password: "a long passphrase", name: "Ada" }));
  });

  it("shows the server's sentence when signing in is refused, and the notice of a session that ended", async () => {
    const onLogin = vi.fn(() => Promise.reject(new ApiError(429, "Too many failed sign-ins; try again in 15 minutes.")));
    const screen = render(
      <SignInScreen setupRequired={false} signup="closed" notice="Your session has ended." onLogin={onLogin} onRegister={vi.fn()} />,
    );
    expect(screen.getByTestId("auth-notice").textContent).toBe("Your session has ended.");
    expect(screen.getByLabelText("Password").getAttribute("autocomplete")).toBe("current-password");
    expect(screen.queryByTestId("show-signup")).toBeNull();
    expect(screen.getByTestId("signup-closed")).toBeTruthy();

    type(screen.getByLabelText("Email"), "ada@example.com");
    type(screen.getByLabelText("Password"), "wrong password");
    fireEvent.submit(screen.getByTestId("signin-form"));
    expect((await screen.findByTestId("auth-error")).textContent).toBe("Too many failed sign-ins; try again in 15 minutes.");
    expect(onLogin).toHaveBeenCalledWith("ada@example.com", "wrong password");
  });

  it("signs up, and says an admin must approve an account that waits", async () => {
    const onRegister = vi.fn(() => Promise.resolve(user({ status: "pending" })));
    const screen = render(<SignInScreen setupRequired={false} signup="approval" notice={null} onLogin={vi.fn()} onRegister={onRegister} />);
    fireEvent.click(screen.getByTestId("show-signup"));
    expect(screen.getByRole("heading").textContent).toBe("Create an account");
    type(screen.getByLabelText("Email"), "ada@example.com");
    type(screen.getByLabelText("Password"), "a long passphrase");
    fireEvent.submit(screen.getByTestId("register-form"));

    expect((await screen.findByTestId("signup-pending")).textContent).toMatch(/admin's approval/);
    expect(screen.getByTestId("signin-form")).toBeTruthy();
  });

  it("keeps the sign-up form and shows the refusal of a taken email", async () => {
    const onRegister = vi.fn(() => Promise.reject(new ApiError(409, "An account with this email address exists already.")));
    const screen = render(<SignInScreen setupRequired={false} signup="open" notice={null} onLogin={vi.fn()} onRegister={onRegister} />);
    fireEvent.click(screen.getByTestId("show-signup"));
    fireEvent.submit(screen.getByTestId("register-form"));
    expect((await screen.findByTestId("auth-error")).textContent).toBe("An account with this email address exists already.");
    fireEvent.click(screen.getByTestId("show-signin"));
    expect(screen.getByTestId("signin-form")).toBeTruthy();
  });
});
