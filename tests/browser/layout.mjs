// Checks trove's search page at phone, tablet, laptop and desktop widths, in light and dark
// schemes, in Debian's headless Chromium through playwright-core. Run by tests/browser.rs:
//   node layout.mjs <chromium> <base url> <screenshot dir>
// For every width x scheme x state (results, a hit with a very long breadcrumb and URL, the
// empty page, no results, a bad query) it checks that nothing scrolls sideways
// (document.scrollingElement.scrollWidth <= innerWidth), runs axe-core (no serious or critical
// violation), and saves a full-page screenshot. Then: the phone's facet panel, the loading
// state, a server error's message, the example queries, the security headers, the API-key
// form, and no console errors (a Content-Security-Policy violation is one).
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [chromiumPath, base, outDir] = process.argv.slice(2);
const WIDTHS = [390, 768, 1280, 1920];
const STATES = [
  ["results", "/?q=transfer"],
  ["long", "/?q=longwinded"],
  ["empty", "/"],
  ["none", "/?q=xylophone"],
  ["error", "/?q=%28heat"],
];
const problems = [];
const consoleErrors = [];
const check = (ok, msg) => { if (!ok) problems.push(msg); };
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"],
});

async function open(scheme) {
  const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  // A 4xx/5xx answer is logged by Chromium itself; the error states provoke those on purpose.
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: the server responded/.test(m.text())) {
      consoleErrors.push(`${scheme}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => consoleErrors.push(`${scheme}: ${e.message}`));
  return page;
}

async function visit(page, path, state) {
  await page.goto(path.startsWith("http") ? path : base + path);
  await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout: 10000 });
}

async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations;
}

// axe-core: a serious or critical violation fails the test; lesser ones are printed.
async function audit(page, where, counts) {
  for (const v of await axe(page)) {
    const bad = v.impact === "serious" || v.impact === "critical";
    counts[bad ? "serious" : "other"] += 1;
    const targets = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ");
    if (bad) problems.push(`axe ${v.impact} ${v.id} (${where}): ${v.help} at ${targets}`);
    else console.log(`axe ${v.impact} ${v.id} (${where}): ${v.help}`);
  }
}

async function fits(page, where) {
  const { sw, iw } = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
  check(sw <= iw, `${where}: scrolls sideways (scrollWidth ${sw} > innerWidth ${iw})`);
}

// Every width x state in one scheme: no sideways scroll, axe, screenshot.
async function sweep(scheme) {
  const page = await open(scheme);
  const counts = { serious: 0, other: 0 };
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w, height: w < 600 ? 844 : 900 });
    for (const [state, path] of STATES) {
      const where = `${state} at ${w}px, ${scheme}`;
      await visit(page, path, state === "long" ? "results" : state);
      await fits(page, where);
      await page.screenshot({ path: `${outDir}/${state}-${w}-${scheme}.png`, fullPage: true });
      await audit(page, where, counts);
    }
  }
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  console.log(`${scheme}: ${WIDTHS.length * STATES.length} pages, axe serious/critical ${counts.serious}, ` +
    `moderate/minor ${counts.other}, background ${bg}`);
  return { page, bg };
}

// On a phone the facets hide behind a "Filters" button that opens them.
async function phoneFacets(page) {
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, "/?q=transfer", "results");
  const toggle = page.locator("#toggle");
  check(await toggle.isVisible(), "390px: no Filters button");
  check(!(await page.locator("#facets").isVisible()), "390px: facets shown before the Filters button is pressed");
  await toggle.click();
  check((await toggle.getAttribute("aria-expanded")) === "true", "Filters button does not say it is expanded");
  const crm = page.locator('#facets a[data-facet="source"][data-value="crm"]');
  check(await crm.isVisible(), "390px: the crm facet is not visible after pressing Filters");
  await fits(page, "open facet panel at 390px");
  await page.screenshot({ path: `${outDir}/results-390-filters-open-light.png`, fullPage: true });
  await crm.click();
  await page.waitForFunction(() => {
    const ids = [...document.querySelectorAll("#results .hit")].map((li) => li.dataset.id);
    return ids.length > 0 && ids.every((id) => id.startsWith("crm:"));
  }, null, { timeout: 10000 });
}

// The long hit's breadcrumb and URL are cut with an ellipsis, not wrapped or overflowing.
async function ellipsis(page) {
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, "/?q=longwinded", "results");
  for (const sel of [".crumb", ".url"]) {
    const s = await page.locator(`#results .hit ${sel}`).first().evaluate((e) =>
      ({ cut: e.scrollWidth > e.clientWidth, style: getComputedStyle(e).textOverflow, lines: e.getClientRects().length }));
    check(s.cut && s.style === "ellipsis", `long ${sel} is not ellipsized at 390px: ${JSON.stringify(s)}`);
  }
}

