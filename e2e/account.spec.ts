import { expect, FIXTURE_PASSWORD, test } from "./support/fixtures";

// Runs in the "js" and "no-js" projects, at phone width: the account page is a set of plain forms.
test.use({ viewport: { width: 390, height: 844 } });

test("change the password, see where you are signed in, and log out everywhere", async ({
  page,
  browser,
  createUser,
  loginAs,
  baseURL,
}) => {
  const user = await createUser();
  // Another browser signed in as the same person: a new password must sign it out.
  const elsewhere = await browser.newContext({ baseURL });
  const other = await elsewhere.newPage();
  await other.goto("/login");
  await other.getByLabel("Email").fill(user.email);
  await other.getByLabel("Password").fill(FIXTURE_PASSWORD);
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByTestId("current-user")).toHaveText(user.name);

  await loginAs(user);
  await page.goto("/");
  await page.getByTestId("current-user").click();
  await expect(page).toHaveURL("/account");
  await expect(page.getByRole("heading", { name: "Where you are signed in" })).toBeVisible();
  await expect(page.getByText("this browser")).toHaveCount(1);
  await expect(page.getByRole("listitem")).toHaveCount(2);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password").fill("violet-harbour-lantern-42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your current password is not right")).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveValue("");

  await page.getByLabel("Current password").fill(FIXTURE_PASSWORD);
  await page.getByLabel("New password").fill("violet-harbour-lantern-42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password is changed. 1 other session was ended.")).toBeVisible();
  await expect(page.getByRole("listitem")).toHaveCount(1);

  await other.goto("/account");
  await expect(other).toHaveURL("/login?redirectTo=%2Faccount");
  await elsewhere.close();

  await page.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(page).toHaveURL("/login");
  await expect(page.getByText("You are logged out everywhere (1 session ended).")).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveCount(0);
});
