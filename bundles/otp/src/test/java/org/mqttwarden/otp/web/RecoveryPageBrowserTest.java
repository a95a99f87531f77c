package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The recovery page driven in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * as a person uses it, with GreenMail receiving the codes: a forgotten password reset, then a locked account
 * unlocked. Screenshots of each step go to {@code target/screenshots/}. Skipped, saying so, only when
 * {@code /usr/bin/chromium} is not installed.
 */
class RecoveryPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    Path dir;

    private RecoveryStack stack;
    private String base;
    private ChromeDriver browser;

    @BeforeAll
    static void chromiumIsInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Skipped: " + CHROMIUM + " is not installed (Debian"
                + " packages chromium and chromium-driver; ./run-tests installs them)");
        assertThat(CHROMEDRIVER).as("chromium is installed but not its driver (Debian package chromium-driver)")
                .isExecutable();
    }

    @BeforeEach
    void open() throws IOException {
        stack = RecoveryStack.open(dir, Map.of());
        base = "http://127.0.0.1:" + stack.serve().port();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=900,1500", "--no-first-run", "--disable-extensions", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private void shot(String name) throws IOException {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private WebElement field(String id) {
        return browser.findElement(By.id(id));
    }

    private void type(String id, String text) {
        WebElement f = field(id);
        f.clear();
        f.sendKeys(text);
    }

    /** Submits the form {@code formId} with its button, as a click does, and waits for the next page. */
    private void submit(String formId) {
        WebElement button = browser.findElement(By.cssSelector("#" + formId + " button[type=submit]"));
        WebElement old = browser.findElement(By.tagName("html"));
        button.click();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                old.getTagName();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return "complete".equals(browser.executeScript("return document.readyState"));
            }
        });
    }

    private String notice() {
        return browser.findElement(By.id("notice")).getText();
    }

    @Test
    void aForgottenPasswordIsResetWithTheMailedCodeAndTheNewPasswordLogsIn() throws IOException {
        browser.get(base + "/recovery");
        assertThat(browser.getTitle()).isEqualTo("MQTT Warden account recovery");
        assertThat(field("reset-request-username").getAttribute("required")).isNotNull();
        assertThat(browser.findElement(By.cssSelector("#reset-request button")).getCssValue("background-color"))
                .as("the stylesheet applies under the page's CSP").isEqualTo("rgba(11, 87, 208, 1)");
        shot("01-recovery-page");

        type("reset-request-username", "alice");
        submit("reset-request");
        assertThat(notice()).contains("If alice is an account with an e-mail address, a code to reset its password"
                + " is on its way there.");
        assertThat(browser.switchTo().activeElement().getAttribute("id")).as("the message has the focus")
                .isEqualTo("notice");
        assertThat(field("reset-username").getAttribute("value")).isEqualTo("alice");
        shot("02-reset-code-sent");

        String code = stack.awaitCode("alice@example.org", 1);
        browser.findElement(By.linkText("Enter it in step 2.")).click();
        type("reset-code", code);
        type("reset-password", RecoveryStack.NEW);
        type("reset-repeat", RecoveryStack.NEW + " typo");
        submit("reset-confirm");
        assertThat(notice()).isEqualTo("The two passwords differ. Nothing was changed; the code is still valid. Go to"
                + " the form.");
        shot("03-reset-passwords-differ");
        browser.findElement(By.linkText("Go to the form.")).click();
        assertThat(browser.getCurrentUrl()).endsWith("#reset-confirm");

        type("reset-code", code);
        type("reset-password", RecoveryStack.NEW);
        type("reset-repeat", RecoveryStack.NEW);
        submit("reset-confirm");
        assertThat(notice()).isEqualTo("Your password is changed. You can log in with the new one now.");
        assertThat(browser.getPageSource()).doesNotContain(code).doesNotContain(RecoveryStack.NEW);
        shot("04-reset-done");

        assertThat(stack.logsIn("alice", RecoveryStack.NEW)).as("the authenticator takes the new password").isTrue();
        assertThat(stack.logsIn("alice", RecoveryStack.OLD)).isFalse();
        assertNoConsoleErrors();
    }

    @Test
    void aLockedAccountIsUnlockedWithTheMailedCode() throws IOException {
        browser.get(base + "/recovery#unlock");
        type("unlock-request-username", "bob");
        submit("unlock-request");
        assertThat(notice()).contains("If bob is an account with an e-mail address, a code to unlock it is on its way"
                + " there.");
        shot("05-unlock-code-sent");

        type("unlock-code", "00000000");
        submit("unlock-confirm");
        assertThat(notice()).isEqualTo("The code is wrong, expired or already used. Ask for a new one. Go to the"
                + " form.");
        shot("06-unlock-wrong-code");
        browser.findElement(By.linkText("Go to the form.")).click();
        assertThat(browser.getCurrentUrl()).endsWith("#unlock-confirm");
        shot("06b-unlock-form-again");

        String code = stack.awaitCode("bob@example.org", 1);
        type("unlock-username", "bob");
        type("unlock-code", code);
        submit("unlock-confirm");
        assertThat(notice()).isEqualTo("Your account is unlocked. You can log in again.");
        shot("07-unlock-done");

        assertThat(stack.otpEvents(Reasons.OTP_UNLOCK)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.username()).isEqualTo("bob");
        });
        assertNoConsoleErrors();
    }

    /**
     * A CSP violation (a blocked stylesheet, an inline style) or any other error shows in the console; the 400
     * answers of the refused steps (the page with its message) show as "failed to load" and are expected.
     */
    private void assertNoConsoleErrors() {
        List<LogEntry> entries = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(entries).filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue()
                && !e.getMessage().contains("favicon.ico")
                && !e.getMessage().matches(".*/recovery/confirm - Failed to load resource: the server responded with a"
                        + " status of 400 .*")).isEmpty();
    }
}
