"""Drives the zmes console in a real headless Chromium (Debian's chromium + chromium-driver, Selenium),
as ConsoleBrowserTests asks: prints one JSON object per check, {"check": ..., "ok": bool, "detail": ...},
and saves screenshots of each page at desktop and phone width.

  console_browser.py BASE_URL OPERATOR PASSWORD ORDINARY_USER ORDINARY_PASSWORD SCREENSHOT_DIR UPLOAD_DIR

UPLOAD_DIR holds credentials.yml and the service-account.json it names, uploaded from the Credentials page.
"""
import json, sys, time, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

base, operator, password, ordinary, ordinary_password, shots, upload = sys.argv[1:8]


T0 = time.time()


def report(check, ok, detail=""):
    sys.stderr.write("%.1f %s\n" % (time.time() - T0, check))
    print(json.dumps({"check": check, "ok": bool(ok), "detail": str(detail)[:500]}), flush=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def field(driver, label):
    """The control a visible label names, as a user finds it."""
    target = driver.find_element(By.XPATH, "//label[normalize-space()='%s']" % label).get_attribute("for")
    return driver.find_element(By.ID, target)


def log_in(driver, user, secret):
    driver.get(base + "/login")
    field(driver, "User").send_keys(user)
    field(driver, "Password").send_keys(secret)
    driver.find_element(By.XPATH, "//button[normalize-space()='Log in']").click()


def shoot(driver, name):
    for width, height, tag in ((1280, 900, "desktop"), (375, 812, "phone")):
        driver.set_window_size(width, height)
        driver.save_screenshot("%s/%s-%s.png" % (shots, name, tag))
    driver.set_window_size(1280, 900)


def wait_for(predicate, seconds=15):
    """Polls until `predicate` holds. A page that a form post is replacing may drop the element being read
    (stale) or not have it yet; both mean "not yet", not failure."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except (StaleElementReferenceException, NoSuchElementException):
            pass
        time.sleep(0.3)
    return False


driver = browser()
try:
    driver.get(base + "/login")
    shoot(driver, "login")
    log_in(driver, ordinary, ordinary_password)
    report("an ordinary user is refused", wait_for(lambda: "not an operator" in driver.page_source) and "/login" in driver.current_url,
           driver.current_url)

    log_in(driver, operator, password)
    report("the operator is logged in and sees the overview", wait_for(lambda: driver.title.startswith("Overview")), driver.title)
    api = json.loads(urllib.request.urlopen(base + "/api/v1/pushes", timeout=10).read())
    health = json.loads(urllib.request.urlopen(base + "/healthz", timeout=10).read())
    shown = {state: driver.find_element(By.ID, "outbox-" + state).text for state in ("queued", "retrying", "delivered", "failed")}
    expected = {state: str(sum(1 for job in api if job.get("state") == state)) for state in shown}
    report("the overview shows the outbox counts the JSON API shows", shown == expected, "page %s, API %s" % (shown, expected))
    report("the overview shows the sessions the JSON API shows",
           driver.find_element(By.ID, "sessions").text == str(health["sessions"]), "%s vs %s" % (driver.find_element(By.ID, "sessions").text, health["sessions"]))
    chart = driver.find_element(By.CSS_SELECTOR, "svg.chart").get_attribute("aria-label")
    report("the overview charts the pushes per minute by outcome", "failed 1" in chart, chart)
    shoot(driver, "overview")

    driver.get(base + "/pushes?state=failed")
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr[id^='push-']")
    failed = [row for row in rows if row.find_element(By.CLASS_NAME, "state").text == "failed"]
    reasons = [row.find_element(By.CLASS_NAME, "reason").text for row in failed]
    report("the failed push is on the Pushes page with the provider's reason", "DeviceTokenNotForTopic" in reasons, reasons)
    shoot(driver, "pushes")
    if failed:
        push_id = failed[0].get_attribute("id")
        button = failed[0].find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Replay')]")
        button.click()
        wait_for(lambda: "replayed=" in driver.current_url)  # the form went out before the page is left
        # The page is left open: its live updates (server-sent events) redraw it once the push is delivered.
        def delivered():
            rows = driver.find_elements(By.ID, push_id)
            return bool(rows) and rows[0].find_element(By.CLASS_NAME, "state").text == "delivered"
        started = time.time()
        shown = wait_for(delivered, 20)
        report("the Replay button sends it again and the open page shows it delivered", shown,
               "%s after %.1f s" % (push_id, time.time() - started))

    # Live updates: the Pushes page stays open while an alarm is posted to the JSON API; its pushes appear
    # delivered without the page being asked for again.
    driver.get(base + "/pushes")
    alarm = json.dumps({"monitorId": 2, "eventId": 500, "name": "Porch", "cause": "live"}).encode()
    urllib.request.urlopen(urllib.request.Request(
        base + "/api/v1/alarms", data=alarm, headers={"Content-Type": "application/json"}), timeout=10).read()
    def appeared():
        try:
            return any("Porch #500" in row.text and "delivered" in row.text for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
        except Exception:  # the page reloading under us
            return False
    started = time.time()
    live = wait_for(appeared, 20)
    report("the open Pushes page shows new pushes delivered by itself (server-sent events)", live, "after %.1f s" % (time.time() - started))

    # The second phone found by its token's first characters, and disabled.
    driver.get(base + "/devices")
    field(driver, "Token prefix or user").send_keys("7a7a7a")
    driver.find_element(By.XPATH, "//button[normalize-space()='Find']").click()
    wait_for(lambda: "q=7a7a7a" in driver.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    shoot(driver, "devices")
    if len(rows) == 1 and rows[0].find_elements(By.XPATH, ".//button[starts-with(normalize-space(), 'Disable')]"):
        rows[0].find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Disable')]").click()
        disabled = wait_for(lambda: "q=" not in driver.current_url and any(
            row.find_element(By.CLASS_NAME, "state").text == "disabled" for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr")
            if row.find_elements(By.CLASS_NAME, "state")))
        report("a device is found by its token prefix and disabled from the Devices page", disabled, driver.current_url)
    else:
        report("a device is found by its token prefix and disabled from the Devices page", False, "%d rows" % len(rows))

    # Monitor 1 muted for two hours from the page (the test then checks its next alarm sends nothing).
    driver.get(base + "/monitors")
    Select(field(driver, "Monitor")).select_by_value("1")
    Select(field(driver, "Mute for")).select_by_value("120")
    driver.find_element(By.XPATH, "//button[normalize-space()='Mute']").click()
    muted = wait_for(lambda: "/monitors" in driver.current_url and driver.find_elements(By.XPATH, "//button[normalize-space()='Unmute monitor 1']"))
    report("monitor 1 is muted from the Monitors page", muted, driver.find_element(By.ID, "monitor-1").text if muted else driver.page_source[:300])
    shoot(driver, "monitors")

    driver.get(base + "/users")
    names = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")]
    report("the Users page lists the local users", "ops" in names and "alice" in names, names)
    shoot(driver, "users")

    driver.get(base + "/credentials")
    health = driver.find_element(By.CSS_SELECTOR, "#credential-test-apns .health").text
    driver.find_element(By.XPATH, "//button[normalize-space()='Probe test-apns']").click()
    probed = wait_for(lambda: "probe" in driver.find_element(By.CSS_SELECTOR, "#credential-test-apns .health").text)
    report("the Credentials page shows each credential's health and probes one",
           health == "ok" and probed and driver.find_element(By.CSS_SELECTOR, "#credential-test-apns .health").text == "ok (probe accepted)",
           "%s, then %s" % (health, driver.find_element(By.CSS_SELECTOR, "#credential-test-apns .health").text))
    # A credentials file and its key file uploaded through the page's file inputs, as an operator picks them.
    field(driver, "Credentials file").send_keys(upload + "/credentials.yml")
    field(driver, "Key files").send_keys(upload + "/service-account.json")
    driver.find_element(By.XPATH, "//button[normalize-space()='Upload credentials']").click()
    uploaded = wait_for(lambda: "added=" in driver.current_url and driver.find_elements(By.ID, "credential-uploaded-fcm"))
    report("a credentials file uploaded from the Credentials page is validated and registered", uploaded,
           driver.find_element(By.CSS_SELECTOR, "#credential-uploaded-fcm .health").text if uploaded else driver.page_source[:500])
    shoot(driver, "credentials")

    # A form whose CSRF token was taken out: refused, and the session goes on.
    driver.get(base + "/")
    driver.execute_script("document.querySelectorAll('input[name=csrf]').forEach(function (e) { e.remove(); })")
    driver.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Log out')]").click()
    refused = wait_for(lambda: "CSRF" in driver.page_source)
    driver.get(base + "/")
    report("a form posted without the CSRF token is refused", refused and driver.title.startswith("Overview"), driver.title)

    driver.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Log out')]").click()
    wait_for(lambda: "/login" in driver.current_url)
    driver.get(base + "/pushes")
    report("logging out ends the session", "/login" in driver.current_url, driver.current_url)
finally:
    driver.quit()
