package io.podsync.simulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} options, with the unknown ones reported instead of ignored. An option may be
 * repeated (several {@code --secret} during a rotation); a single-valued read takes the last one.
 */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final Set<String> used = new LinkedHashSet<>();

    Args(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + " (options start with --)");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                add(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                add(name, args[++i]);
            } else {
                add(name, "true");
            }
        }
    }

    private void add(String name, String value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    String string(String name, String dflt) {
        used.add(name);
        List<String> v = values.get(name);
        return v == null ? dflt : v.getLast();
    }

    /** Every value of a repeatable option, in the order given; empty when it was not given. */
    List<String> strings(String name) {
        used.add(name);
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    String required(String name) {
        String v = string(name, null);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    int integer(String name, int dflt, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got " + v);
        }
    }

    double decimal(String name, double dflt, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got " + v);
        }
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(string(name, "false"));
    }

    /** Throws when an option was given that no one asked for: a typo must not be silently ignored. */
    void rejectUnknown() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (see --help)");
            }
        }
    }
}
