package io.podsync.protocol;

import java.util.List;

/** A page of exceptions, newest first; pass {@code nextBefore} as {@code before} for the next page. */
public record ExceptionPage(List<ExceptionView> items, Long nextBefore) {}
