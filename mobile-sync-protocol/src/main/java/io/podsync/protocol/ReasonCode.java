package io.podsync.protocol;

/**
 * The reason taxonomy: why a stop failed or a line was not delivered as ordered. Codes are stable; the ERP
 * integration maps them to the ERP's own codes.
 */
public enum ReasonCode {
    // site
    NO_ONE_HOME(Category.SITE),
    BUSINESS_CLOSED(Category.SITE),
    WRONG_ADDRESS(Category.SITE),
    NO_ACCESS(Category.SITE),
    UNSAFE(Category.SITE),
    // recipient / order
    REFUSED(Category.RECIPIENT),
    ID_CHECK_FAILED(Category.RECIPIENT),
    PAYMENT_NOT_READY(Category.RECIPIENT),
    RESCHEDULE_REQUESTED(Category.RECIPIENT),
    // goods, per line
    DAMAGED(Category.GOODS),
    MISSING(Category.GOODS),
    WRONG_ITEM(Category.GOODS),
    WRONG_QUANTITY(Category.GOODS),
    EXPIRED(Category.GOODS),
    // operations
    VEHICLE_BREAKDOWN(Category.OPERATIONS),
    WEATHER(Category.OPERATIONS),
    NOT_LOADED(Category.OPERATIONS),
    SCAN_FAILURE(Category.OPERATIONS);

    /** The four families of reasons. */
    public enum Category {
        SITE,
        RECIPIENT,
        GOODS,
        OPERATIONS
    }

    private final Category category;

    ReasonCode(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }

    /**
     * @return the code with this name in any letter case ({@code damaged} is {@link #DAMAGED}), or null when it is not
     *     in the taxonomy
     */
    public static ReasonCode find(String code) {
        if (code == null) {
            return null;
        }
        for (ReasonCode r : values()) {
            if (r.name().equalsIgnoreCase(code)) {
                return r;
            }
        }
        return null;
    }

    /** A reason as it is sent on: the taxonomy's spelling for a code in it (in any case), anything else unchanged. */
    public static String canonical(String code) {
        ReasonCode r = find(code);
        return r == null ? code : r.name();
    }
}
