package io.carbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium, on the bridge's loopback port. Where Chromium is not installed the
 * test is skipped with a message saying how to install it, except in CI ({@code CI} set, as {@code .ci/run} does),
 * where a missing browser fails the test. Screenshots go to {@code target/console-screenshots/}.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Paths.get("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;

    private Browser(ChromeDriver driver, Path profile, int port) {
        this.driver = driver;
        this.profile = profile;
        this.base = "http://127.0.0.1:" + port;
    }

    /** A fresh browser (new profile, so nothing cached and no session) on the bridge at {@code port}. */
    public static Browser start(int port) {
        requireChromium();
        try {
            // a profile of its own: without it Chromium shares state with, and waits for, any other instance
            Path profile = Files.createTempDirectory("console-browser-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // headless, and quiet: this machine has no internet, and Chromium would flood it with refused connections
            options.addArguments(
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--user-data-dir=" + profile,
                    "--window-size=1400,1000",
                    "--lang=en-GB");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            return new Browser(new ChromeDriver(service, options), profile, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireChromium() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String missing = CHROMIUM + " or " + CHROMEDRIVER + " is missing: install Debian's headless browser with "
                + "`sudo apt-get install -y chromium chromium-driver` to run the console's browser tests";
        String ci = System.getenv("CI");
        if (!installed && ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci)) {
            throw new IllegalStateException(missing + " (CI is set: .ci/run installs them, so they must be there)");
        }
        Assumptions.assumeTrue(installed, missing);
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String path) {
        driver.get(base + path);
    }

    public String currentUrl() {
        return driver.getCurrentUrl();
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits until the condition holds (a non-null, non-false value), for up to 30 s: a shared machine can be slow. */
    public <T> T await(Function<WebDriver, T> condition) {
        // the console rebuilds its tables on each refresh: an element found a moment ago may be gone
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** Waits for a visible element matching the selector whose text contains {@code text}. */
    public WebElement awaitText(String css, String text) {
        return await(d -> d.findElements(By.cssSelector(css)).stream()
                .filter(e -> e.isDisplayed() && e.getText().contains(text))
                .findFirst()
                .orElse(null));
    }

    /** Clicks the element after scrolling it to the middle of the window (clear of the message box at the bottom). */
    public void click(WebElement element) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
        element.click();
    }

    public Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /**
     * What the pages wrote to the browser's console at WARNING or above since the last call (script errors,
     * Content-Security-Policy violations), but for the 401s the admin API answers a wrong token: Chromium logs every
     * failed request.
     */
    public List<String> problems() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains("/admin/") || !message.contains("status of 401"))
                .toList();
    }

    /** Saves what the browser shows as {@code target/console-screenshots/<name>.png}; returns the file. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bytes the page's own files took (the document, its scripts, styles and icon), by kind, from the Resource Timing
     * API.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Long> pageWeight() {
        return (Map<String, Long>) script("""
                const files = [performance.getEntriesByType('navigation')[0]]
                    .concat(performance.getEntriesByType('resource').filter(r => r.initiatorType !== 'fetch'));
                const weight = { script: 0, total: 0 };
                for (const file of files) {
                  const bytes = file.decodedBodySize;
                  weight.total += bytes;
                  if (file.name.endsWith('.js')) weight.script += bytes;
                }
                return weight;""");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
