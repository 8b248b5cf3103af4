package io.podsync.simulator.fleet;

/** One invariant of the verdict: its name, whether it held, and what was wrong (the first few cases) when not. */
public record Check(String name, boolean passed, String detail) {}
