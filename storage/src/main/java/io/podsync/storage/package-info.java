/**
 * Storage: the database, its migrations and the repositories over it. Rows here are storage rows, not wire records:
 * this module knows neither Helidon nor the protocol. JSON columns hold text that the server wrote and reads back.
 */
package io.podsync.storage;
