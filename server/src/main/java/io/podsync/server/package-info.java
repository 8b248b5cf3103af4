/** The podsync server: start-up, configuration and the routing that ties the services together. */
package io.podsync.server;
