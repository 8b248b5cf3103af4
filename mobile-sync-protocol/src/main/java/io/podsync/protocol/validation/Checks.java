package io.podsync.protocol.validation;

import io.podsync.protocol.Limits;
import io.podsync.protocol.Violation;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Collects violations while a validator walks a record. */
final class Checks {
    private final List<Violation> violations = new ArrayList<>();

    List<Violation> violations() {
        return violations;
    }

    void add(String code, String field, String message) {
        violations.add(new Violation(code, field, message));
    }

    boolean required(Object value, String field) {
        if (value == null) {
            add(ViolationCodes.REQUIRED, field, field + " is required");
            return false;
        }
        return true;
    }

    /** An identifier: required, at most the id length, letters, digits and {@code . _ : @ / -}. */
    void id(String value, String field, int maxLength) {
        if (!required(value, field)) {
            return;
        }
        if (value.length() > maxLength) {
            add(ViolationCodes.TOO_LONG, field, field + " is longer than " + maxLength + " characters");
        } else if (!Identifiers.isId(value, maxLength)) {
            add(ViolationCodes.INVALID_FORMAT, field, field + " may hold letters, digits and . _ : @ / - only");
        }
    }

    void text(String value, String field, int maxLength) {
        if (value != null && value.length() > maxLength) {
            add(ViolationCodes.TOO_LONG, field, field + " is longer than " + maxLength + " characters");
        }
    }

    void sha256(String value, String field) {
        if (required(value, field) && !Identifiers.isSha256(value)) {
            add(ViolationCodes.INVALID_FORMAT, field, field + " must be 64 lowercase hex digits (SHA-256)");
        }
    }

    boolean count(Collection<?> items, String field, int max) {
        if (items != null && items.size() > max) {
            add(ViolationCodes.TOO_MANY, field, field + " has more than " + max + " entries");
            return false;
        }
        return true;
    }

    void range(Number value, String field, double min, double max) {
        if (value != null
                && (value.doubleValue() < min || value.doubleValue() > max || Double.isNaN(value.doubleValue()))) {
            add(ViolationCodes.OUT_OF_RANGE, field, field + " must be between " + min + " and " + max);
        }
    }

    /** A time within the protocol's range (see {@link Limits#EARLIEST_TIME}). */
    void time(Instant value, String field) {
        if (value != null && (value.isBefore(Limits.EARLIEST_TIME) || value.isAfter(Limits.LATEST_TIME))) {
            add(
                    ViolationCodes.OUT_OF_RANGE,
                    field,
                    field + " must be between " + Limits.EARLIEST_TIME + " and " + Limits.LATEST_TIME);
        }
    }

    /** A date within the protocol's range: years 1970 to 9999. */
    void date(LocalDate value, String field) {
        if (value != null && (value.getYear() < 1970 || value.getYear() > 9999)) {
            add(ViolationCodes.OUT_OF_RANGE, field, field + " must be between 1970-01-01 and 9999-12-31");
        }
    }

    void quantity(BigDecimal value, String field) {
        if (value == null) {
            return;
        }
        if (value.signum() < 0) {
            add(ViolationCodes.OUT_OF_RANGE, field, field + " must not be negative");
        } else if ((long) value.precision() - value.scale() > 12 || value.scale() > 6) { // long: scale may be -2^31
            add(ViolationCodes.OUT_OF_RANGE, field, field + " has more than 12 integer or 6 decimal digits");
        }
    }
}
