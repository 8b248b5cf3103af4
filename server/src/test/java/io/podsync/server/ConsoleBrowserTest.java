package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.PushRequest;
import io.podsync.simulator.erp.ErpReceiver;
import io.podsync.simulator.fleet.Fleet;
import io.podsync.simulator.fleet.FleetOptions;
import io.podsync.simulator.fleet.Progress;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operations console in a real browser (Debian's chromium, driven by chromedriver through Selenium), on data a
 * simulated fleet made, with the reference ERP receiver. Every page is photographed at 1280 px into
 * {@code target/console-screenshots/} for a reviewer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("console-test-secret-0123456789".getBytes());
    static final Path SHOTS = Path.of("target", "console-screenshots");

    @TempDir
    static Path dir;

    static ErpReceiver erp;
    static TestServer server;
    static WebDriver browser;
    static String flaggedKey;

    @BeforeAll
    static void start() throws Exception {
        File chromium = new File("/usr/bin/chromium");
        File driver = new File("/usr/bin/chromedriver");
        if (!chromium.canExecute() || !driver.canExecute()) {
            System.err.println("\n*** ConsoleBrowserTest SKIPPED: no /usr/bin/chromium or /usr/bin/chromedriver."
                    + " Install Debian's chromium and chromium-driver (.ci/run does). ***\n");
        }
        Assumptions.assumeTrue(chromium.canExecute() && driver.canExecute(), "no browser on this machine");
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        Map<String, String> c = new HashMap<>();
        c.put("podsync.erp.endpoints.0.name", "erp");
        c.put("podsync.erp.endpoints.0.url", erp.url().toString());
        c.put("podsync.erp.endpoints.0.secrets.0", SECRET);
        c.put("podsync.erp.endpoints.0.timeout", "PT1S");
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        c.put("podsync.erp.retry-schedule.1", "PT0.1S");
        c.put("podsync.erp.poll-interval", "PT0.05S");
        server = TestServer.start(dir.resolve("server"), c, Clock.systemUTC());
        // a day's work of a small simulated fleet
        FleetOptions o = FleetOptions.basic(
                        server.uri(),
                        TestServer.ERP_SECRET,
                        TestServer.OPS_SECRET,
                        Files.createDirectories(dir.resolve("fleet")))
                .withSize(2, 3, 20, 11);
        new Fleet(o, erp, Progress.NONE).run();
        // a delivery far from its stop, with a signature: an exception for a person, held from the ERP
        server.erp().releaseRoute("RX", Fixtures.route("RX", "DX", 3));
        TestServer.Device d = server.device("DX");
        byte[] signature = signaturePng();
        String sha = d.client()
                .upload(signature, "image/png", EvidenceKind.SIGNATURE, 1 << 20, 0)
                .sha256();
        flaggedKey = UUID.randomUUID().toString();
        d.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                flaggedKey,
                                1,
                                EventType.DELIVERED,
                                "RX-S1",
                                Instant.now().minusSeconds(30),
                                Fixtures.fullDelivery("RX-O1")
                                        .withLocation(new GeoFix(48.85, 2.35, 8.0))
                                        .withEvidence(
                                                List.of(new EvidenceRef(sha, EvidenceKind.SIGNATURE, "image/png")))))));
        // another one far away, left open
        d.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                3,
                                EventType.DELIVERED,
                                "RX-S3",
                                Instant.now().minusSeconds(20),
                                Fixtures.fullDelivery("RX-O3").withLocation(new GeoFix(40.4, -3.7, 8.0))))));
        // a delivery captured against a manifest the ERP changed meanwhile: its only order cancelled
        server.erp().releaseRoute("RM", Fixtures.route("RM", "DM", 1));
        TestServer.Device m = server.device("DM");
        m.client().pull(null, 100); // the phone has version 1
        var v1 = Fixtures.route("RM", "DM", 1);
        var stop = v1.stops().get(0);
        var cancelled = new io.podsync.protocol.StopSpec(
                stop.stopId(),
                stop.sequence(),
                stop.address(),
                stop.location(),
                stop.geofenceRadiusMeters(),
                stop.timeWindow(),
                stop.proofPolicy(),
                List.of(new io.podsync.protocol.OrderSpec(
                        stop.orders().get(0).orderId(), stop.orders().get(0).lines(), true)),
                stop.cancelled());
        server.erp()
                .releaseRoute(
                        "RM",
                        new io.podsync.protocol.RouteRelease(
                                v1.driverId(), v1.vehicleId(), v1.serviceDate(), List.of(cancelled)));
        m.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(new io.podsync.protocol.CapturedEvent(
                                UUID.randomUUID().toString(),
                                1L,
                                EventType.DELIVERED,
                                "RM-S1",
                                1,
                                Instant.now().minusSeconds(15),
                                null,
                                1L))));
        // a delivery the ERP refuses until it is dead
        erp.behavior().failNext(2, 500);
        d.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                4,
                                EventType.DELIVERED,
                                "RX-S2",
                                Instant.now().minusSeconds(5),
                                Fixtures.fullDelivery("RX-O2")))));
        TestServer.await(() -> server.outbox("?status=dead").get("items").size() == 1, "a dead letter");

        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(driver)
                        .usingAnyFreePort()
                        .build(),
                options);
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
            erp.close();
        }
    }

    /** A small real PNG (a signature's scribble), so the browser shows it. */
    static byte[] signaturePng() throws Exception {
        BufferedImage img = new BufferedImage(240, 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 240, 90);
        g.setColor(new Color(20, 40, 120));
        for (int x = 10; x < 230; x += 4) {
            g.drawLine(x, 45 + (int) (25 * Math.sin(x / 9.0)), x + 4, 45 + (int) (25 * Math.sin((x + 4) / 9.0)));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static String url(String path) {
        return server.uri() + path;
    }

    /** The whole page at 1280 px wide, for a reviewer (the viewport stretched to the page's height for it). */
    static void shot(String name) throws Exception {
        shot(name, 1280);
    }

    /**
     * The whole page at {@code width} px, after checking that it fits: nothing wider than the viewport (a wide table
     * scrolls inside its own box, the page does not).
     */
    static void shot(String name, int width) throws Exception {
        ChromeDriver chrome = (ChromeDriver) browser;
        chrome.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        try {
            long pageWidth = (Long) chrome.executeScript("return document.documentElement.scrollWidth");
            assertTrue(
                    pageWidth <= width,
                    () -> name + " is " + pageWidth + " px wide in a " + width + " px window, past it: "
                            + chrome.executeScript("const w = document.documentElement.clientWidth;"
                                    + " return Array.from(document.querySelectorAll('body *'))"
                                    + ".filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 8)"
                                    + ".map(e => e.tagName + '.' + e.className + ' '"
                                    + " + Math.round(e.getBoundingClientRect().right)).join(', ')"));
            long height = (Long) chrome.executeScript("return document.documentElement.scrollHeight");
            chrome.executeCdpCommand(
                    "Emulation.setDeviceMetricsOverride",
                    Map.of(
                            "width",
                            width,
                            "height",
                            (int) Math.min(Math.max(height, 900), 8000),
                            "deviceScaleFactor",
                            1,
                            "mobile",
                            false));
            Files.write(SHOTS.resolve(name + ".png"), chrome.getScreenshotAs(OutputType.BYTES));
        } finally {
            chrome.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    static void signIn(String id, String secret) {
        browser.get(url("/ops/sign-in"));
        browser.findElement(By.id("client_id")).clear();
        browser.findElement(By.id("client_id")).sendKeys(id);
        browser.findElement(By.id("client_secret")).sendKeys(secret);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
    }

    static void eventually(java.util.function.BooleanSupplier condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).withMessage(what).until(b -> condition.getAsBoolean());
    }

    @Test
    @Order(1)
    void aWrongSecretIsRefusedAndTheRightOneSignsIn() throws Exception {
        browser.get(url("/ops/exceptions"));
        eventually(() -> browser.getCurrentUrl().endsWith("/ops/sign-in"), "sent to sign in");
        signIn("ops", "not-the-secret-at-all");
        assertTrue(browser.findElement(By.cssSelector("[role=alert]")).getText().contains("wrong secret"));
        shot("01-sign-in");
        signIn("erp", TestServer.ERP_SECRET);
        assertTrue(
                browser.findElement(By.cssSelector("[role=alert]")).getText().contains("ops scope"),
                "an ERP client may not use the console");
        signIn("ops", TestServer.OPS_SECRET);
        eventually(() -> browser.getCurrentUrl().endsWith("/ops/today"), "signed in, on the Today page");
        assertTrue(browser.findElement(By.cssSelector(".who")).getText().contains("ops"));
        // keyboard first: the first tab stop skips to the content
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertEquals("Skip to the content", browser.switchTo().activeElement().getText());
    }

    @Test
    @Order(2)
    void resolvingAnExceptionReleasesTheDeliveryToTheErp() throws Exception {
        browser.get(url("/ops/exceptions?status=open&kind=flagged_event"));
        shot("02-exceptions");
        WebElement row = browser.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().contains("RX-S1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the flagged delivery is not listed"));
        assertTrue(row.getText().contains("outside_geofence"), row.getText());
        row.findElement(By.tagName("a")).click();
        eventually(() -> browser.getCurrentUrl().contains("/ops/exceptions/"), "the exception page");
        WebElement img = browser.findElement(By.cssSelector(".evidence img"));
        eventually(
                () -> (Boolean) ((JavascriptExecutor) browser)
                        .executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", img),
                "the signature shown inline");
        shot("03-exception");
        int before = erp.deliveryCount();
        browser.findElement(By.cssSelector("input[name=resolution][value=accepted]"))
                .click();
        browser.findElement(By.id("note")).sendKeys("Customer confirmed by phone: delivered at the back door.");
        browser.findElement(By.cssSelector("section form button[type=submit]")).click();
        eventually(() -> browser.getPageSource().contains("Done: resolved"), "the resolution confirmed");
        assertTrue(browser.findElement(By.cssSelector(".facts")).getText().contains("by ops"), "who resolved it");
        TestServer.await(() -> erp.deliveryCount() == before + 1, "the released delivery at the ERP");
        assertTrue(erp.deliveries().stream()
                .anyMatch(x -> x.data() != null
                        && "RX-S1".equals(x.data().path("stopId").asText())));
        ExceptionView resolved = server.ops().exceptions("resolved", 100).items().stream()
                .filter(x -> flaggedKey.equals(x.idempotencyKey()))
                .findFirst()
                .orElseThrow();
        assertEquals("ops", resolved.resolvedBy());
    }

    @Test
    @Order(3)
    void aManifestQuestionShowsBothVersionsAndIsBookedAgainstTheOneTheDriverSaw() throws Exception {
        browser.get(url("/ops/exceptions?status=open&kind=manifest_changed"));
        browser.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().contains("RM-S1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the manifest question is not listed"))
                .findElement(By.tagName("a"))
                .click();
        eventually(() -> browser.getCurrentUrl().contains("/ops/exceptions/"), "the exception page");
        var versions = browser.findElements(By.cssSelector(".versions .version"));
        assertEquals(2, versions.size(), "both versions side by side");
        assertTrue(versions.get(0).getText().contains("Version 1"));
        assertTrue(
                !versions.get(0).getText().contains("cancelled"),
                versions.get(0).getText());
        assertTrue(
                versions.get(1).getText().contains("cancelled"), versions.get(1).getText());
        shot("04-manifest-question");
        browser.findElement(By.cssSelector("input[name=resolution][value=accepted]"))
                .click();
        browser.findElement(By.cssSelector("input[name=stopVersion][value='1']"))
                .click();
        browser.findElement(By.id("note")).sendKeys("The customer took the whole order, as on the driver's list.");
        browser.findElement(By.cssSelector("section form button[type=submit]")).click();
        eventually(() -> browser.getPageSource().contains("Done: resolved"), "resolved");
        assertTrue(browser.findElement(By.cssSelector(".facts")).getText().contains("booked against version 1"));
        TestServer.await(
                () -> erp.deliveries().stream()
                        .anyMatch(x -> x.data() != null
                                && "RM-S1".equals(x.data().path("stopId").asText())
                                && x.data().path("stopVersion").asLong() == 1),
                "the delivery booked against version 1 at the ERP");
    }

    @Test
    @Order(4)
    void aDeadLetterIsReplayedAndDelivered() throws Exception {
        browser.get(url("/ops/erp?status=dead"));
        shot("05-erp-delivery");
        WebElement row = browser.findElement(By.cssSelector("tbody tr td a[href^='/ops/erp/messages/']"));
        row.click();
        eventually(() -> browser.getCurrentUrl().contains("/ops/erp/messages/"), "the message page");
        assertTrue(browser.getPageSource().contains("500"), "its failed attempts");
        shot("06-erp-message");
        browser.findElement(By.cssSelector("main form button[type=submit]")).click();
        eventually(() -> browser.getPageSource().contains("Done: replayed"), "replayed");
        TestServer.await(() -> server.outbox("?status=dead").get("items").isEmpty(), "no dead letter left");
        TestServer.await(
                () -> erp.deliveries().stream()
                        .anyMatch(x -> x.data() != null
                                && "RX-S2".equals(x.data().path("stopId").asText())),
                "the replayed delivery at the ERP");
    }

    @Test
    @Order(5)
    void aCrossSiteFormPostIsRefused() throws Exception {
        long open = server.ops().exceptions("open", 100).items().stream()
                .map(ExceptionView::id)
                .findFirst()
                .orElseThrow(() -> new AssertionError("an open exception to aim at"));
        // another origin (another port) serves a page that posts to the console as soon as it loads
        HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String page = "<html><body><form id=f method=post action='" + url("/ops/exceptions/" + open + "/resolve")
                + "'><input name=resolution value=dismissed><input name=_csrf value=guessed></form>"
                + "<script>document.getElementById('f').submit()</script></body></html>";
        evil.createContext("/", x -> {
            byte[] b = page.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        evil.start();
        try {
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            eventually(() -> browser.getCurrentUrl().contains("/resolve"), "the forged post went out");
            assertTrue(browser.getPageSource().contains("403")
                    || browser.getPageSource().contains("cross_site"));
        } finally {
            evil.stop(0);
        }
        assertEquals(
                "open",
                server.ops().exceptions("open", 100).items().stream()
                        .filter(x -> x.id() == open)
                        .findFirst()
                        .orElseThrow()
                        .status());
    }

    @Test
    @Order(6)
    void todayShowsAReleasedRoutesProgress() throws Exception {
        server.erp().releaseRoute("RT", Fixtures.route("RT", "DT", 4));
        TestServer.Device dt = server.device("DT");
        dt.client().pull(null, 100);
        dt.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(
                                Fixtures.event(
                                        UUID.randomUUID().toString(),
                                        1,
                                        EventType.DELIVERED,
                                        "RT-S1",
                                        Instant.now().minusSeconds(60),
                                        Fixtures.fullDelivery("RT-O1")),
                                Fixtures.arrived(2, "RT-S2", Instant.now().minusSeconds(10)))));
        browser.get(url("/ops/today"));
        // today in the SLA time zone (UTC here) by default
        assertEquals(
                java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString(),
                browser.findElement(By.id("date")).getAttribute("value"));
        // the device's pull dispatched route RT: order to dispatch has data over the last hour and day, the others
        // (no ERP endpoint here: nothing confirmed or acknowledged) not yet
        int empty = browser.getPageSource().split("No data yet", -1).length - 1;
        assertTrue(empty <= 4, empty + " charts without data");
        // the date picker, then the keyboard: Enter in the form shows that date
        ((JavascriptExecutor) browser).executeScript("document.getElementById('date').value = '2026-11-23'");
        browser.findElement(By.id("date")).sendKeys(Keys.ENTER);
        eventually(() -> browser.getCurrentUrl().contains("date=2026-11-23"), "the routes of 2026-11-23");
        WebElement row = browser.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().startsWith("RT "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("route RT is not listed"));
        assertTrue(row.getText().contains("1 delivered, 1 arrived, 2 pending"), row.getText());
        WebElement bar = row.findElement(By.cssSelector("svg.bar"));
        assertEquals("1 delivered, 1 arrived, 2 pending", bar.getAttribute("aria-label"));
        assertEquals(3, bar.findElements(By.cssSelector("rect")).size(), "one segment per state present");
        shot("07-today");
        shot("tablet-07-today", 768);
        // a date that is not one is said, not a 500
        browser.get(url("/ops/today?date=23.11.2026"));
        assertTrue(browser.findElement(By.cssSelector("[role=alert]")).getText().contains("invalid date"));
    }

    @Test
    @Order(7)
    void theFleetListsADeviceAndRevokingItRefusesItsNextSync() throws Exception {
        TestServer.Device dr = server.device("DR");
        assertEquals(
                200, server.send("GET", "/v1/sync/pull", null, null, dr.token()).statusCode());
        browser.get(url("/ops/fleet"));
        WebElement row = fleetRow(dr.id());
        assertTrue(row.getText().contains("DR"), row.getText());
        assertTrue(row.getText().contains("test 1.0"), "platform and app version: " + row.getText());
        assertTrue(row.getText().contains("active"), row.getText());
        shot("08-fleet");
        shot("tablet-08-fleet", 768);
        // the session alone does not revoke: the post needs the page's CSRF token
        var forged = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(url("/ops/fleet/" + dr.id() + "/revoke")))
                                .header(
                                        "Cookie",
                                        "podsync-console="
                                                + browser.manage()
                                                        .getCookieNamed("podsync-console")
                                                        .getValue())
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("_csrf=guessed"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals(
                200, server.send("GET", "/v1/sync/pull", null, null, dr.token()).statusCode());
        row.findElement(By.cssSelector("button.danger")).click();
        eventually(() -> browser.getPageSource().contains("Done: revoked"), "revoked");
        WebElement after = fleetRow(dr.id());
        assertTrue(after.getText().contains("revoked"), after.getText());
        assertTrue(after.getText().contains("by ops"), "who revoked it: " + after.getText());
        // revoked devices come last
        var rows = browser.findElements(By.cssSelector("tbody tr"));
        assertTrue(rows.getLast().getText().contains("revoked"), rows.getLast().getText());
        var refused = server.send("GET", "/v1/sync/pull", null, null, dr.token());
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("device_revoked"), refused.body());
    }

    static WebElement fleetRow(String deviceId) {
        return browser.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().contains(deviceId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("device " + deviceId + " is not listed"));
    }

    @Test
    @Order(8)
    void theTracePageTakesASearchFromTheKeyboardAndSaysWhatItCannotSearch() throws Exception {
        browser.get(url("/ops/trace"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("by"))).selectByValue("sha256");
        browser.findElement(By.id("q")).sendKeys("not-a-hash", Keys.ENTER);
        eventually(() -> browser.getCurrentUrl().contains("q=not-a-hash"), "searched");
        assertTrue(browser.findElement(By.cssSelector("[role=alert]")).getText().contains("64 lowercase"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("by"))).selectByValue("orderId");
        WebElement q = browser.findElement(By.id("q"));
        q.clear();
        q.sendKeys("RX-O1", Keys.ENTER);
        eventually(() -> browser.getCurrentUrl().contains("q=RX-O1"), "searched by order");
        // the order's history, oldest first: its route's release and the events at its stop (the fixtures' capture
        // times lie before the release)
        List<String> steps = browser.findElements(By.cssSelector("ol.timeline li .what")).stream()
                .map(WebElement::getText)
                .toList();
        assertTrue(steps.contains("route version"), steps.toString());
        assertTrue(steps.contains("event"), steps.toString());
        shot("09-trace");
        shot("tablet-09-trace", 768);
        // a step links to its detail: following one opens it
        WebElement link = browser.findElement(By.cssSelector("ol.timeline li a"));
        String href = link.getAttribute("href");
        link.click();
        eventually(() -> browser.getCurrentUrl().equals(href), "the step's detail at " + href);
        assertTrue(browser.findElement(By.tagName("h1")).isDisplayed());
        for (String page : List.of("exceptions", "erp")) {
            browser.get(url("/ops/" + page));
            shot("tablet-" + page, 768);
        }
    }

    @Test
    @Order(9)
    void afterSigningOutThePagesAreRefused() throws Exception {
        browser.get(url("/ops/exceptions"));
        String cookie = browser.manage().getCookieNamed("podsync-console").getValue();
        browser.findElement(By.cssSelector(".who button")).click();
        eventually(() -> browser.getCurrentUrl().endsWith("/ops/sign-in"), "signed out");
        browser.get(url("/ops/erp"));
        eventually(() -> browser.getCurrentUrl().endsWith("/ops/sign-in"), "refused after sign-out");
        // and the old cookie itself is dead, not just forgotten by the browser
        var res = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/ops/erp")))
                                .header("Cookie", "podsync-console=" + cookie)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(303, res.statusCode());
        assertEquals("/ops/sign-in", res.headers().firstValue("location").orElse(""));
    }
}
