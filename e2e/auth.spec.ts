import type { Page } from "@playwright/test";
import { expect, FIXTURE_PASSWORD, test } from "./support/fixtures";

/** Clicks "Log in" and waits for the server's answer (a fetch with JS, a navigation without). */
async function submitLogin(page: Page) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/login" && r.request().method() === "POST");
  await page.getByRole("button", { name: "Log in" }).click();
  await answered;
  // The answer is on screen once the password field has been emptied (it is never sent back).
  await expect(page.getByLabel("Password")).toHaveValue("");
}

// Every test runs twice: in the "js" project and in the "no-js" project (JavaScript off).

test("sign up, log out and log in again", async ({ page }) => {
  const email = `signup-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  await page.goto("/signup");
  await page.getByLabel("Name").fill("Margaret Hamilton");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("apollo-guidance-11");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByTestId("current-user")).toHaveText("Margaret Hamilton");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in", exact: true })).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveCount(0);

  await page.getByRole("link", { name: "Log in", exact: true }).click();
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill("apollo-guidance-11");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText("Margaret Hamilton");
});

test("bad sign-up input shows a message per field and keeps what was typed", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Name").fill("Ann");
  await page.getByLabel("Email").fill("ann-at-example");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Ann");
  await expect(page.getByLabel("Email")).toHaveValue("ann-at-example");
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("a wrong password says only 'Invalid email or password'", async ({ page, createUser }) => {
  const user = await createUser();
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
  await expect(page.getByLabel("Email")).toHaveValue(user.email);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("too many failed log-ins from one place are refused with a clear message", async ({ page, createUser }) => {
  const user = await createUser();
  await page.goto("/login");
  // Five wrong passwords for one account from one address; the sixth try waits, even with the right one.
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`wrong-${attempt}-password`);
    await submitLogin(page);
    await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
  }
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(FIXTURE_PASSWORD);
  await submitLogin(page);
  await expect(page.getByRole("alert")).toContainText(/Too many attempts\. Please wait \d+ seconds/);
  await expect(page.getByTestId("current-user")).toHaveCount(0);
});

test("/admin sends a visitor to log in and back, and refuses a USER", async ({ page, createUser, loginAs }) => {
  const admin = await createUser({ role: "ADMIN" });
  await page.goto("/admin");
  await expect(page).toHaveURL("/login?redirectTo=%2Fadmin");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(FIXTURE_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL("/admin");
  await expect(page.getByRole("heading", { name: "Admin" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();

  await page.context().clearCookies();
  const user = await createUser();
  await loginAs(user);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
});
