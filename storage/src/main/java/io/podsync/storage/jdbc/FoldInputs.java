package io.podsync.storage.jdbc;

import io.podsync.storage.EventRow;
import java.util.ArrayList;
import java.util.List;

/**
 * The text form of a stop state's fold inputs: one line per event, its device, sequence number, key, type, attempt
 * and corrected time separated by single spaces ({@code -} for a missing time). Identifiers never contain spaces or
 * line breaks (the protocol allows letters, digits and {@code . _ : @ / -}), and a line is a few dozen bytes where a
 * JSON object would be twice that; this is read and written for every stop a push changes.
 */
final class FoldInputs {
    private FoldInputs() {}

    static String encode(List<EventRow> events) {
        StringBuilder out = new StringBuilder(events.size() * 80);
        for (EventRow e : events) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(e.deviceId())
                    .append(' ')
                    .append(e.seq())
                    .append(' ')
                    .append(e.idempotencyKey())
                    .append(' ')
                    .append(e.type())
                    .append(' ')
                    .append(e.attempt())
                    .append(' ')
                    .append(e.correctedAt() == null ? "-" : e.correctedAt().toString());
        }
        return out.toString();
    }

    static List<EventRow> decode(String stopId, String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<EventRow> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length != 6) {
                throw new IllegalStateException("stop " + stopId + " has a malformed fold input: " + line);
            }
            out.add(row(
                    f[0],
                    Long.parseLong(f[1]),
                    f[2],
                    stopId,
                    f[3],
                    Integer.parseInt(f[4]),
                    f[5].equals("-") ? null : Long.valueOf(f[5])));
        }
        return out;
    }

    /** A fold input as a row: the fields folding reads, the others null, zero or empty. */
    static EventRow row(
            String deviceId, long seq, String key, String stopId, String type, int attempt, Long correctedAt) {
        return EventRow.builder()
                .deviceId(deviceId)
                .seq(seq)
                .idempotencyKey(key)
                .stopId(stopId)
                .type(type)
                .attempt(attempt)
                .correctedAt(correctedAt)
                .verdict("APPLIED")
                .flags("")
                .fingerprint("")
                .build();
    }
}
