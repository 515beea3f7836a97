"""The status page in a real browser (headless Debian chromium through chromedriver), against
the controller and agents tests/browser/status_page_test.sh started on loopback:
  status_page.py CONTROLLER_URL CHROMEDRIVER_URL ARTIFACTS_DIR
Prints one "ok: …" or "FAIL: …" line per check and exits non-zero on any failure. Screenshots
of each page go to ARTIFACTS_DIR."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from webdriver import Session, WebDriverError  # noqa: E402

controller, driver, artifacts = sys.argv[1:4]
failures = 0


def check(what, condition):
    global failures
    if condition:
        print(f"ok: {what}")
    else:
        failures += 1
        print(f"FAIL: {what}", file=sys.stderr)


browser = Session(driver, ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--user-data-dir=" + os.path.join(artifacts, "profile"), "--lang=en-US"])
try:
    browser.set_window(1100, 520)  # shorter than the page: there is something to scroll
    browser.get(controller + "/?refresh=1")
    cells = browser.wait_for("return document.querySelectorAll('table.matrix td.cell').length", 10)
    rows = browser.run("return document.querySelectorAll('table.matrix tbody tr').length")
    columns = browser.run("return document.querySelectorAll('table.matrix thead th.check').length")
    check(f"the matrix: {rows} rows × {columns} checks, {cells} cells", rows == 2 and columns >= 4 and cells == rows * columns)
    check("every cell carries a mark, not colour alone",
          browser.run("return [...document.querySelectorAll('td.cell')].every(c => c.textContent.trim() !== '')"))
    refused = browser.run("return [...document.querySelectorAll('td.cell.fail')].map(c => [c.textContent, c.dataset.detail])")
    check("a failing cell: R, and its detail says refused",
          bool(refused) and all(mark == "R" and "refused" in detail for mark, detail in refused))
    failing_row = browser.run("const r = document.querySelector('table.targets tr.row-fail'); return r && r.textContent")
    check("a failing row comes first in the targets: scrape", bool(failing_row) and "scrape" in failing_row)
    age = browser.run("const a = document.querySelector('table.targets tr.row-fail td.age'); return a && a.textContent")
    check(f"its relative time: {age!r}", bool(age) and re.fullmatch(r"failing for \d+(s|m\d*s?)", age or "") is not None)
    check("the majority outcome and what it means",
          "refused: no listener" in (failing_row or ""))
    browser.screenshot(os.path.join(artifacts, "status-page.png"))

    # The script runs under the page's CSP: it refreshes in place, keeping what the reader had.
    check("the script refreshes the page under its CSP",
          bool(browser.wait_for("return Number(document.body.dataset.refreshed || 0) >= 1", 10)))
    browser.click(browser.find("table.matrix details summary")[0])
    browser.click(browser.find("table.matrix td.cell.fail")[0])
    selected = browser.run("return document.querySelector('td.cell.selected').dataset.detail")
    browser.run("window.scrollTo(0, 120)")
    before = browser.run("return Number(document.body.dataset.refreshed)")
    browser.wait_for("return Number(document.body.dataset.refreshed) >= arguments[0] + 2", 10, before)
    check("after two refreshes the group is still open",
          browser.run("return document.querySelector('table.matrix details').open"))
    check("…the cell still selected, its detail still shown",
          browser.run("const c = document.querySelector('td.cell.selected'); const d = document.getElementById('detail');"
                      "return !!c && c.dataset.detail === arguments[0] && !d.hidden && d.textContent === arguments[0]",
                      selected))
    scrolled = browser.run("return window.scrollY")
    check(f"…and the scroll position kept ({scrolled} px)", scrolled == 120)
    problems = [m for m in browser.console() if m.get("level") == "SEVERE"]
    check(f"no console errors (CSP violations among them): {problems}", not problems)

    # Typing in the filter: the refreshes wait (each one skipped is counted), the text stays.
    browser.run("const q = document.getElementById('filter-q'); q.focus(); q.value = 'node-';")
    refreshed = browser.run("return Number(document.body.dataset.refreshed)")
    check("while a filter is being typed the refreshes wait",
          bool(browser.wait_for("return Number(document.body.dataset.refreshesSkipped || 0) >= 2", 10)) and
          browser.run("return Number(document.body.dataset.refreshed)") == refreshed)
    check("…and what was typed is still there",
          browser.run("const q = document.getElementById('filter-q');"
                      "return q.value === 'node-' && document.activeElement === q"))
    browser.run("const q = document.getElementById('filter-q'); q.focus(); q.value = 'node-3';")
    browser.click(browser.find("form.filter button")[0])
    browser.wait_for("return location.search.includes('q=node-3')", 10)
    check("the filter: one agent left in the matrix",
          browser.wait_for("return document.querySelectorAll('table.matrix tbody tr').length === 1 &&"
                           " document.querySelector('table.matrix th.who').textContent.includes('node-3')", 10))

    browser.get(controller + "/?node=node-3")
    heading = browser.wait_for("const h = document.querySelector('h1'); return h && h.textContent", 10)
    check(f"a node's page: {heading!r}", heading == "Node node-3")
    check("…with its failing check and the detail",
          browser.run("return [...document.querySelectorAll('table.targets tr.row-fail')].some(r =>"
                      " r.textContent.includes('scrape') && r.textContent.includes('refused'))"))
    browser.screenshot(os.path.join(artifacts, "status-page-node.png"))

    link = browser.run("return document.querySelector('table.targets tr.row-fail a').href")
    browser.get(link)
    check("a target's page lists its failing nodes in natural order",
          browser.wait_for("return [...document.querySelectorAll('table.failing tbody tr td:first-child')]"
                           ".map(c => c.textContent).join(',') === 'node-1,node-2,node-3'", 10))
    browser.screenshot(os.path.join(artifacts, "status-page-target.png"))

    browser.set_window(1280, 1000)  # the overview whole, as the README shows it
    browser.get(controller + "/")
    browser.wait_for("return document.querySelectorAll('table.matrix td.cell').length", 10)
    browser.screenshot(os.path.join(artifacts, "status-page-overview.png"))
except WebDriverError as error:
    failures += 1
    print(f"FAIL: {error}", file=sys.stderr)
finally:
    browser.close()

sys.exit(1 if failures else 0)
