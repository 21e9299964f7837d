import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readDemoUsers } from "../../server/security/demo-credentials.ts";
import { type ConsolePage, launchBrowser, openConsole, screenshot } from "../helpers/browser.ts";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

/**
 * The web console in Debian's Chromium (playwright-core, no browser download) against the real
 * service with the demo network: what a keeper and the command centre see and do.
 */
describe("web console in a real browser", () => {
  let t: TestPlatform;
  let browser: Browser;
  let open: ConsolePage[] = [];

  /** A console logged in as the admin (or another user) by its session cookie, set from the API. */
  const console_ = async (
    hash: string,
    options: Parameters<typeof openConsole>[1] & { user?: string } = {},
  ) => {
    const c = await openConsole(browser, options);
    open.push(c);
    await c.context.addCookies([
      { name: "reserve_session", value: await t.login(options.user ?? "admin"), url: t.platform.httpUrl },
    ]);
    await c.page.goto(`${t.platform.httpUrl}/${hash}`);
    await c.page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
    return c;
  };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform({ env: { DEMO: "1" } }), launchBrowser()]);
  }, 60000);
  afterEach(async () => {
    for (const c of open) {
      // Nothing on the page may have thrown or logged an error.
      expect(c.problems).toEqual([]);
      await c.context.close();
    }
    open = [];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it("asks for a login first, says why one failed, and shows who is logged in", async () => {
    const c = await openConsole(browser);
    open.push(c);
    const { page } = c;
    await page.goto(`${t.platform.httpUrl}/#/`);
    await page.waitForSelector("body[data-ready=login]");
    expect(await page.isVisible("#main")).toBe(false);
    await page.fill("#login-username", "viewer");
    await page.fill("#login-password", "wrong");
    await page.click("#login-submit");
    await page.waitForSelector("#login-error:not([hidden])");
    expect(await page.textContent("#login-error")).toBe("Could not log in: wrong username or password");
    // The browser reports the refused login as a failed resource; that is expected here.
    c.problems.length = 0;
    await page.fill("#login-password", readDemoUsers(t.dataDir).viewer?.password as string);
    await page.click("#login-submit");
    await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
    expect(await page.textContent("[data-testid=user-info]")).toBe("viewer (viewer)");
    // A viewer may look at the command centre but not plan (the server would refuse it too).
    await page.goto(`${t.platform.httpUrl}/#/command`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
    expect(await page.isDisabled("[data-testid=plan-button]")).toBe(true);
    await page.click("#logout");
    await page.waitForSelector("body[data-ready=login]");
  });

  it("offers a keeper only their own sites and no command centre", async () => {
    const { page } = await console_("#/site/NX-K01", { user: "keeper-b01" });
    await page.waitForSelector("[data-testid=stock-table]");
    const options = await page.$$eval("[data-testid=site-picker] option[value]", (els) =>
      els.map((el) => (el as HTMLOptionElement).value).filter(Boolean),
    );
    expect(options.sort()).toEqual(["NX-B01", "NX-K01"]);
    expect(await page.isVisible("nav a[data-view=command]")).toBe(false);
  });

  it("shows a marker for every site, coloured by its stock status", async () => {
    const { page } = await console_("#/");
    const sites = (await t.http("/api/sites")).body as Array<{ code: string }>;
    const statuses = (await t.http("/api/stock/status")).body as Array<{ siteCode: string; status: string }>;
    await page.waitForFunction(
      (n) => document.querySelectorAll(".site-marker[data-status]").length === n,
      sites.length,
      { timeout: 10000 },
    );
    const shown = await page.$$eval(".site-marker", (els) =>
      els.map((el) => ({ code: el.getAttribute("data-site"), status: el.getAttribute("data-status") })),
    );
    expect(shown.map((s) => s.code).sort()).toEqual(sites.map((s) => s.code).sort());
    const expected = Object.fromEntries(statuses.map((s) => [s.siteCode, s.status]));
    for (const s of shown) expect(s.status).toBe(expected[s.code as string]);

    // A popup shows the site's figures and leads to its keeper view.
    const code = sites[0]?.code as string;
    await page.click(`.site-marker[data-site="${code}"]`);
    await page.waitForSelector(".site-popup .stock-summary");
    await page.click(".site-popup .popup-link a");
    await page.waitForSelector(`[data-testid=stock-table]`);
    expect(page.url()).toContain(`#/site/${code}`);
    await screenshot(page, "map-and-popup");
  });

  it("opens an incident for 2,000 people and shows the plan the API made, then follows it live", async () => {
    const { page } = await console_("#/command", { locale: "en-GB", user: "commander" });

    // Clicking the map places the incident.
    const box = await page.locator("#map").boundingBox();
    if (!box) throw new Error("map has no size");
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.inputValue("input[name=lat]")).not.toBe("");
    expect(await page.inputValue("input[name=lon]")).not.toBe("");

    // Then the coordinates are typed: Yinchuan.
    await page.fill("input[name=name]", "Flood on the Yellow River");
    await page.fill("input[name=lat]", "38.4872");
    await page.fill("input[name=lon]", "106.2309");
    await page.fill("input[name=personnel]", "2000");
    await page.click("[data-testid=plan-button]");
    const order = page.locator("[data-testid=order]");
    await order.waitFor({ timeout: 20000 });
    const id = Number(await order.getAttribute("data-order"));
    expect(Number.isInteger(id) && id > 0).toBe(true);

    const api = (await t.http(`/api/dispatch-orders/${id}`)).body as {
      personnel: number;
      lines: Array<{ itemTypeCode: string; quantity: number }>;
      shortfall: Array<{ itemTypeCode: string; missing: number }>;
      greedyCost: number;
    };
    expect(api.personnel).toBe(2000);
    const apiTotals: Record<string, number> = {};
    for (const line of api.lines)
      apiTotals[line.itemTypeCode] = (apiTotals[line.itemTypeCode] ?? 0) + line.quantity;
    const shownTotals = Object.fromEntries(
      await page.$$eval("[data-testid=plan-totals] tbody tr", (rows) =>
        rows.map((r) => [r.getAttribute("data-item"), Number(r.getAttribute("data-qty"))]),
      ),
    );
    expect(Object.keys(apiTotals).length).toBeGreaterThan(5);
    expect(shownTotals).toEqual(apiTotals);
    expect(await page.locator("[data-testid=plan-lines] tbody tr").count()).toBe(api.lines.length);
    expect(await page.textContent("[data-testid=greedy-cost]")).toBe(
      new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 }).format(api.greedyCost),
    );
    // The plan is drawn on the map: a line from each source.
    const sources = new Set(
      api.lines.map((l) => (l as unknown as { sourceSiteCode: string }).sourceSiteCode),
    );
    await expect
      .poll(() => page.locator("path.dispatch-line.state-planned").count())
      .toBeGreaterThanOrEqual(Math.min(1, sources.size));
    await screenshot(page, "command-plan");

    // Approve in the browser; a dispatch confirmed elsewhere shows up without a reload.
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    await page.click("[data-action=approve]");
    await expect.poll(() => page.getAttribute("[data-testid=order]", "data-state")).toBe("approved");
    const moved = await t.send("POST", `/api/dispatch-orders/${id}/dispatch`, {});
    expect(moved.status).toBe(200);
    await expect
      .poll(() => page.getAttribute("[data-testid=order]", "data-state"), { timeout: 10000 })
      .toBe("dispatched");
    expect(await page.textContent("[data-testid=order-state]")).toBe("Dispatched");
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(page, "command-dispatched");
  });

  it("shows a removal at a depot and the low-stock alert in the keeper view without a reload", async () => {
    const shelves = (await t.http("/api/devices?kind=shelf")).body as Array<{
      id: string;
      siteCode: string;
      topic: string;
      itemType: string;
      tareKg: number;
      unitWeightKg: number;
    }>;
    // A depot shelf whose item type only the shelf senses, with a standard to fall below.
    let shelf: (typeof shelves)[number] | undefined;
    let line: { requiredQty: number; minQty: number; basis: string } | undefined;
    for (const s of shelves) {
      const l = await t.stockLine(s.siteCode, s.itemType);
      if (l && l.requiredQty >= 4 && l.basis !== "reconciled") {
        shelf = s;
        line = l;
        break;
      }
    }
    if (!shelf || !line) throw new Error("the demo network has no depot shelf with a standard");
    const client = await t.connect(shelf.id);
    const t0 = Math.floor(Date.now() / 1000) - 60;
    const publish = (units: number, at: number) =>
      client.publishAsync(shelf.topic, senmlWeight(shelf.id, shelf.tareKg + units * shelf.unitWeightKg, at), {
        qos: 1,
      });
    const full = line.requiredQty;
    await publish(full, t0);
    await t.drained();
    await waitFor(
      async () => ((await t.stockLine(shelf.siteCode, shelf.itemType)).status === "ok" ? true : undefined),
      "stock at standard",
    );

    // The map is open on another screen at the same time.
    const { page: mapPage } = await console_("#/");
    const marker = mapPage.locator(`.site-marker[data-site="${shelf.siteCode}"]`);
    await expect.poll(() => marker.getAttribute("data-status")).not.toBeNull();
    const { page } = await console_(`#/site/${shelf.siteCode}`);
    const row = page.locator(`[data-testid=stock-table] tr[data-item="${shelf.itemType}"]`);
    await row.waitFor();
    const fmt = (n: number) => new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 }).format(n);
    await expect.poll(() => row.locator("[data-col=onHand]").textContent()).toContain(fmt(full));
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });

    // The keeper takes units off the shelf: below the standard.
    const left = full - 2;
    await publish(left, t0 + 30);
    await expect
      .poll(() => row.locator("[data-col=onHand]").textContent(), { timeout: 10000 })
      .toContain(fmt(left));
    await expect.poll(() => row.locator("[data-col=status]").textContent()).toMatch(/Low|Critical/);
    const alert = page.locator(
      '[data-testid=alerts] [data-kind="stock-low"], [data-testid=alerts] [data-kind="stock-critical"]',
    );
    await alert.first().waitFor({ timeout: 15000 });
    expect(await alert.first().textContent()).toMatch(/stock/i);
    // Acknowledged in the browser: the console names nobody, the server records the session's user.
    await alert.first().locator("button").click();
    await expect
      .poll(() => alert.first().locator(".alert-ack").textContent(), { timeout: 10000 })
      .toContain("Acknowledged by admin");
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // The shelf's weight chart (uPlot) shows the readings.
    await page.locator(`[data-testid=charts] [data-device="${shelf.id}"] canvas`).first().waitFor();
    await screenshot(page, "keeper-after-removal");

    // The map followed without a reload: the site's marker has the site's new status and the
    // alert is in the map's alert box.
    const siteStatus = (await t.http(`/api/sites/${shelf.siteCode}/stock`)).body.status;
    await expect.poll(() => marker.getAttribute("data-status"), { timeout: 10000 }).toBe(siteStatus);
    await mapPage.click("[data-testid=map-alerts] summary");
    await mapPage
      .locator(
        `[data-testid=map-alerts] li[data-site="${shelf.siteCode}"][data-kind="stock-low"], [data-testid=map-alerts] li[data-site="${shelf.siteCode}"][data-kind="stock-critical"]`,
      )
      .first()
      .waitFor({ timeout: 10000 });
    await screenshot(mapPage, "map-after-removal");
  });

  it("follows the browser's language and switches between Chinese and English", async () => {
    const { page } = await console_("#/site/NX-C01", { locale: "zh-CN" });
    await page.waitForSelector("[data-testid=stock-table]");
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    expect(await page.textContent("nav a[data-view=map]")).toBe("地图");
    expect(await page.textContent("nav a[data-view=command]")).toBe("指挥中心");
    const headerZh = await page.textContent("[data-testid=stock-table] thead");
    await screenshot(page, "keeper-zh");

    await page.click("#lang-switch");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("nav a[data-view=map]")).toBe("Map");
    expect(await page.textContent("nav a[data-view=command]")).toBe("Command centre");
    const headerEn = await page.textContent("[data-testid=stock-table] thead");
    expect(headerEn).not.toBe(headerZh);
    expect(headerEn).toMatch(/On hand/i);
    await screenshot(page, "keeper-en");

    // The choice is remembered on the next visit.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.textContent("nav a[data-view=map]")).toBe("Map");
  });

  it("shows hostile names as text, never as markup", async () => {
    const hostile = '<img src=x onerror="window.__xss=1">Riot';
    const created = await t.send("POST", "/api/incidents", {
      name: hostile,
      type: "<script>window.__xss=2</script>",
      lat: 37.2,
      lon: 106.2,
      items: { RADIO: 2 },
    });
    expect(created.status).toBe(201);
    const { page } = await console_(`#/command/${created.body.id}`);
    const heading = page.locator("[data-testid=order] h2");
    await heading.waitFor();
    expect(await heading.textContent()).toContain(hostile);
    // The map's tooltip for the incident and the recent-orders list carry the name too.
    await page.hover(".incident-marker");
    await page.waitForSelector(".leaflet-tooltip");
    expect(await page.textContent(".leaflet-tooltip")).toContain(hostile);
    expect(await page.locator(`.order-list a[href="#/command/${created.body.id}"]`).textContent()).toContain(
      hostile,
    );
    expect(await page.locator("img[src=x]").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("works on a tablet by touch size and keyboard, with readable contrast", async () => {
    const { page } = await console_("#/site/NX-B01", { viewport: { width: 768, height: 1024 } });
    await page.waitForSelector("[data-testid=stock-table] tbody tr");
    // Nothing pushes the page sideways; wide tables scroll in their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    // Every control a keeper taps is at least 44 px high.
    const small = await page.$$eval(".keeper button, .keeper select, .keeper input, nav a", (els) =>
      els
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .map((el) => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
        .filter((c) => c.height < 43.5),
    );
    expect(small).toEqual([]);

    // The stock table sorts from the keyboard: focus a column's button, press Enter.
    const sortButton = page.locator("[data-testid=stock-table] thead button[data-sort=onHand]");
    await sortButton.focus();
    await page.keyboard.press("Enter");
    const header = page.locator("[data-testid=stock-table] thead th:has(button[data-sort=onHand])");
    await expect.poll(() => header.getAttribute("aria-sort")).toMatch(/ascending|descending/);
    const values = await page.$$eval("[data-testid=stock-table] tbody tr [data-col=onHand]", (cells) =>
      cells.map((c) => Number(c.getAttribute("data-value"))),
    );
    const sorted = [...values].sort((a, b) => a - b);
    expect([sorted, [...sorted].reverse()]).toContainEqual(values);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-sort"))).toBe("onHand");

    // Status badges: white text on their colour at WCAG AA (4.5:1) or better.
    const ratios = await page.$$eval(".status", (els) => {
      const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
      };
      return els.map((el) => {
        const style = getComputedStyle(el);
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return { text: el.textContent, ratio: ((a ?? 0) + 0.05) / ((b ?? 0) + 0.05) };
      });
    });
    expect(ratios.length).toBeGreaterThan(5);
    for (const r of ratios) expect(r.ratio, `${r.text}`).toBeGreaterThanOrEqual(4.5);
    await screenshot(page, "keeper-tablet");
  });

  it("shows an API error to the user in words", async () => {
    const { page, problems } = await console_("#/command", { user: "commander" });
    await page.fill("input[name=lat]", "38.4");
    await page.fill("input[name=lon]", "106.2");
    await page.fill("input[name=personnel]", "2000000");
    await page.click("[data-testid=plan-button]");
    const notice = page.locator(".notice-error").last();
    await notice.waitFor();
    // The server's 400 names the field.
    expect(await notice.textContent()).toMatch(/personnel/);
    // An error the page reported on purpose is not a page problem.
    problems.length = 0;
  });
});
