package io.podsync.protocol;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The {@code data} of a milestone event (every {@link ErpEventType} that is not a POD type). One shape for all types;
 * which fields are set depends on the type, and null fields are left out.
 *
 * @param routeVersion the route's version (route types)
 * @param stopVersion the stop's version (stop types)
 * @param at when it happened on the server's clock: a device's capture time corrected by its clock offset, the time
 *     of a pull, a release, a breach
 * @param capturedAt for a device's event: the capture time as the device sent it
 * @param status the route's status (route types)
 * @param odometerKm the odometer reading the app sent with an arrival or departure
 * @param exceptionId and {@code exceptionKind}, {@code codes}, {@code resolution}: the exception (exception types)
 * @param timeWindow the stop's time window ({@code stop.late})
 * @param trip the trip summary ({@code route.completed})
 */
public record Milestone(
        String routeId,
        Long routeVersion,
        String stopId,
        Long stopVersion,
        String driverId,
        String deviceId,
        String vehicleId,
        LocalDate serviceDate,
        String status,
        List<String> stopIds,
        Integer attempt,
        Instant at,
        Instant capturedAt,
        GeoFix location,
        BigDecimal odometerKm,
        Long exceptionId,
        String exceptionKind,
        List<String> codes,
        String resolution,
        TimeWindow timeWindow,
        Trip trip) {

    /** An empty milestone, to fill in with the withers. */
    public static final Milestone EMPTY = new Milestone(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    /**
     * What a completed route came to.
     *
     * @param start the first arrival or outcome at any of its stops (server clock)
     * @param end its last outcome
     * @param stops its stops, {@code delivered} (in full or partly), {@code failed} (for good) and {@code cancelled}
     *     (cancelled or removed)
     * @param distanceKm the span of the odometer readings of its arrivals and departures; null without readings
     */
    public record Trip(
            Instant start, Instant end, int stops, int delivered, int failed, int cancelled, BigDecimal distanceKm) {}

    public Milestone route(String routeId, Long routeVersion, String driverId) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone stop(String stopId, Long stopVersion) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone plan(String vehicleId, LocalDate serviceDate, String status, List<String> stopIds) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone event(
            String deviceId, Integer attempt, Instant at, Instant capturedAt, GeoFix location, BigDecimal odometerKm) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone at(Instant at) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone device(String deviceId) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone exception(Long exceptionId, String exceptionKind, List<String> codes, String resolution) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone window(TimeWindow timeWindow) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }

    public Milestone trip(Trip trip) {
        return new Milestone(
                routeId,
                routeVersion,
                stopId,
                stopVersion,
                driverId,
                deviceId,
                vehicleId,
                serviceDate,
                status,
                stopIds,
                attempt,
                at,
                capturedAt,
                location,
                odometerKm,
                exceptionId,
                exceptionKind,
                codes,
                resolution,
                timeWindow,
                trip);
    }
}
