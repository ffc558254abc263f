// Drives trove's search page like a person would, in Debian's headless Chromium through
// playwright-core: press "/", type a query, see highlighted results, move with the arrow keys,
// click a facet, open a result with Enter. Run by tests/browser.rs:
//   node page.mjs <chromium> <base url> <screenshot.png>
import { chromium } from "playwright-core";

const [chromiumPath, base, shot] = process.argv.slice(2);
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  // Result links point at the originals (example.com here): answer them locally.
  await page.route("https://example.com/**", (r) => r.fulfill({ body: "<title>original</title>original" }));
  await page.goto(base + "/");

  // The box has focus on load; from elsewhere on the page, "/" brings it back.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press("/");
  if (!(await page.evaluate(() => document.activeElement && document.activeElement.id === "q"))) fail("/ did not focus the box");
  // Typing shows results as you type.
  await page.keyboard.type("transfer", { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll("#results .hit").length === 10, null, { timeout: 10000 });
  const marked = await page.locator("#results .snippet b").first().textContent();
  if (!/transfer/i.test(marked)) fail("snippet highlight is " + marked);
  if (!new URL(page.url()).search.includes("q=transfer")) fail("URL does not carry the query: " + page.url());

  // Click a facet: only that source remains, and the facet shows as on.
  await page.locator('#facets a[data-facet="source"][data-value="crm"]').click();
  await page.waitForFunction(() => {
    const ids = [...document.querySelectorAll("#results .hit")].map((li) => li.dataset.id);
    return ids.length > 0 && ids.every((id) => id.startsWith("crm:"));
  }, null, { timeout: 10000 });
  if (!(await page.locator('#facets a.facet.on[data-value="crm"]').count())) fail("active facet not marked");

  await page.screenshot({ path: shot, fullPage: true });

  // Arrow down twice selects the second hit; Enter opens its original.
  const second = await page.locator("#results .hit").nth(1);
  const href = await second.locator("a.title").getAttribute("href");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  if (!(await second.evaluate((li) => li.classList.contains("sel")))) fail("arrow keys did not select the 2nd hit");
  await Promise.all([page.waitForURL(href, { timeout: 10000 }), page.keyboard.press("Enter")]);
  console.log("ok: typed, highlighted, faceted, opened " + href);
} finally {
  await browser.close();
}
