package io.podsync.storage.jdbc;

import io.podsync.storage.EventRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 7: a stop's state keeps the events it was folded from ({@code stop_states.fold_inputs}), and the event
 * log loses its index by stop, which only folding read: one B-tree fewer for every event stored. Existing states get
 * every applied event of their stop, more than folding needs but never less. In Java because the text form is
 * {@link FoldInputs}' and string aggregation is not portable SQL.
 */
public final class FoldInputsMigration implements JavaMigration {
    private static final int BATCH = 500;

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("7");
    }

    @Override
    public String getDescription() {
        return "fold inputs on stop states";
    }

    @Override
    public Integer getChecksum() {
        return 7;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE stop_states ADD COLUMN fold_inputs TEXT");
        }
        try (PreparedStatement read = c.prepareStatement(
                        "SELECT stop_id, device_id, seq, idempotency_key, type, attempt, corrected_at FROM events"
                                + " WHERE verdict = 'APPLIED' AND stop_id IS NOT NULL ORDER BY stop_id, device_id, seq");
                PreparedStatement write =
                        c.prepareStatement("UPDATE stop_states SET fold_inputs = ? WHERE stop_id = ?");
                ResultSet rs = query(read)) {
            String stop = null;
            List<EventRow> events = new ArrayList<>();
            int pending = 0;
            while (rs.next()) {
                if (!rs.getString(1).equals(stop)) {
                    pending += add(write, stop, events);
                    stop = rs.getString(1);
                    events.clear();
                }
                long corrected = rs.getLong(7);
                Long correctedAt = rs.wasNull() ? null : corrected;
                events.add(FoldInputs.row(
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        stop,
                        rs.getString(5),
                        rs.getInt(6),
                        correctedAt));
                if (pending >= BATCH) {
                    write.executeBatch();
                    pending = 0;
                }
            }
            add(write, stop, events);
            write.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP INDEX events_stop");
        }
    }

    /** Streamed: PostgreSQL's driver would otherwise hold every event in memory (it fetches in a transaction only). */
    private static ResultSet query(PreparedStatement read) throws Exception {
        read.setFetchSize(1_000);
        return read.executeQuery();
    }

    private static int add(PreparedStatement write, String stop, List<EventRow> events) throws Exception {
        if (stop == null) {
            return 0;
        }
        write.setString(1, FoldInputs.encode(events));
        write.setString(2, stop);
        write.addBatch();
        return 1;
    }
}
