package io.podsync.protocol;

import java.util.List;

/** A page of devices by id; pass {@code nextAfter} as {@code after} for the next page (absent on the last). */
public record DevicePage(List<DeviceSummary> items, String nextAfter) {}
