"""A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) for the browser tests:
Debian's chromedriver drives Debian's chromium, headless, over JSON on loopback. Only what
the tests use; the standard library only (the CI machine reaches Debian's archive, not PyPI).
Not a test itself: tests/browser/*_test.py import it."""

import base64
import json
import time
import urllib.error
import urllib.request


class WebDriverError(Exception):
    pass


class Session:
    def __init__(self, driver_url, args=(), timeout=30):
        self.driver_url = driver_url.rstrip("/")
        self.timeout = timeout
        capabilities = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": list(args)},
                    "goog:loggingPrefs": {"browser": "ALL"},
                }
            }
        }
        value = self._call("POST", "/session", capabilities)
        self.id = value["sessionId"]

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.driver_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            answer = json.load(error)
            raise WebDriverError(f"{method} {path}: {answer.get('value', answer)}") from None
        return answer.get("value")

    def _session(self, method, path, body=None):
        return self._call(method, f"/session/{self.id}{path}", body)

    def close(self):
        try:
            self._session("DELETE", "")
        except (WebDriverError, OSError):
            pass

    def get(self, url):
        self._session("POST", "/url", {"url": url})

    def run(self, script, *args):
        """Runs `script` (a function body) in the page and returns what it returns."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        """The elements matching `css`, as WebDriver element references."""
        return self._session("POST", "/elements", {"using": "css selector", "value": css})

    def click(self, element):
        element_id = next(iter(element.values()))
        self._session("POST", f"/element/{element_id}/click", {})

    def set_window(self, width, height):
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        with open(path, "wb") as out:
            out.write(base64.b64decode(self._session("GET", "/screenshot")))

    def console(self):
        """The browser's console messages since the last call (chromedriver's log endpoint)."""
        return self._session("POST", "/se/log", {"type": "browser"})

    def wait_for(self, script, seconds, *args):
        """Polls `script` every 100 ms until it returns something true; returns it, or raises."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.run(script, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise WebDriverError(f"not within {seconds} s: {script}")
            time.sleep(0.1)
