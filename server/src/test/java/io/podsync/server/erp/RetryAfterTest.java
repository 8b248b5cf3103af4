package io.podsync.server.erp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An ERP's Retry-After, read against the dispatcher's clock rather than the machine's. */
class RetryAfterTest {
    private static final long NOW = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

    @Test
    void secondsAndHttpDatesAreReadAgainstTheGivenClock() {
        assertEquals(120_000, OutboxDispatcher.retryAfterMillis("120", NOW));
        assertEquals(90_000, OutboxDispatcher.retryAfterMillis("Mon, 07 Dec 2026 10:01:30 GMT", NOW));
        // a date in the past of the dispatcher's clock asks for no wait, whatever the machine's clock says
        assertEquals(0, OutboxDispatcher.retryAfterMillis("Mon, 07 Dec 2026 09:59:00 GMT", NOW));
    }

    @Test
    void nonsenseAsksForNothingAndNoWaitIsLongerThanADay() {
        long day = Duration.ofDays(1).toMillis();
        assertEquals(0, OutboxDispatcher.retryAfterMillis(null, NOW));
        assertEquals(0, OutboxDispatcher.retryAfterMillis("soon", NOW));
        assertEquals(0, OutboxDispatcher.retryAfterMillis("-5", NOW));
        assertEquals(day, OutboxDispatcher.retryAfterMillis("99999999999999999", NOW));
        assertEquals(day, OutboxDispatcher.retryAfterMillis("Fri, 31 Dec 9999 23:59:59 GMT", NOW));
    }
}