// A slow search shows the loading state, then the results.
async function slowSearch(page) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.route((u) => u.pathname === "/search", async (r) => {
    await new Promise((f) => setTimeout(f, 1200));
    await r.continue();
  });
  await page.goto(base + "/?q=transfer");
  await page.waitForFunction(() => document.body.dataset.state === "loading", null, { timeout: 5000 });
  check(/Searching/.test(await page.locator("#state").innerText()), "loading state without a Searching message");
  await page.screenshot({ path: `${outDir}/loading-1280-light.png` });
  await page.waitForFunction(() => document.body.dataset.state === "results", null, { timeout: 10000 });
  await page.unrouteAll();
}

// The API's JSON error message is shown as is.
async function serverError(page) {
  const message = "the server is busy; retry in a moment";
  await page.route((u) => u.pathname === "/search", (r) => r.fulfill({
    status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "busy", message } }),
  }));
  await visit(page, "/?q=transfer", "error");
  check((await page.locator("[role=alert]").innerText()).includes(message), "503's message not shown");
  await page.unrouteAll();
  await visit(page, "/?q=%28heat", "error");
  check(/bad query/.test(await page.locator("[role=alert]").innerText()), "bad query message not shown");
}

// Every example query on the empty page finds something, and the no-results page has a hint.
async function examples(page) {
  await visit(page, "/", "empty");
  const hrefs = await page.locator(".examples a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  check(hrefs.length >= 3, `only ${hrefs.length} example queries`);
  for (const href of hrefs) {
    await page.goto(base + href);
    await page.waitForFunction(() => ["results", "none", "error"].includes(document.body.dataset.state));
    const state = await page.evaluate(() => document.body.dataset.state);
    check(state === "results", `example ${decodeURIComponent(href)} ends in state ${state}`);
  }
  await visit(page, "/", "empty");
  await page.locator(".examples a").first().click();
  await page.waitForFunction(() => document.body.dataset.state === "results", null, { timeout: 10000 });
  check(new URL(page.url()).searchParams.get("q") === (await page.inputValue("#q")), "example click: box and URL differ");
  await visit(page, "/?q=xylophone", "none");
  check(/spelling/.test(await page.locator("#state").innerText()), "no results without a hint");
  console.log("examples: " + hrefs.map((h) => new URL(h, base).searchParams.get("q")).join(" | "));
}

// A server with an API key: the page asks for it (accessible, fits a phone), refuses a wrong
// one and gets in with the right one. TROVE_PAGE_KEY_BASE and TROVE_PAGE_KEY come from the
// environment so the key stays out of the process list.
async function keyForm(scheme) {
  const [keyBase, key] = [process.env.TROVE_PAGE_KEY_BASE, process.env.TROVE_PAGE_KEY];
  if (!keyBase || !key) return check(false, "TROVE_PAGE_KEY_BASE and TROVE_PAGE_KEY are not set");
  const page = await open(scheme);
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, keyBase + "/", "key");
  const counts = { serious: 0, other: 0 };
  await fits(page, `key form at 390px, ${scheme}`);
  await audit(page, `key form at 390px, ${scheme}`, counts);
  await page.screenshot({ path: `${outDir}/key-390-${scheme}.png`, fullPage: true });
  for (const [given, want] of [["wrong-key", "key"], [key, "empty"]]) {
    await page.fill("#key", given);
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === "/search"), page.press("#key", "Enter")]);
    await page.waitForFunction((s) => document.body.dataset.state === s, want, { timeout: 10000 });
  }
  await page.close();
}

async function headers(page) {
  const resp = await page.goto(base + "/");
  const h = resp.headers();
  check(/frame-ancestors 'none'/.test(h["content-security-policy"] || ""), "no CSP frame-ancestors 'none'");
  check(h["x-content-type-options"] === "nosniff", "no X-Content-Type-Options: nosniff");
}

try {
  const light = await sweep("light");
  const dark = await sweep("dark");
  check(light.bg !== dark.bg, `dark scheme has the light background ${dark.bg}`);
  await phoneFacets(light.page);
  await ellipsis(light.page);
  await slowSearch(light.page);
  await serverError(light.page);
  await examples(light.page);
  await headers(light.page);
  await keyForm("light");
  await keyForm("dark");
} finally {
  await browser.close();
}
for (const e of consoleErrors) problems.push("console error: " + e);
if (problems.length) {
  console.error(problems.map((p) => "FAIL: " + p).join("\n"));
  process.exit(1);
}
console.log(`ok: ${WIDTHS.join(", ")} px x light, dark x ${STATES.map((s) => s[0]).join(", ")}; screenshots in ${outDir}`);
